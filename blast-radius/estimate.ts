import { schedule } from "../plan/schedule";
import type { StepSpec } from "../plan/steps";
import type { RecoveryPlan } from "../plan/types";
import { componentName } from "../components/names";
import type { StepKind } from "../plan/types";
import type { Change } from "./classify";

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
/**
 * Steps that only check what they wait for (the smoke tests): the restore is not done until they
 * pass again, so they count whenever everything they wait for is created again, even when their
 * own Job is unchanged in the preview (it names the gateway by its in-cluster URL, which a
 * re-created gateway keeps).
 */
const RECHECK_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(["smoke"]);

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
    const prefix = componentName(step);
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
  // A plan step can only depend on earlier ones, so one pass in plan order settles the re-checks.
  const included = new Set(counts.keys());
  for (const step of plan.steps)
    if (RECHECK_KINDS.has(step.kind) && step.dependsOn.length > 0 && step.dependsOn.every((d) => included.has(d)))
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
