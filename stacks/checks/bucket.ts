import type { Problem } from "../problems";

/**
 * The field that says how a bucket comes back: `mode` in a restore stack, `strategy` in
 * ReplicaBucketSync's args. Messages name the one the reader wrote.
 */
export type BucketModeField = "mode" | "strategy";

/** What a bucket restore is checked against. */
export interface BucketContext {
  readonly field: BucketModeField;
  readonly drill: boolean;
  readonly sourceBucket: string;
  readonly replicaBucket: string;
  /** Every production name. Defaults to none. */
  readonly sourceNames?: Iterable<string>;
  /** The bucket name to suggest instead, like `<source>-recovery`. */
  readonly suggestion: string;
}

/** A promoted replica is production's own bucket: never in a drill, never under another name. */
export function promoteProblems(bucket: string | undefined, ctx: BucketContext): Problem[] {
  const problems: Problem[] = [];
  if (ctx.drill)
    problems.push({
      path: [ctx.field],
      message: `a drill never points services at production's replica (they would write to it); use ${ctx.field}: rebuild`,
    });
  if (bucket !== undefined)
    problems.push({ path: ["bucket"], message: `a promoted bucket is the replica itself; remove bucket or set ${ctx.field}: rebuild` });
  return problems;
}

/** Invariant 1 for a bucket: a rebuild writes a NEW bucket, never the source, the replica or another of production's. */
export function rebuiltBucketProblems(bucket: string, ctx: BucketContext): Problem[] {
  if (bucket === ctx.sourceBucket || bucket === ctx.replicaBucket)
    return [
      {
        path: ["bucket"],
        message: `"${bucket}" is the ${bucket === ctx.sourceBucket ? "source" : "replica"} bucket; a rebuild writes a new bucket, like "${ctx.suggestion}"`,
      },
    ];
  if (new Set(ctx.sourceNames ?? []).has(bucket))
    return [{ path: ["bucket"], message: `"${bucket}" is a production bucket; choose a new name` }];
  return [];
}

/**
 * A rebuilt bucket's access logs go to a new log bucket of its own: production's accepts only
 * production's logs (and a restore never writes into production), and a bucket logging into
 * itself logs every delivery again. Paths are the log bucket's own (`[]`): the stack file names it
 * `logging.targetBucket`, AccessLogBucket `bucket`.
 */
export function logBucketProblems(targetBucket: string, rebuiltBuckets: readonly string[], sourceNames: Iterable<string>): Problem[] {
  const path: PropertyKey[] = [];
  // The suggestion follows the first bucket that logs here, as the loader derives `<bucket>-logs`.
  const like = `${rebuiltBuckets[0] ?? targetBucket}-logs`;
  const problems: Problem[] = [];
  if (new Set(sourceNames).has(targetBucket))
    problems.push({ path, message: `"${targetBucket}" is a production bucket; a restore writes its access logs to a log bucket of its own, like "${like}"` });
  if (rebuiltBuckets.includes(targetBucket))
    problems.push({ path, message: `"${targetBucket}" is the rebuilt bucket itself; its logs go to a separate log bucket, like "${targetBucket}-logs"` });
  return problems;
}
