import { HeadObjectCommand } from "@aws-sdk/client-s3";
import type { ClusterCacheRestore } from "../stacks";
import { errorMessage, RefusedError } from "../workers/errors";
import { locateRdb } from "../workers/redis-locate";
import { maxRdbVersionFor, oldestRedisFor } from "../workers/redis-rdb-versions";
import { formatS3 } from "../workers/s3-location";
import { couldNotCheck, isNotFound } from "./aws";
import type { CheckContext } from "./context";
import { failed, unknown } from "./results";
import type { Finding, ItemResult } from "./types";
import { minutesBetween } from "./verdict";

/**
 * A cluster cache (seed 004's in-cluster Redis) restores the newest RDB under its prefix, by the
 * manifest's save time, into a StatefulSet (components/cluster-redis.ts). Ready means: that
 * manifest exists, its RDB is there at the manifest's size (the init container checks the
 * sha256 and refuses anything else), the restored Redis can load its RDB version, and its save
 * time is the restore point the RPO is judged by. Only List, Get (the manifests) and Head.
 */
export async function checkClusterCache(cache: ClusterCacheRestore, ctx: CheckContext): Promise<ItemResult> {
  const where = { bucket: cache.rdb.bucket, key: cache.rdb.prefix };
  const from = `newest RDB under ${formatS3(where)}`;
  const backup = `npm run backup:redis -- --to ${formatS3(where)}`;
  const s3 = ctx.aws.s3(ctx.config.region);
  let found: Awaited<ReturnType<typeof locateRdb>>;
  try {
    found = await locateRdb(s3, where, true);
  } catch (error) {
    const message = errorMessage(error).replace(/^--from: /, "");
    if (error instanceof RefusedError) return failed(from, `${message}; the restored cache would start empty: take one (${backup})`);
    return unknown(from, couldNotCheck("ListObjectsV2", error, ctx.aws.timeoutMs));
  }
  const { manifest } = found;
  const rdb = formatS3({ bucket: manifest.rdb.bucket, key: manifest.rdb.key });
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: manifest.rdb.bucket, Key: manifest.rdb.key }), ctx.aws.call());
    if (head.ContentLength !== manifest.rdb.sizeBytes)
      return failed(from, `${rdb} is ${head.ContentLength} bytes, its manifest says ${manifest.rdb.sizeBytes}, so the restore would refuse it; take a new backup (${backup})`);
  } catch (error) {
    if (isNotFound(error, "NotFound", "NoSuchKey")) return failed(from, `${rdb} is gone but its manifest is still there; take a new backup (${backup})`);
    return unknown(from, couldNotCheck("HeadObject", error, ctx.aws.timeoutMs));
  }
  const findings: Finding[] = [];
  const loads = maxRdbVersionFor(cache.redisVersion);
  if (loads !== undefined && manifest.rdb.rdbVersion > loads)
    findings.push({
      level: "fail",
      message: `${rdb} is RDB version ${manifest.rdb.rdbVersion} (from Redis ${manifest.source.redisVersion}), newer than the restored Redis ${cache.redisVersion} loads (${loads}), so the restore would refuse it; set redisImage and redisVersion to Redis ${oldestRedisFor(manifest.rdb.rdbVersion) ?? manifest.source.redisVersion} or later`,
    });
  const at = new Date(manifest.source.savedAt);
  return {
    restoredFrom: `RDB ${rdb}`,
    restorePoint: at.toISOString(),
    achievableRpoMinutes: minutesBetween(at, ctx.now),
    findings,
    notes: [],
    rpoFix: `the newest RDB under ${formatS3(where)} is too old: check the backup:redis schedule of ${cache.source.statefulSet}`,
  };
}
