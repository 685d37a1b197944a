import type { RecoveryConfig } from "../stacks/types";
import { schedule } from "./schedule";
import { STACK_TIER, stepsFor } from "./steps";
import type { PlanStep, RecoveryPlan, TierPlan } from "./types";

/** A validated stack becomes the recovery plan. Pure: same input, same output. */
export function buildPlan(config: RecoveryConfig): RecoveryPlan {
  const specs = stepsFor(config);
  const { steps, criticalPath, finishMinute } = schedule(specs);
  const sequentialMinutes = specs.reduce((sum, s) => sum + s.estimateMinutes, 0);
  return {
    stack: config.stack,
    source: config.source,
    mode: config.mode,
    steps,
    criticalPath,
    estimatedRtoMinutes: finishMinute,
    sequentialMinutes,
    objective: { rtoMinutes: config.objectives.rtoMinutes, rpoMinutes: config.objectives.rpoMinutes },
    verdict: finishMinute <= config.objectives.rtoMinutes ? "within-objective" : "exceeds-objective",
    tiers: tierPlans(config, steps),
  };
}

/**
 * Each tier's RTO as the plan sees it (issue 14): the latest finish of its items' restore steps
 * against the tier's objective, as readiness judges each item's RPO against its tier's.
 */
function tierPlans(config: RecoveryConfig, steps: readonly PlanStep[]): TierPlan[] {
  const objectives: [string, number][] = [[STACK_TIER, config.objectives.rtoMinutes], ...Object.entries(config.tiers).map(([t, o]): [string, number] => [t, o.rtoMinutes])];
  return objectives.flatMap(([tier, rtoMinutes]) => {
    const own = steps.filter((s) => s.tier === tier);
    if (own.length === 0) return [];
    const last = own.reduce((a, b) => (b.finishMinute > a.finishMinute ? b : a));
    return [{ tier, rtoMinutes, steps: own.length, finishMinute: last.finishMinute, lastStep: last.id, verdict: last.finishMinute <= rtoMinutes ? "within-objective" : "exceeds-objective" }];
  });
}
