import type { RestoreMethod, StepKind } from "../stacks/schema";

export type { StepKind };

/** One step of the recovery: what it restores, what it waits for, and when it runs. */
export interface PlanStep {
  /** `<kind>:<name>`, e.g. `database:orders`, `service:api-gateway`. */
  readonly id: string;
  readonly kind: StepKind;
  readonly name: string;
  /** Step ids this step waits for: exactly what it uses, never "everything before it". */
  readonly dependsOn: readonly string[];
  readonly estimateMinutes: number;
  /** Earliest start, once every dependency has finished. */
  readonly startMinute: number;
  readonly finishMinute: number;
  /** On the critical path: a minute late here is a minute late for the whole restore. */
  readonly critical: boolean;
  /** An inventory item's step: its tier (`stack` when it names none). Absent for the other steps. */
  readonly tier?: string;
  /**
   * Where `estimateMinutes` comes from, and the key that changes it. Every step of a stack's plan
   * has one; steps built elsewhere from a plan's parts (blast-radius's estimate) may not.
   */
  readonly estimateSource?: EstimateSource;
  /** A database step: how it is restored and to what point. Absent for the other steps. */
  readonly restore?: DatabaseRestorePlan;
}

/** Where a step's estimate comes from. */
export interface EstimateSource {
  /**
   * `seed-004`: the upper bound of the restore runbook's table; `default`: this project's own;
   * `inventory`: the inventory's `recovery:estimates.<kind>`; `item`: the item's `estimateMinutes`.
   */
  readonly from: "seed-004" | "default" | "inventory" | "item";
  /** The key of the source inventory (Pulumi.<source>.yaml) that sets it, or would override it. */
  readonly key: string;
}

/** How a database is restored, and to what point. */
export interface DatabaseRestorePlan {
  readonly method: RestoreMethod;
  /**
   * point-in-time: `latest` (the latest restorable time when `pulumi up` creates it) or an ISO
   * time; snapshot: a snapshot identifier, or `latest` (the newest, resolved once); logical:
   * `latest` (the newest dump under the prefix).
   */
  readonly restorePoint: string;
  /** What it restores from: the source instance's identifier, or the dump prefix `s3://bucket/prefix`. */
  readonly from: string;
}

/**
 * One tier's RTO: when the last of its items' own restore steps finishes, against the tier's
 * `rtoMinutes`. The services that use the data are in the stack's overall estimate, not here.
 */
export interface TierPlan {
  /** A name of `recovery:tiers`, or `stack` for the items without a tier. */
  readonly tier: string;
  readonly rtoMinutes: number;
  /** The item steps of this tier. */
  readonly steps: number;
  readonly finishMinute: number;
  /** The step that finishes last (the first of them in plan order when several tie). */
  readonly lastStep: string;
  readonly verdict: Verdict;
}

export type Verdict = "within-objective" | "exceeds-objective";

/** The restore as data: the one place that knows the order. */
export interface RecoveryPlan {
  readonly stack: string;
  readonly source: string;
  readonly mode: "recovery" | "drill";
  /** In dependency order (every step after all of its dependencies). */
  readonly steps: readonly PlanStep[];
  readonly criticalPath: readonly string[];
  readonly estimatedRtoMinutes: number;
  /** The runbook's way: every step one after another. */
  readonly sequentialMinutes: number;
  readonly objective: { readonly rtoMinutes: number; readonly rpoMinutes: number };
  readonly verdict: Verdict;
  /** Per tier with at least one item, in `recovery:tiers` order, `stack` first. */
  readonly tiers: readonly TierPlan[];
}
