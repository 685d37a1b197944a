import { DescribeCacheClustersCommand, DescribeSnapshotsCommand } from "@aws-sdk/client-elasticache";
import { GetBucketLocationCommand, GetBucketReplicationCommand } from "@aws-sdk/client-s3";
import { Document, isMap, isSeq, type YAMLMap } from "yaml";
import type { BucketRestore } from "../stacks";
import { settingDifferences } from "../stacks/bucket-documents";
import { readBucketSettings, type LiveBucketSettings } from "../workers/bucket-settings-reader";
import type { AwsClients } from "./aws";
import { newestSnapshot, parameterGroupOf } from "./caches";
import type { UncoveredResource } from "./coverage";
import { recordedFrom } from "./database-config";
import type { InventoryUpdate } from "./types";

/** An inventory name from an AWS one: `lomash-search-prod` → `search`-like, valid and at most 40 characters. */
export function inventoryName(id: string): string {
  const base = id
    .toLowerCase()
    .split("/")
    .pop()!
    .replace(/^lomash-(wood-)?/, "")
    .replace(/[-_](prod|production)$/, "")
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  return (base || "item").slice(0, 40).replace(/-+$/, "");
}

type Entry = Record<string, unknown>;

async function entryFor(u: UncoveredResource, aws: AwsClients): Promise<{ list: string; entry: Entry; comment?: string }> {
  switch (u.kind) {
    case "database": {
      const d = u.detail;
      const replicas = d.ReadReplicaDBInstanceIdentifiers ?? [];
      return {
        list: "recovery:databases",
        entry: {
          name: inventoryName(u.id),
          identifier: u.id,
          engine: d.Engine ?? null,
          engineVersion: d.EngineVersion ?? null,
          instanceClass: d.DBInstanceClass ?? null,
          dbName: d.DBName ?? null,
          username: d.MasterUsername ?? null,
          port: d.Endpoint?.Port ?? d.DbInstancePort ?? 5432,
          subnetGroup: d.DBSubnetGroup?.DBSubnetGroupName ?? null,
          securityGroupIds: (d.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId),
          multiAz: d.MultiAZ ?? false,
          ...(d.KmsKeyId ? { kmsKeyId: d.KmsKeyId } : {}),
          ...(d.DbiResourceId ? { dbiResourceId: d.DbiResourceId } : {}),
          backupRetentionDays: d.BackupRetentionPeriod ?? null,
          dumps: { bucket: null, prefix: null },
          // What a restore does not carry over by itself, as production runs it (issue 19).
          ...configurationEntry(d),
        },
        comment: [d.Engine !== "postgres" ? ` engine ${d.Engine}: the inventory restores postgres only` : "", replicas.length ? ` read replicas (rebuilt, not restored): ${replicas.join(", ")}` : ""].filter(Boolean).join("\n") || undefined,
      };
    }
    case "cache": {
      const g = u.detail;
      let subnetGroup: string | null = null;
      let securityGroupIds: string[] = [];
      const client = aws.elastiCache(u.region);
      // The newest snapshot names the parameter group where the group's node does not answer.
      const snapshots = await client
        .send(new DescribeSnapshotsCommand({ ReplicationGroupId: u.id }), aws.call())
        .then((r) => r.Snapshots ?? [], () => []);
      const parameterGroup = await parameterGroupOf(client, g, newestSnapshot(snapshots), aws);
      const member = g.MemberClusters?.[0];
      if (member !== undefined) {
        // The group does not say its subnet group or security groups; its first node does.
        const { CacheClusters = [] } = await aws
          .elastiCache(u.region)
          .send(new DescribeCacheClustersCommand({ CacheClusterId: member }), aws.call())
          .catch(() => ({ CacheClusters: [] }));
        subnetGroup = CacheClusters[0]?.CacheSubnetGroupName ?? null;
        securityGroupIds = (CacheClusters[0]?.SecurityGroups ?? []).map((s) => s.SecurityGroupId!).filter(Boolean);
      }
      return {
        list: "recovery:caches",
        entry: {
          name: inventoryName(u.id),
          replicationGroupId: u.id,
          nodeType: g.CacheNodeType ?? null,
          numCacheClusters: g.MemberClusters?.length ?? 1,
          subnetGroup,
          securityGroupIds: securityGroupIds.length > 0 ? securityGroupIds : null,
          snapshotRetentionDays: g.SnapshotRetentionLimit || null,
          ...(g.KmsKeyId ? { kmsKeyId: g.KmsKeyId } : {}),
          // AWS's default group is what a restore gets anyway; a custom one must be recorded (issue 19).
          ...(parameterGroup && !parameterGroup.name.startsWith("default.") ? { parameterGroup: parameterGroup.name } : {}),
        },
      };
    }
    case "bucket": {
      const s3 = aws.s3(u.region);
      let replica: Entry = { bucket: null, region: null };
      const rules = await s3.send(new GetBucketReplicationCommand({ Bucket: u.id }), aws.call()).catch(() => undefined);
      const dest = rules?.ReplicationConfiguration?.Rules?.find((r) => r.Status === "Enabled")?.Destination?.Bucket?.replace(/^arn:aws[a-z-]*:s3:::/, "");
      if (dest) {
        const where = await s3.send(new GetBucketLocationCommand({ Bucket: dest }), aws.call()).catch(() => undefined);
        replica = { bucket: dest, region: where?.LocationConstraint ?? null };
      }
      const settings = await readBucketSettings(s3, u.id, () => aws.call()).catch(() => ({}));
      return {
        list: "recovery:buckets",
        entry: { name: inventoryName(u.id), bucket: u.id, replica, ...settingsEntry(settings) },
        comment: dest ? undefined : " no replication rule: give it a versioned replica in another region first",
      };
    }
    case "secret":
      return { list: "recovery:secrets", entry: { name: inventoryName(u.id), secretId: u.id, kubernetesSecret: null, key: null } };
  }
}

/** A database's configuration fields for the inventory: only what the account said, and nothing AWS defaults anyway. */
function configurationEntry(d: Parameters<typeof recordedFrom>[0]): Entry {
  const c = recordedFrom(d);
  const pi = c.performanceInsights as { enabled: boolean; retentionDays?: number; kmsKeyId?: string } | undefined;
  return Object.fromEntries(
    Object.entries({
      ...c,
      performanceInsights: pi === undefined ? undefined : Object.fromEntries(Object.entries(pi).filter(([, v]) => v !== undefined)),
      monitoring: (c.monitoring as { intervalSeconds: number } | undefined)?.intervalSeconds ? c.monitoring : undefined,
    }).filter(([, v]) => v !== undefined),
  );
}

/** `--suggest` for entries the inventory has: comments, so the output stays YAML to paste the new entries from. */
function updatesComment(updates: readonly InventoryUpdate[]): string {
  if (updates.length === 0) return "";
  const lines = [" Production's configuration drifted from these recovery:databases entries; change them to what the account has now:"];
  for (const u of updates) {
    lines.push(`   ${u.name} (${u.id}):`);
    const yaml = new Document(u.fields).toString({ lineWidth: 0 }).trimEnd().split("\n");
    lines.push(...yaml.map((l) => `     ${l}`));
  }
  return lines.map((l) => `#${l}`).join("\n") + "\n";
}

/** Production's bucket configuration as inventory keys; what S3 has none of is left out. */
function settingsEntry(live: LiveBucketSettings): Entry {
  return Object.fromEntries(Object.entries(live).filter(([, v]) => v !== undefined));
}

/**
 * For each inventory bucket whose configuration production has changed since, its entry with
 * production's settings as they are now (the keys that differ), to replace in Pulumi.prod.yaml.
 */
async function driftedBuckets(buckets: readonly BucketRestore[], aws: AwsClients, region: string): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const b of buckets) {
    const live = await readBucketSettings(aws.s3(region), b.source.bucket, () => aws.call()).catch(() => undefined);
    if (live === undefined) continue;
    const differ = settingDifferences(b.source, live);
    if (differ.length === 0) continue;
    out.push({ name: b.source.name, bucket: b.source.bucket, ...Object.fromEntries(differ.map((d) => [d.setting, live[d.setting] ?? null])) });
  }
  return out;
}

/**
 * The inventory entries for what the account has and the inventory does not, filled from what
 * the account says. What it cannot say is `null`, which the loader refuses, so nothing is
 * pasted in half-known.
 */
export async function suggestYaml(
  uncovered: readonly UncoveredResource[],
  aws: AwsClients,
  updates: readonly InventoryUpdate[] = [],
  covered: { readonly buckets: readonly BucketRestore[]; readonly region: string } = { buckets: [], region: "" },
): Promise<string> {
  const drifted = await driftedBuckets(covered.buckets, aws, covered.region);
  if (uncovered.length === 0 && drifted.length === 0)
    return `# nothing to add: the inventory covers every database, cache, bucket and secret readiness can see\n${updatesComment(updates)}`;
  const doc = new Document({});
  for (const u of uncovered) {
    const { list, entry, comment } = await entryFor(u, aws);
    if (!doc.has(list)) doc.set(list, doc.createNode([]));
    const seq = doc.get(list, true);
    const node = doc.createNode(entry) as YAMLMap;
    if (comment) node.commentBefore = comment;
    if (isSeq(seq)) seq.items.push(node);
  }
  if (drifted.length > 0) {
    // Keyed apart from the lists above: these replace keys of entries the inventory already has.
    const node = doc.createNode(drifted);
    node.commentBefore = " Buckets production has reconfigured since the inventory recorded them: replace these keys of their\n recovery:buckets entries (null: production has none now, remove the key)";
    doc.set("recovery:buckets (update)", node);
  }
  doc.commentBefore = " Entries for Pulumi.prod.yaml's config, from what the account says (npm run readiness -- --suggest).\n Replace every null before adding them: the loader refuses a null.";
  if (!isMap(doc.contents)) return "";
  return `${doc.toString({ lineWidth: 0 })}${updatesComment(updates)}`;
}
