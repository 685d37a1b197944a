import {
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ReplicationConfiguration,
  type S3Client,
  type _Object,
} from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import type { BucketRestore } from "../stacks";
import { SETTING_NAMES, settingDifferences } from "../stacks/bucket-documents";
import { readBucketSettings } from "../workers/bucket-settings-reader";
import { couldNotCheck, isNotFound } from "./aws";
import type { CheckContext } from "./context";
import { failed, unknown } from "./results";
import type { Finding, ItemResult } from "./types";
import { minutesBetween } from "./verdict";

type Versioning = "Enabled" | "Suspended" | "off" | "missing";

async function versioning(s3: S3Client, bucket: string, ctx: CheckContext): Promise<Versioning> {
  try {
    const { Status } = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }), ctx.aws.call());
    return Status === "Enabled" || Status === "Suspended" ? Status : "off";
  } catch (error) {
    if (isNotFound(error, "NoSuchBucket")) return "missing";
    throw error;
  }
}

async function replication(s3: S3Client, bucket: string, ctx: CheckContext): Promise<ReplicationConfiguration | undefined> {
  try {
    return (await s3.send(new GetBucketReplicationCommand({ Bucket: bucket }), ctx.aws.call())).ReplicationConfiguration;
  } catch (error) {
    if (isNotFound(error, "ReplicationConfigurationNotFoundError")) return undefined;
    throw error;
  }
}

/**
 * The replica a rebuild (or a promote) reads: it exists and is versioned, the source still
 * replicates into it, and the most recent source objects are already there (the lag).
 */
export async function checkBucket(b: BucketRestore, ctx: CheckContext): Promise<ItemResult> {
  const { bucket: source, replica } = b.source;
  const from = `replica s3://${replica.bucket} (${replica.region})`;
  const sourceS3 = ctx.aws.s3(ctx.config.region);
  const replicaS3 = ctx.aws.s3(replica.region);
  let replicaVersioning: Versioning;
  let sourceVersioning: Versioning;
  try {
    replicaVersioning = await versioning(replicaS3, replica.bucket, ctx);
    sourceVersioning = await versioning(sourceS3, source, ctx);
  } catch (error) {
    return unknown(from, couldNotCheck("GetBucketVersioning", error, ctx.aws.timeoutMs));
  }
  if (replicaVersioning === "missing")
    return failed(from, `replica bucket ${replica.bucket} does not exist in ${replica.region}, so there is nothing to rebuild ${source} from; recreate it and the replication rule, then copy the source into it while it still exists`);
  const findings: Finding[] = [];
  if (replicaVersioning !== "Enabled")
    findings.push({ level: "fail", message: `replica ${replica.bucket} is not versioned (${replicaVersioning}), so a delete or overwrite replicated from the source destroys the only copy; aws s3api put-bucket-versioning --bucket ${replica.bucket} --versioning-configuration Status=Enabled` });
  if (sourceVersioning === "missing") {
    findings.push({ level: "warn", message: `source bucket ${source} is gone; the rebuild reads the replica only: find out why it was deleted` });
    return { restoredFrom: from, restorePoint: null, achievableRpoMinutes: null, findings, notes: [], rpoNotJudged: true };
  }
  if (sourceVersioning !== "Enabled")
    findings.push({ level: "fail", message: `source ${source} is not versioned (${sourceVersioning}), and S3 replicates only versioned buckets; aws s3api put-bucket-versioning --bucket ${source} --versioning-configuration Status=Enabled` });
  let rules: ReplicationConfiguration | undefined;
  try {
    rules = await replication(sourceS3, source, ctx);
  } catch (error) {
    findings.push({ level: "unknown", message: `could not check the replication of ${source} (${couldNotCheck("GetBucketReplication", error, ctx.aws.timeoutMs)})` });
  }
  const arn = `arn:aws:s3:::${replica.bucket}`;
  const toReplica = rules?.Rules?.filter((r) => r.Status === "Enabled" && r.Destination?.Bucket === arn) ?? [];
  if (rules !== undefined || !findings.some((f) => f.level === "unknown")) {
    if (toReplica.length === 0)
      findings.push({ level: "fail", message: `${source} has no enabled replication rule into ${replica.bucket}, so new objects are not copied; add one (aws s3api put-bucket-replication) with destination ${arn}` });
  }
  findings.push(...(await settingsDrift(b, sourceS3, ctx)));
  let lag: number | null = null;
  const notes: string[] = [];
  try {
    lag = await sampleLag(sourceS3, replicaS3, source, replica.bucket, ctx, notes);
  } catch (error) {
    findings.push({ level: "unknown", message: `could not compare recent objects (${couldNotCheck("ListObjectsV2/HeadObject", error, ctx.aws.timeoutMs)})` });
  }
  return {
    restoredFrom: from,
    restorePoint: lag === null ? null : new Date(ctx.now.getTime() - lag * 60_000).toISOString(),
    achievableRpoMinutes: lag,
    findings,
    notes,
    rpoFix: `replication into ${replica.bucket} lags; check the rule's metrics and failed replications (ReplicationStatus FAILED)`,
  };
}

/**
 * The most recent source objects, looked up in the replica. The lag is the age of the oldest one
 * still missing (data written since then would be lost); 0 when all of them are there.
 */
async function sampleLag(source: S3Client, replica: S3Client, sourceBucket: string, replicaBucket: string, ctx: CheckContext, notes: string[]): Promise<number> {
  if (ctx.sampleSize === 0) return 0;
  // One page is a sample, not an inventory: a bucket of millions is not listed every night.
  const page = await source.send(new ListObjectsV2Command({ Bucket: sourceBucket, MaxKeys: 1000 }), ctx.aws.call());
  const recent = (page.Contents ?? [])
    .filter((o): o is _Object & { Key: string; LastModified: Date } => o.Key !== undefined && o.LastModified !== undefined)
    .sort((a, b) => b.LastModified.getTime() - a.LastModified.getTime())
    .slice(0, ctx.sampleSize);
  const limit = pLimit(8);
  const missing = (
    await Promise.all(
      recent.map((o) =>
        limit(async () => {
          try {
            await replica.send(new HeadObjectCommand({ Bucket: replicaBucket, Key: o.Key }), ctx.aws.call());
            return undefined;
          } catch (error) {
            if (isNotFound(error, "NotFound", "NoSuchKey")) return o;
            throw error;
          }
        }),
      ),
    )
  ).filter((o) => o !== undefined);
  if (missing.length === 0) return 0;
  const oldest = missing.reduce((a, b) => (a.LastModified < b.LastModified ? a : b));
  // Judged by the RPO (the verdict): a lag within the objective is normal replication.
  notes.push(`${missing.length} of the ${recent.length} newest objects of ${sourceBucket} are not in ${replicaBucket} yet (oldest ${oldest.Key}, ${oldest.LastModified.toISOString()})`);
  return minutesBetween(oldest.LastModified, ctx.now);
}

/**
 * Production's policy, CORS, lifecycle, logging and ownership against what the inventory recorded:
 * a rebuild carries the inventory's, so a change production made since (a new CORS origin, a
 * lifecycle rule) would be lost in a disaster until the inventory learns it.
 */
async function settingsDrift(b: BucketRestore, s3: S3Client, ctx: CheckContext): Promise<Finding[]> {
  const { source } = b;
  let live;
  try {
    live = await readBucketSettings(s3, source.bucket, () => ctx.aws.call());
  } catch (error) {
    return [{ level: "unknown", message: `could not compare the configuration of ${source.bucket} with the inventory's (${couldNotCheck("GetBucketPolicy/Cors/Lifecycle/Logging/OwnershipControls", error, ctx.aws.timeoutMs)})` }];
  }
  return settingDifferences(source, live).map((d) => ({
    level: "warn" as const,
    message: `production's ${SETTING_NAMES[d.setting]} of ${source.bucket} differs from what the inventory records (${d.where.join("; ")}), so a rebuild would not carry it; update recovery:buckets "${source.name}".${d.setting} (npm run readiness -- --suggest prints production's)`,
  }));
}
