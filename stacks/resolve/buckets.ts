import { rewritePolicy } from "../bucket-settings";
import { logBucketProblems, promoteProblems, rebuiltBucketProblems, type BucketContext } from "../checks/bucket";
import { under, type Problem } from "../problems";
import type { Inventory, RestoreStack } from "../schema";
import type { BucketRestore } from "../types";
import type { ResolveContext, Resolved } from "./context";

/** S3's limit on a bucket name. */
const MAX_BUCKET = 63;

type BucketSource = Inventory["buckets"][number];
type BucketOverride = NonNullable<RestoreStack["buckets"][string]>;

/** One bucket of the inventory: the replica promoted as it is, or a new bucket rebuilt from it. */
export function resolveBucket(source: BucketSource, ctx: ResolveContext): Resolved<BucketRestore> {
  const { stack, suffix, estimates } = ctx;
  const o = stack.buckets[source.name] ?? {};
  const path = ["buckets", source.name];
  const mode = o.mode ?? "rebuild";
  const checks: BucketContext = {
    field: "mode",
    drill: stack.mode === "drill",
    sourceBucket: source.bucket,
    replicaBucket: source.replica.bucket,
    sourceNames: ctx.sourceNames,
    suggestion: `${source.bucket}-${suffix}`,
  };
  const problems: Problem[] = [];
  if (mode === "promote") problems.push(...under(path, promoteProblems(o.bucket, checks)));
  const bucket = mode === "promote" ? source.replica.bucket : o.bucket ?? `${source.bucket}-${suffix}`;
  if (mode === "rebuild") {
    problems.push(...under(path, rebuiltBucketProblems(bucket, checks)));
    if (bucket.length > MAX_BUCKET)
      problems.push({ path: o.bucket ? [...path, "bucket"] : ["suffix"], message: `"${bucket}" is longer than S3's ${MAX_BUCKET} characters; shorten it` });
  }
  const estimateKind = mode === "promote" ? "bucketPromote" : "bucketSync";
  const settings = mode === "rebuild" ? bucketSettings(source, bucket, o.logging, ctx) : { value: {}, problems: [] };
  problems.push(...settings.problems);
  return {
    value: { name: source.name, source, mode, bucket, estimateMinutes: source.estimateMinutes ?? estimates[estimateKind], public: source.public ?? false, ...settings.value },
    problems,
  };
}

/**
 * What a rebuilt bucket carries over from production: the policy with the source's name
 * rewritten, CORS, lifecycle, ownership, and access logging into a new log bucket of its own
 * (production's log bucket only accepts logs from production's buckets, and a drill never
 * writes into production).
 */
function bucketSettings(
  source: BucketSource,
  bucket: string,
  override: BucketOverride["logging"],
  ctx: ResolveContext,
): Resolved<Pick<BucketRestore, "policy" | "cors" | "lifecycle" | "ownership" | "logging">> {
  const path = ["buckets", source.name];
  const problems: Problem[] = [];
  if (override !== undefined && source.logging === undefined)
    problems.push({
      path: [...path, "logging"],
      message: `production does not log bucket ${source.bucket} (the inventory's recovery:buckets entry "${source.name}" has no logging); add it there or remove this override`,
    });
  let logging: BucketRestore["logging"];
  if (source.logging !== undefined) {
    const targetBucket = override?.targetBucket ?? `${bucket}-logs`;
    const found = [...logBucketProblems(targetBucket, [bucket], ctx.sourceNames)];
    if (targetBucket.length > MAX_BUCKET)
      found.push({ path: [], message: `"${targetBucket}" is longer than S3's ${MAX_BUCKET} characters; shorten it` });
    // A derived name (`<bucket>-logs`) is fixed by a shorter or other suffix.
    problems.push(...(override?.targetBucket !== undefined ? under([...path, "logging", "targetBucket"], found) : found.map((p) => ({ ...p, path: ["suffix"] }))));
    logging = { targetBucket, targetPrefix: override?.targetPrefix ?? source.logging.targetPrefix };
  }
  return {
    value: {
      policy: source.policy && rewritePolicy(source.policy, source.bucket, bucket),
      cors: source.cors,
      lifecycle: source.lifecycle,
      ownership: source.ownership,
      logging,
    },
    problems,
  };
}

/** Each rebuilt bucket creates its own log bucket: two naming one would create it twice. */
export function sharedLogBucketProblems(buckets: readonly BucketRestore[], stack: RestoreStack): Problem[] {
  const owners = new Map<string, string>();
  const problems: Problem[] = [];
  for (const b of buckets) {
    const target = b.logging?.targetBucket;
    if (target === undefined) continue;
    const other = owners.get(target) ?? buckets.find((x) => x.bucket === target)?.name;
    if (other !== undefined)
      problems.push({
        path: stack.buckets[b.name]?.logging?.targetBucket !== undefined ? ["buckets", b.name, "logging", "targetBucket"] : ["suffix"],
        message: `"${target}" is also ${owners.has(target) ? `the log bucket of bucket "${other}"` : `the rebuilt bucket "${other}"`}; each rebuilt bucket gets a log bucket of its own, like "${b.bucket}-logs"`,
      });
    else owners.set(target, b.name);
  }
  return problems;
}
