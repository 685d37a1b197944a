import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
  ReplicationGroupNotFoundFault,
  paginateDescribeSnapshots,
  type Snapshot,
} from "@aws-sdk/client-elasticache";

/**
 * The "latest" ElastiCache snapshot, found with the AWS SDK (the Pulumi AWS provider has no
 * ElastiCache snapshot lookup). The SDK reads credentials, and `AWS_ENDPOINT_URL` when it is set,
 * by itself, so the drill's image needs no `aws` CLI and the tests point it at moto_server.
 *
 * It runs in the program, so on every preview and up; it is built for the second run: once the
 * restored group exists, the snapshot it was restored from is read back from its tags and the
 * source is not asked again (it may be gone by then, or have a newer snapshot). Not a component itself.
 */

/** A snapshot to restore and when its node was snapshotted (ISO time; `unknown` when AWS gives none). */
export interface CacheSnapshotChoice {
  readonly name: string;
  readonly createTime: string;
}

/** Tag keys the restored group carries (components/tags.ts recoveryTags). */
export const RESTORED_FROM_TAG = "recovery:restored-from";
export const RESTORE_POINT_TAG = "recovery:restore-point";
const SNAPSHOT_PREFIX = "snapshot:";

export interface CacheLookupOptions {
  /** The stack's region (`aws:region`). Defaults to the SDK's own chain (AWS_REGION, the profile). */
  readonly region?: string;
  /** A client to use instead of one made for `region` (tests). */
  readonly client?: ElastiCacheClient;
}

/** A lookup that found nothing to restore: the message names the group and the fix. */
export class CacheSnapshotNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CacheSnapshotNotFound";
  }
}

/** Every network call bounded: a preview must not hang on an unreachable endpoint. */
const clientFor = (options: CacheLookupOptions): ElastiCacheClient =>
  options.client ??
  new ElastiCacheClient({ region: options.region, requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 } });

const regionText = async (client: ElastiCacheClient): Promise<string> => {
  const region = await client.config.region();
  return region ? ` in ${region}` : "";
};

/** Newest first by the node snapshot's create time; a snapshot without one sorts last. */
function createTimeOf(snapshot: Snapshot): number {
  const times = (snapshot.NodeSnapshots ?? []).map((n) => n.SnapshotCreateTime?.getTime() ?? Number.NEGATIVE_INFINITY);
  return Math.max(Number.NEGATIVE_INFINITY, ...times);
}

/**
 * The newest `available` snapshot of a replication group, by node snapshot create time. A
 * snapshot still `creating` (or `restoring`, `deleting`…) cannot be restored from, so it is
 * skipped. Throws CacheSnapshotNotFound when there is none.
 */
export async function newestAvailableSnapshot(replicationGroupId: string, options: CacheLookupOptions = {}): Promise<CacheSnapshotChoice> {
  const client = clientFor(options);
  const all: Snapshot[] = [];
  try {
    for await (const page of paginateDescribeSnapshots({ client }, { ReplicationGroupId: replicationGroupId }))
      all.push(...(page.Snapshots ?? []));
  } catch (error) {
    if (error instanceof ReplicationGroupNotFoundFault)
      throw new CacheSnapshotNotFound(
        `replication group "${replicationGroupId}" does not exist${await regionText(client)}, so none of its snapshots can be listed; name a snapshot that survived it (a manual or final one) under recovery:caches.<name>.snapshot`,
      );
    throw error;
  }
  const available = all.filter((s) => s.SnapshotStatus === "available" && s.SnapshotName !== undefined);
  if (available.length === 0) {
    const waiting = all.length - available.length;
    throw new CacheSnapshotNotFound(
      `replication group "${replicationGroupId}" has no available snapshot${await regionText(client)}${waiting > 0 ? ` (${waiting} not available yet: ${all.map((s) => `${s.SnapshotName} ${s.SnapshotStatus}`).join(", ")})` : ""}; wait until one is available, or name one under recovery:caches.<name>.snapshot (aws elasticache describe-snapshots --replication-group-id ${replicationGroupId})`,
    );
  }
  const newest = available.reduce((best, s) => (createTimeOf(s) > createTimeOf(best) ? s : best));
  const time = createTimeOf(newest);
  return { name: newest.SnapshotName as string, createTime: Number.isFinite(time) ? new Date(time).toISOString() : "unknown" };
}

/**
 * The snapshot an existing restored group was created from (its `recovery:restored-from` tag),
 * or undefined when the group does not exist yet, is being deleted (a drill's previous teardown),
 * or carries no such tag.
 */
export async function restoredFromSnapshot(restoredGroupId: string, options: CacheLookupOptions = {}): Promise<CacheSnapshotChoice | undefined> {
  const client = clientFor(options);
  let arn: string | undefined;
  try {
    const found = await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: restoredGroupId }));
    const group = found.ReplicationGroups?.[0];
    if (group === undefined || group.Status === "deleting") return undefined;
    arn = group.ARN;
  } catch (error) {
    if (error instanceof ReplicationGroupNotFoundFault) return undefined;
    throw error;
  }
  if (arn === undefined) return undefined;
  const tags = (await client.send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList ?? [];
  const from = tags.find((t) => t.Key === RESTORED_FROM_TAG)?.Value;
  if (from === undefined || !from.startsWith(SNAPSHOT_PREFIX)) return undefined;
  return { name: from.slice(SNAPSHOT_PREFIX.length), createTime: tags.find((t) => t.Key === RESTORE_POINT_TAG)?.Value ?? "unknown" };
}

/**
 * "latest", resolved once: the snapshot the restored group already came from when it exists,
 * otherwise the source's newest available snapshot.
 */
export async function resolveCacheSnapshot(
  sourceGroupId: string,
  restoredGroupId: string,
  options: CacheLookupOptions = {},
): Promise<CacheSnapshotChoice> {
  const client = clientFor(options);
  return (await restoredFromSnapshot(restoredGroupId, { client })) ?? (await newestAvailableSnapshot(sourceGroupId, { client }));
}
