import { paginateDescribeReplicationGroups, paginateDescribeSnapshots, type ReplicationGroup, type Snapshot } from "@aws-sdk/client-elasticache";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import type { CacheRestore, ClusterCacheRestore, ElastiCacheRestore } from "../stacks";
import { RefusedError } from "../workers/errors";
import { locateRdb } from "../workers/redis-locate";
import { formatS3 } from "../workers/s3-location";
import { couldNotCheck, isNotFound } from "./aws";
import type { CheckContext } from "./context";
import { failed, unknown } from "./results";
import type { Finding, ItemResult } from "./types";
import { minutesBetween } from "./verdict";

/** When a snapshot was taken: ElastiCache dates each node's snapshot, not the snapshot itself. */
function takenAt(s: Snapshot): Date | undefined {
  const times = (s.NodeSnapshots ?? []).map((n) => n.SnapshotCreateTime).filter((t): t is Date => t instanceof Date);
  return times.length > 0 ? new Date(Math.min(...times.map((t) => t.getTime()))) : undefined;
}

/** What the restore would use exists: an ElastiCache snapshot, or a cluster cache's newest RDB. */
export function checkCache(cache: CacheRestore, ctx: CheckContext): Promise<ItemResult> {
  return cache.kind === "cluster" ? checkClusterCache(cache, ctx) : checkElastiCache(cache, ctx);
}

/**
 * A cluster cache restores the newest RDB under its prefix by manifest (components/cluster-redis.ts):
 * that manifest exists, its RDB is there at the manifest's size, and its save time is the restore point.
 */
async function checkClusterCache(cache: ClusterCacheRestore, ctx: CheckContext): Promise<ItemResult> {
  const where = { bucket: cache.rdb.bucket, key: cache.rdb.prefix };
  const from = `newest RDB under ${formatS3(where)}`;
  const s3 = ctx.aws.s3(ctx.config.region);
  let found: Awaited<ReturnType<typeof locateRdb>>;
  try {
    found = await locateRdb(s3, where, true);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^--from: /, "") : String(error);
    if (error instanceof RefusedError)
      return failed(from, `${message}; the restored cache would have nothing to load (run npm run backup:redis -- --to ${formatS3(where)})`);
    return unknown(from, couldNotCheck("ListObjectsV2", error, ctx.aws.timeoutMs));
  }
  const { manifest } = found;
  const rdb = formatS3({ bucket: manifest.rdb.bucket, key: manifest.rdb.key });
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: manifest.rdb.bucket, Key: manifest.rdb.key }));
    if (head.ContentLength !== manifest.rdb.sizeBytes)
      return failed(from, `${rdb} is ${head.ContentLength} bytes, its manifest says ${manifest.rdb.sizeBytes}; the restore would refuse it: take a new backup (npm run backup:redis)`);
  } catch (error) {
    if (isNotFound(error, "NotFound", "NoSuchKey")) return failed(from, `${rdb} is missing though its manifest is there; take a new backup (npm run backup:redis)`);
    return unknown(from, couldNotCheck("HeadObject", error, ctx.aws.timeoutMs));
  }
  const at = new Date(manifest.source.savedAt);
  return {
    restoredFrom: `RDB ${rdb}`,
    restorePoint: at.toISOString(),
    achievableRpoMinutes: minutesBetween(at, ctx.now),
    findings: [],
    notes: [],
    rpoFix: `RDB backups under ${formatS3(where)} are too far apart; run npm run backup:redis more often`,
  };
}

/** The snapshot the stack's restore would use (named, or the newest of the group) exists and is available. */
async function checkElastiCache(cache: ElastiCacheRestore, ctx: CheckContext): Promise<ItemResult> {
  const group = cache.source.replicationGroupId;
  const named = cache.snapshot !== "latest";
  const from = named ? `snapshot ${cache.snapshot}` : `newest snapshot of ${group}`;
  const client = ctx.aws.elastiCache(ctx.config.region);
  const snapshots: Snapshot[] = [];
  try {
    const input = named ? { SnapshotName: cache.snapshot, ShowNodeGroupConfig: true } : { ReplicationGroupId: group, ShowNodeGroupConfig: true };
    for await (const page of paginateDescribeSnapshots({ client }, input)) snapshots.push(...(page.Snapshots ?? []));
  } catch (error) {
    if (!isNotFound(error, "SnapshotNotFoundFault", "ReplicationGroupNotFoundFault")) return unknown(from, couldNotCheck("DescribeSnapshots", error, ctx.aws.timeoutMs));
  }
  let source: ReplicationGroup | undefined;
  const findings: Finding[] = [];
  try {
    for await (const page of paginateDescribeReplicationGroups({ client }, { ReplicationGroupId: group })) source ??= page.ReplicationGroups?.[0];
  } catch (error) {
    if (!isNotFound(error, "ReplicationGroupNotFoundFault"))
      findings.push({ level: "warn", message: `could not read ${group} itself (${couldNotCheck("DescribeReplicationGroups", error, ctx.aws.timeoutMs)})` });
  }
  const key = `recovery:caches.${cache.name}.snapshot`;
  if (snapshots.length === 0)
    return failed(
      from,
      named
        ? `snapshot ${cache.snapshot} does not exist; set ${key} to an existing snapshot of ${group}, or to latest`
        : `${group} has no snapshot, so the restored cache would start empty; turn on automatic snapshots (aws elasticache modify-replication-group --replication-group-id ${group} --snapshot-retention-limit ${cache.source.snapshotRetentionDays}) or take one (aws elasticache create-snapshot)`,
    );
  // A group being deleted (status `deleting`) is as good as gone for tomorrow's restore.
  if ((source === undefined && findings.length === 0) || source?.Status === "deleting")
    findings.push({ level: "warn", message: `replication group ${group} is ${source ? "being deleted" : "gone"}; the restore still has its snapshots until they expire: find out why it was deleted` });
  else if (source !== undefined && (source.SnapshotRetentionLimit ?? 0) < cache.source.snapshotRetentionDays)
    findings.push({
      level: (source.SnapshotRetentionLimit ?? 0) === 0 ? "fail" : "warn",
      message: `${group} keeps snapshots for ${source.SnapshotRetentionLimit ?? 0} days, the inventory says ${cache.source.snapshotRetentionDays}; set it back (aws elasticache modify-replication-group --replication-group-id ${group} --snapshot-retention-limit ${cache.source.snapshotRetentionDays}) or lower snapshotRetentionDays`,
    });
  const available = snapshots.filter((s) => s.SnapshotStatus === "available");
  if (available.length === 0)
    return failed(from, `no snapshot of ${group} is available (${snapshots.map((s) => `${s.SnapshotName}: ${s.SnapshotStatus}`).join(", ")}); wait for it, or name another in ${key}`);
  // The component's own choice for latest: the newest by its node snapshots' time.
  const newest = available.sort((a, b) => (takenAt(b)?.getTime() ?? 0) - (takenAt(a)?.getTime() ?? 0))[0];
  const at = takenAt(newest);
  if (at === undefined)
    findings.push({ level: "warn", message: `snapshot ${newest.SnapshotName} reports no creation time, so its age is unknown; check aws elasticache describe-snapshots --snapshot-name ${newest.SnapshotName}` });
  return {
    restoredFrom: `snapshot ${newest.SnapshotName}`,
    restorePoint: at?.toISOString() ?? null,
    achievableRpoMinutes: at ? minutesBetween(at, ctx.now) : null,
    findings,
    notes: [],
    rpoFix: named ? `the named snapshot is old; set ${key} to latest or a newer one` : `snapshots of ${group} are too far apart; check its snapshot window`,
  };
}
