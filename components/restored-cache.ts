import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  isDnsName,
  modeProblems,
  recoveryTags,
  throwIfProblems,
  type RecoveryMode,
} from "./shared";

/** The newest snapshot of a replication group, or undefined when it has none. */
export type CacheSnapshotLookup = (replicationGroupId: string) => Promise<{ name: string; createTime: string } | undefined>;

/**
 * The AWS provider has no ElastiCache snapshot lookup, so "latest" is found with the AWS CLI
 * the runbooks already use (`aws elasticache describe-snapshots`), at preview and at up alike.
 */
const regionArgs = (): string[] => {
  const region = new pulumi.Config("aws").get("region");
  return region ? ["--region", region] : [];
};

export const describeSnapshotsWithCli: CacheSnapshotLookup = async (replicationGroupId) => {
  const { stdout } = await promisify(execFile)(
    "aws",
    // The stack's region, not whatever the operator's CLI profile defaults to.
    ["elasticache", "describe-snapshots", "--replication-group-id", replicationGroupId, "--output", "json", ...regionArgs()],
    { timeout: 60_000 },
  );
  const parsed = JSON.parse(stdout) as {
    Snapshots?: { SnapshotName?: string; NodeSnapshots?: { SnapshotCreateTime?: string }[] }[];
  };
  const found = (parsed.Snapshots ?? [])
    .map((s) => ({ name: s.SnapshotName ?? "", createTime: s.NodeSnapshots?.[0]?.SnapshotCreateTime ?? "" }))
    .filter((s) => s.name !== "")
    .sort((a, b) => Date.parse(b.createTime) - Date.parse(a.createTime));
  return found[0];
};

let snapshotLookup: CacheSnapshotLookup = describeSnapshotsWithCli;
/** Replaces the default "latest" lookup (tests; an operator's own tooling). Returns the previous one. */
export function setCacheSnapshotLookup(lookup: CacheSnapshotLookup): CacheSnapshotLookup {
  const previous = snapshotLookup;
  snapshotLookup = lookup;
  return previous;
}

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
  /** The KMS key for encryption at rest. Defaults to the account's ElastiCache key. */
  readonly kmsKeyId?: string;
  /** Defaults to `5`. */
  readonly snapshotRetentionDays?: number;
  /** The lookup for `latest`. Defaults to the one set with setCacheSnapshotLookup (the AWS CLI). */
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
  public readonly replicationGroupId: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  public readonly snapshotName: pulumi.Output<string>;
  /** `rediss://host:6379`, a Pulumi secret. */
  public readonly redisUrl: pulumi.Output<string>;

  constructor(name: string, args: RestoredCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("recovery:cache:RestoredCache", name, {}, opts);
    throwIfProblems("RestoredCache", validateRestoredCacheArgs(args), this);

    const wanted = args.snapshot ?? "latest";
    const lookup = args.lookup ?? snapshotLookup;
    const noSnapshot = (cause: string) =>
      new pulumi.ResourceError(
        `RestoredCache: no snapshot of replication group "${args.sourceReplicationGroupId}" was found${cause ? ` (${cause})` : ""}; name one under recovery:caches.<name>.snapshot`,
        this,
      );
    const snapshot =
      wanted === "latest"
        ? pulumi.output(
            lookup(args.sourceReplicationGroupId)
              .catch((error: unknown) => {
                throw noSnapshot((error instanceof Error ? error.message : String(error)).split("\n")[0].trim());
              })
              .then((found) => {
                if (found === undefined) throw noSnapshot("");
                return found;
              }),
          )
        : pulumi.output({ name: wanted, createTime: "named" });
    this.snapshotName = snapshot.name;

    const clusters = args.numCacheClusters ?? 2;
    const group = new aws.elasticache.ReplicationGroup(
      `${name}-redis`,
      {
        replicationGroupId: args.replicationGroupId,
        description: pulumi.interpolate`Restored from ${args.sourceReplicationGroupId} snapshot ${snapshot.name} (${args.stack})`,
        engine: "redis",
        nodeType: args.nodeType,
        numCacheClusters: clusters,
        automaticFailoverEnabled: clusters > 1,
        multiAzEnabled: clusters > 1,
        port: 6379,
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
      // A newer "latest" snapshot on the next `pulumi up` must not replace the restored cache.
      { parent: this, ignoreChanges: ["snapshotName"] },
    );

    this.replicationGroupId = group.replicationGroupId;
    this.endpoint = group.primaryEndpointAddress;
    this.redisUrl = pulumi.secret(pulumi.interpolate`rediss://${group.primaryEndpointAddress}:6379`);
    this.registerOutputs({
      replicationGroupId: this.replicationGroupId,
      endpoint: this.endpoint,
      snapshotName: this.snapshotName,
      redisUrl: this.redisUrl,
    });
  }
}
