import {
  DescribeCacheClustersCommand,
  paginateDescribeReplicationGroups,
  paginateDescribeSnapshots,
  type ElastiCacheClient,
  type ReplicationGroup,
  type Snapshot,
} from "@aws-sdk/client-elasticache";
import type { CacheRestore, ElastiCacheRestore } from "../stacks";
import { couldNotCheck, isNotFound, type AwsClients } from "./aws";
import { checkClusterCache } from "./cluster-caches";
import type { CheckContext } from "./context";
import { failed, unknown } from "./results";
import type { Finding, ItemResult } from "./types";
import { minutesBetween } from "./verdict";

/** When a snapshot was taken: ElastiCache dates each node's snapshot, not the snapshot itself. */
function takenAt(s: Snapshot): Date | undefined {
  const times = (s.NodeSnapshots ?? []).map((n) => n.SnapshotCreateTime).filter((t): t is Date => t instanceof Date);
  return times.length > 0 ? new Date(Math.min(...times.map((t) => t.getTime()))) : undefined;
}

/** The snapshot a `latest` restore takes: the newest available one by its node snapshots' time. */
export function newestSnapshot(snapshots: readonly Snapshot[]): Snapshot | undefined {
  return snapshots.filter((s) => s.SnapshotStatus === "available").sort((a, b) => (takenAt(b)?.getTime() ?? 0) - (takenAt(a)?.getTime() ?? 0))[0];
}

/** What the restore would use exists: an ElastiCache snapshot, or a cluster cache's newest RDB. */
export function checkCache(cache: CacheRestore, ctx: CheckContext): Promise<ItemResult> {
  return cache.kind === "cluster" ? checkClusterCache(cache, ctx) : checkElastiCache(cache, ctx);
}

/**
 * The parameter group a replication group uses now, and who said so. A group does not say it; its
 * first node does (DescribeCacheClusters). Where the node does not answer (moto has no member
 * clusters), a snapshot records the group's at its time (DescribeSnapshots' CacheParameterGroupName).
 */
export async function parameterGroupOf(
  client: ElastiCacheClient,
  group: ReplicationGroup | undefined,
  snapshot: Snapshot | undefined,
  aws: Pick<AwsClients, "call">,
): Promise<{ name: string; from: string } | undefined> {
  const member = group?.MemberClusters?.[0];
  if (member !== undefined) {
    const answer = await client.send(new DescribeCacheClustersCommand({ CacheClusterId: member }), aws.call()).catch(() => undefined);
    const name = answer?.CacheClusters?.[0]?.CacheParameterGroup?.CacheParameterGroupName;
    if (name) return { name, from: `node ${member}` };
  }
  const recorded = snapshot?.CacheParameterGroupName;
  return recorded ? { name: recorded, from: `snapshot ${snapshot?.SnapshotName}` } : undefined;
}

/** What the inventory's parameterGroup says against what production uses (issue 19): drift is a warning. */
function parameterGroupDrift(cache: ElastiCacheRestore, live: { name: string; from: string } | undefined): Finding[] {
  const recorded = cache.source.parameterGroup;
  const group = cache.source.replicationGroupId;
  if (live === undefined)
    return recorded === undefined ? [] : [{ level: "warn", message: `could not check that ${group} still uses parameter group ${recorded}: neither its node nor a snapshot names one` }];
  if (recorded === live.name) return [];
  // AWS's own default group is what a restore gets without one: nothing is lost.
  if (recorded === undefined && live.name.startsWith("default.")) return [];
  return [
    {
      level: "warn",
      message:
        recorded === undefined
          ? `${group} uses parameter group ${live.name} (${live.from}), which the inventory does not record, so the restore would get the engine's default; add parameterGroup: ${live.name} to this cache in the inventory`
          : `${group} uses parameter group ${live.name} (${live.from}), the inventory says ${recorded}; set parameterGroup: ${live.name} on this cache in the inventory, or set production back`,
    },
  ];
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
  const newest = newestSnapshot(available)!;
  const at = takenAt(newest);
  if (at === undefined)
    findings.push({ level: "warn", message: `snapshot ${newest.SnapshotName} reports no creation time, so its age is unknown; check aws elasticache describe-snapshots --snapshot-name ${newest.SnapshotName}` });
  findings.push(...parameterGroupDrift(cache, await parameterGroupOf(client, source, newest, ctx.aws)));
  return {
    restoredFrom: `snapshot ${newest.SnapshotName}`,
    restorePoint: at?.toISOString() ?? null,
    achievableRpoMinutes: at ? minutesBetween(at, ctx.now) : null,
    findings,
    notes: [],
    rpoFix: named ? `the named snapshot is old; set ${key} to latest or a newer one` : `snapshots of ${group} are too far apart; check its snapshot window`,
  };
}
