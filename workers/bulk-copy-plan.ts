/**
 * Which engine copies a bucket back, and how long it takes: one sync Job (this repository's
 * worker) or, past a threshold, an S3 Batch Operations copy job driven by an S3 Inventory report,
 * with the sync Job finishing the delta written since the inventory (docs/data-plane.md, "Past
 * one machine"). Pure arithmetic, so the plan can print it and the tests can pin it.
 *
 * Published figures it rests on:
 * - S3 sustains "at least 3,500 PUT/COPY/POST/DELETE … requests per second per partitioned
 *   prefix" (AWS, "Best practices design patterns: optimizing Amazon S3 performance"). A Batch
 *   Operations copy is one CopyObject per task, so this is its ceiling per prefix.
 * - A Batch Operations Copy job copies objects up to 5 GB (larger ones are left to the sync Job's
 *   multipart copy) and is created in the destination Region (AWS, "Copy objects", S3 User Guide).
 * - The first S3 Inventory report of a new configuration can take up to 48 hours; after that a
 *   daily report arrives every day (AWS, "Cataloging and analyzing your data with S3 Inventory").
 *   So batch mode needs the inventory configured on the replica before the disaster.
 * AWS publishes no Batch Operations throughput, so `batchObjectsPerSecond` (below) is this
 * project's assumption and is printed as such.
 */

export type BulkCopyMode = "sync-job" | "batch-operations";

export interface BulkCopyInput {
  /** Objects in the replica (CloudWatch `NumberOfObjects`, or the inventory's row count). */
  readonly objects: number;
  /** Objects written since the inventory report was taken; the sync Job copies these. Defaults to 1 % of `objects`. */
  readonly deltaObjects?: number;
  /** Whether a daily S3 Inventory report of the replica exists (batch mode needs one). Defaults to `false`. */
  readonly inventoryConfigured?: boolean;
  /** Key prefixes the objects spread over (S3 scales request rates per prefix). Defaults to `1`. */
  readonly prefixes?: number;
  /** The sync Job's copies in flight (`--concurrency`). Defaults to `32`. */
  readonly concurrency?: number;
  /** One cross-region CopyObject, as the sync bench models it. Defaults to `72` ms. */
  readonly copyMs?: number;
  /** One ListObjectsV2 page of 1,000 keys across regions. Defaults to `100` ms. */
  readonly listPageMs?: number;
  /** Batch Operations tasks per second per prefix, an assumption (AWS publishes none). Defaults to `1000`, below S3's 3,500 COPY/s per prefix. */
  readonly batchObjectsPerSecond?: number;
  /** Creating the job and its preparing phase (reading the manifest). Defaults to `15` minutes. */
  readonly batchSetupMinutes?: number;
}

export interface BulkCopyEstimate {
  readonly mode: BulkCopyMode;
  /** Why this mode, in one sentence for the plan. */
  readonly reason: string;
  readonly minutes: { readonly syncJob: number; readonly batch?: number; readonly delta?: number; readonly total: number };
}

/** S3's published ceiling: COPY requests per second per partitioned prefix. */
export const S3_COPY_PER_PREFIX_PER_SECOND = 3500;

/** The sync Job streams its listing and copies together: the slower of the two sets its time. */
export function syncJobMinutes(objects: number, input: BulkCopyInput = { objects }): number {
  const concurrency = input.concurrency ?? 32;
  const copyMs = input.copyMs ?? 72;
  const listPageMs = input.listPageMs ?? 100;
  const listing = (Math.ceil(objects / 1000) * listPageMs) / 60_000;
  const copying = (objects * copyMs) / concurrency / 60_000;
  return Math.max(listing, copying);
}

export function planBulkCopy(input: BulkCopyInput): BulkCopyEstimate {
  const syncJob = syncJobMinutes(input.objects, input);
  if (!(input.inventoryConfigured ?? false)) {
    return {
      mode: "sync-job",
      reason: "no S3 Inventory report of the replica exists (a first report takes up to 48 hours), so one sync Job copies everything",
      minutes: { syncJob, total: syncJob },
    };
  }
  const prefixes = input.prefixes ?? 1;
  const perSecond = Math.min(input.batchObjectsPerSecond ?? 1000, S3_COPY_PER_PREFIX_PER_SECOND) * prefixes;
  const deltaObjects = input.deltaObjects ?? Math.ceil(input.objects / 100);
  // The delta Job lists the whole replica to find what the inventory missed, and copies only that.
  const delta = Math.max(syncJobMinutes(input.objects, { ...input, copyMs: 0 }), syncJobMinutes(deltaObjects, { ...input, listPageMs: 0 }));
  const batch = (input.batchSetupMinutes ?? 15) + input.objects / perSecond / 60;
  // The batch job and the delta Job run one after the other: the delta is what the job's manifest
  // did not hold, and copying it first could be overwritten by an older inventory row.
  const total = batch + delta;
  if (total < syncJob) {
    return {
      mode: "batch-operations",
      reason: `an S3 Batch Operations copy of ${input.objects} objects plus a sync Job for the delta (${total.toFixed(0)} min) beats one sync Job (${syncJob.toFixed(0)} min)`,
      minutes: { syncJob, batch, delta, total },
    };
  }
  return {
    mode: "sync-job",
    reason: `one sync Job (${syncJob.toFixed(0)} min) is faster than a batch job plus the delta (${total.toFixed(0)} min)`,
    minutes: { syncJob, batch, delta, total: syncJob },
  };
}
