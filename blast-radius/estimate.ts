import { schedule } from "../plan/schedule";
import type { StepSpec } from "../plan/steps";
import type { RecoveryPlan } from "../plan/types";
import { COMPONENT_KINDS, type Change } from "./classify";

/** What the preview creates, in plan steps and minutes: "how big and how long". */
export interface Estimate {
  /** The plan steps that something is created (or re-created by a replace) for, in plan order. */
  readonly steps: ReadonlyArray<{ readonly id: string; readonly estimateMinutes: number; readonly resources: number }>;
  /** Created resources that belong to no plan step (the stack, providers, the environment root). */
  readonly unmappedResources: number;
  /** Every created step one after another. */
  readonly sequentialMinutes: number;
  /** The plan's schedule restricted to the created steps: what the restore would take. */
  readonly estimatedRtoMinutes: number;
  readonly criticalPath: readonly string[];
  /** For comparison: the whole plan's estimate and the objective. */
  readonly planRtoMinutes: number;
  readonly objectiveRtoMinutes: number;
}

/** A replacement restores again, so it costs as much time as a create. */
const CREATING_OPS = new Set(["create", "replace", "create-replacement"]);
const KINDS_WITH_COMPONENTS = new Set<string>(Object.values(COMPONENT_KINDS));

/**
 * The plan step a resource realises. Components are named `<kind>-<name>` and their children
 * `<kind>-<name>-<suffix>`, so the longest step name that prefixes the resource's name wins
 * (`database-orders-archive-db` is `orders-archive`'s, not `orders`').
 */
export function stepOf(change: Change, plan: RecoveryPlan): string | undefined {
  if (!change.kind) return undefined;
  let best: { id: string; length: number } | undefined;
  for (const step of plan.steps) {
    if (step.kind !== change.kind) continue;
    const prefix = `${step.kind}-${step.name}`;
    if (change.name !== prefix && !change.name.startsWith(`${prefix}-`)) continue;
    if (!best || prefix.length > best.length) best = { id: step.id, length: prefix.length };
  }
  return best?.id;
}

export function estimate(changes: readonly Change[], plan: RecoveryPlan): Estimate {
  const counts = new Map<string, number>();
  let unmapped = 0;
  for (const c of changes) {
    if (!CREATING_OPS.has(c.op)) continue;
    const id = stepOf(c, plan);
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    else unmapped++;
  }
  // Steps no component realises (the smoke tests) run again whenever everything they wait for
  // is created again; a plan step can only depend on earlier ones, so one pass in plan order settles it.
  const included = new Set(counts.keys());
  for (const step of plan.steps)
    if (!KINDS_WITH_COMPONENTS.has(step.kind) && step.dependsOn.length > 0 && step.dependsOn.every((d) => included.has(d)))
      included.add(step.id);

  const specs: StepSpec[] = plan.steps
    .filter((s) => included.has(s.id))
    .map((s) => ({
      id: s.id,
      kind: s.kind,
      name: s.name,
      // What is not created again is already there: it does not hold anything up.
      dependsOn: s.dependsOn.filter((d) => included.has(d)),
      estimateMinutes: s.estimateMinutes,
    }));
  const { finishMinute, criticalPath } = schedule(specs);
  return {
    steps: specs.map((s) => ({ id: s.id, estimateMinutes: s.estimateMinutes, resources: counts.get(s.id) ?? 0 })),
    unmappedResources: unmapped,
    sequentialMinutes: specs.reduce((sum, s) => sum + s.estimateMinutes, 0),
    estimatedRtoMinutes: finishMinute,
    criticalPath,
    planRtoMinutes: plan.estimatedRtoMinutes,
    objectiveRtoMinutes: plan.objective.rtoMinutes,
  };
}
