import type { RecoveryConfig } from "../stacks/types";
import { schedule } from "./schedule";
import { stepsFor } from "./steps";
import type { RecoveryPlan } from "./types";

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
  };
}
