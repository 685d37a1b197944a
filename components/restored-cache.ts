import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  CacheSnapshotNotFound,
  RESTORED_FROM_TAG,
  RESTORE_POINT_TAG,
  resolveCacheSnapshot,
  type CacheSnapshotChoice,
} from "./cache-snapshot-lookup";
import { isDnsName, throwIfProblems } from "./arg-checks";
import { modeProblems, type RecoveryMode } from "./mode";
import { recoveryTags } from "./tags";
import { COMPONENT_TYPES } from "./names";
import { errorMessage } from "../scripts/lib/errors";

/**
 * Finds the snapshot "latest" means for a source group; undefined when it has none. Runs on
 * every preview and up, so it is given the restored group's id to answer what that group was
 * restored from once it exists (resolved once).
 */
export type CacheSnapshotLookup = (
  sourceReplicationGroupId: string,
  context: { readonly restoredReplicationGroupId: string },
) => Promise<CacheSnapshotChoice | undefined>;

/** The AWS SDK lookup (components/cache-snapshot-lookup.ts), in the stack's region. */
export const describeSnapshotsWithSdk: CacheSnapshotLookup = (source, { restoredReplicationGroupId }) =>
  resolveCacheSnapshot(source, restoredReplicationGroupId, { region: new pulumi.Config("aws").get("region") });

let snapshotLookup: CacheSnapshotLookup = describeSnapshotsWithSdk;
/** Replaces the default "latest" lookup (tests; an operator's own tooling). Returns the previous one. */
export function setCacheSnapshotLookup(lookup: CacheSnapshotLookup): CacheSnapshotLookup {
  const previous = snapshotLookup;
  snapshotLookup = lookup;
  return previous;
}

/**
 * What a later `pulumi up` must not act on: the snapshot is replace-only (ForceNew) in the
 * provider, and the tags naming it are recomputed by each lookup. The engine keeps the previous
 * inputs for these paths, so a newer snapshot, or a source group gone since, changes nothing.
 */
export const PINNED_CACHE_PATHS: readonly string[] = [
  "snapshotName",
  `tags["${RESTORED_FROM_TAG}"]`,
  `tags["${RESTORE_POINT_TAG}"]`,
];

export interface RestoredCacheArgs {
  readonly stack: string;
  /** `recovery` keeps a final snapshot on delete; `drill` does not. */
  readonly mode: RecoveryMode;
  /** The source replication group (read, never reused). */
  readonly sourceReplicationGroupId: string;
  /** The NEW replication group id (at most 40 characters). */
  readonly replicationGroupId: string;
  /** A snapshot name, or `latest` for the newest snapshot of the source. Defaults to `latest`. */
  readonly snapshot?: string;
  readonly nodeType: string;
  /** Defaults to `2` (a primary and a replica, with automatic failover). */
  readonly numCacheClusters?: number;
  readonly subnetGroup: string;
  readonly securityGroupIds: readonly string[];
  /**
   * Production's cache parameter group (the inventory's `parameterGroup`). A group created from a
   * snapshot otherwise gets the engine's default group. Defaults to the engine's default.
   */
  readonly parameterGroupName?: string;
  /** The KMS key for encryption at rest. Defaults to the account's ElastiCache key. */
  readonly kmsKeyId?: string;
  /** Defaults to `5`. */
  readonly snapshotRetentionDays?: number;
  /** The lookup for `latest`. Defaults to the one set with setCacheSnapshotLookup (the AWS SDK's). */
  readonly lookup?: CacheSnapshotLookup;
}

/** Pure checks of RestoredCacheArgs; an empty list means valid. */
export function validateRestoredCacheArgs(args: RestoredCacheArgs): string[] {
  const problems = [...modeProblems(args.mode)];
  if (args.replicationGroupId === args.sourceReplicationGroupId)
    problems.push(`replicationGroupId "${args.replicationGroupId}" is the source's own; restore under a new id, like "${args.sourceReplicationGroupId}-recovery"`);
  if (!isDnsName(args.replicationGroupId, 40))
    problems.push(`replicationGroupId "${args.replicationGroupId}" is not a valid ElastiCache id (lowercase letters, digits, single hyphens, at most 40 characters)`);
  if (!args.nodeType.startsWith("cache.")) problems.push(`nodeType "${args.nodeType}" is not an ElastiCache node type; use one like "cache.r6g.large"`);
  if (args.numCacheClusters !== undefined && (!Number.isInteger(args.numCacheClusters) || args.numCacheClusters < 1 || args.numCacheClusters > 6))
    problems.push(`numCacheClusters must be a whole number from 1 to 6 (got ${args.numCacheClusters})`);
  if (args.securityGroupIds.length === 0) problems.push("securityGroupIds is empty; a private cache needs at least one security group");
  if (args.snapshot !== undefined && args.snapshot.trim() === "") problems.push(`snapshot must be a snapshot name or "latest"`);
  return problems;
}

/**
 * A `cache` step (runbook 2A, with ElastiCache's own snapshots instead of copying an RDB file
 * into a pod): a Redis replication group from the newest or a named snapshot, under a new id,
 * encrypted at rest and in transit.
 */
export class RestoredCache extends pulumi.ComponentResource {
  /** Tells the cache kinds apart where both are handled (stack outputs). */
  public readonly kind = "elasticache" as const;
  public readonly replicationGroupId: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** The group's port (6379). */
  public readonly port: pulumi.Output<number>;
  /** Always `true`: the group is encrypted in transit, so clients (verify's PING) must use TLS. */
  public readonly tls: pulumi.Output<boolean>;
  public readonly snapshotName: pulumi.Output<string>;
  /** `rediss://host:6379`, a Pulumi secret. */
  public readonly redisUrl: pulumi.Output<string>;

  constructor(name: string, args: RestoredCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.RestoredCache, name, {}, opts);
    throwIfProblems("RestoredCache", validateRestoredCacheArgs(args), this);

    const wanted = args.snapshot ?? "latest";
    const lookup = args.lookup ?? snapshotLookup;
    const fail = (message: string) => new pulumi.ResourceError(`RestoredCache: ${message}`, this);
    const snapshot =
      wanted === "latest"
        ? pulumi.output(
            lookup(args.sourceReplicationGroupId, { restoredReplicationGroupId: args.replicationGroupId }).then(
              (found) => {
                if (found === undefined)
                  throw fail(`no snapshot of replication group "${args.sourceReplicationGroupId}" was found; name one under recovery:caches.<name>.snapshot`);
                return found;
              },
              (error: unknown) => {
                // The lookup's own message already names the group and the fix; anything else
                // (credentials, network) gets both here, on one line.
                if (error instanceof CacheSnapshotNotFound) throw fail(error.message);
                const cause = errorMessage(error).split("\n")[0].trim();
                throw fail(
                  `could not look up the newest snapshot of replication group "${args.sourceReplicationGroupId}" (${cause}); check the AWS credentials and aws:region, or name a snapshot under recovery:caches.<name>.snapshot`,
                );
              },
            ),
          )
        : pulumi.output({ name: wanted, createTime: "named" });
    const clusters = args.numCacheClusters ?? 2;
    const group = new aws.elasticache.ReplicationGroup(
      `${name}-redis`,
      {
        replicationGroupId: args.replicationGroupId,
        // Nothing from the lookup: the description is updated in place, and would be on every new snapshot.
        description: `Restored from ${args.sourceReplicationGroupId} (${args.stack}); the snapshot is in tag ${RESTORED_FROM_TAG}`,
        engine: "redis",
        nodeType: args.nodeType,
        numCacheClusters: clusters,
        automaticFailoverEnabled: clusters > 1,
        multiAzEnabled: clusters > 1,
        port: 6379,
        parameterGroupName: args.parameterGroupName,
        snapshotName: snapshot.name,
        subnetGroupName: args.subnetGroup,
        securityGroupIds: [...args.securityGroupIds],
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        kmsKeyId: args.kmsKeyId,
        snapshotRetentionLimit: args.snapshotRetentionDays ?? 5,
        finalSnapshotIdentifier: args.mode === "recovery" ? `${args.replicationGroupId}-final` : undefined,
        applyImmediately: true,
        tags: recoveryTags(args.stack, args.sourceReplicationGroupId, pulumi.interpolate`snapshot:${snapshot.name}`, snapshot.createTime),
      },
      { parent: this, ignoreChanges: [...PINNED_CACHE_PATHS] },
    );

    // From the group's state: after the first up, the snapshot it was restored from.
    this.snapshotName = pulumi.all([snapshot.name, group.snapshotName]).apply(([looked, kept]) => kept ?? looked);
    this.replicationGroupId = group.replicationGroupId;
    this.endpoint = group.primaryEndpointAddress;
    this.port = group.port.apply((port) => port ?? 6379);
    this.tls = pulumi.output(true);
    this.redisUrl = pulumi.secret(pulumi.interpolate`rediss://${group.primaryEndpointAddress}:6379`);
    this.registerOutputs({
      replicationGroupId: this.replicationGroupId,
      endpoint: this.endpoint,
      port: this.port,
      tls: this.tls,
      snapshotName: this.snapshotName,
      redisUrl: this.redisUrl,
    });
  }
}
