import { ListTagsForResourceCommand, paginateDescribeReplicationGroups, type ReplicationGroup } from "@aws-sdk/client-elasticache";
import { paginateDescribeDBInstances, type DBInstance } from "@aws-sdk/client-rds";
import { GetBucketTaggingCommand, paginateListBuckets } from "@aws-sdk/client-s3";
import { paginateListSecrets, type SecretListEntry } from "@aws-sdk/client-secrets-manager";
import type { RecoveryConfig } from "../stacks";
import { couldNotCheck, isNotFound } from "./aws";
import type { CheckContext } from "./context";
import type { ItemKind, Uncovered } from "./types";

/** An uncovered resource with what the account said about it, for `--suggest`. */
export type UncoveredResource = Uncovered &
  (
    | { readonly kind: "database"; readonly detail: DBInstance }
    | { readonly kind: "cache"; readonly detail: ReplicationGroup }
    | { readonly kind: "bucket"; readonly detail: { readonly name: string } }
    | { readonly kind: "secret"; readonly detail: SecretListEntry }
  );

type Tags = Record<string, string>;
type Rule = RecoveryConfig["coverage"]["include"][number];

/** `*` matches any run of characters; everything else literally. */
export function globMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(name);
}

function ruleMatches(rule: Rule, kind: ItemKind, name: string, tags: Tags | undefined): boolean {
  if (rule.kind !== undefined && rule.kind !== kind) return false;
  if (rule.name !== undefined && !globMatches(rule.name, name)) return false;
  if (rule.tag !== undefined) {
    const eq = rule.tag.indexOf("=");
    const key = eq < 0 ? rule.tag : rule.tag.slice(0, eq);
    if (tags?.[key] === undefined || (eq >= 0 && tags[key] !== rule.tag.slice(eq + 1))) return false;
  }
  return true;
}

/** Counted as production: matches an include rule (when there are any) and no exclude rule. */
export function countsAsProduction(config: RecoveryConfig, kind: ItemKind, name: string, tags: Tags | undefined): boolean {
  const { include, exclude } = config.coverage;
  if (include.length > 0 && !include.some((r) => ruleMatches(r, kind, name, tags))) return false;
  return !exclude.some((r) => ruleMatches(r, kind, name, tags));
}

const tagMap = (list: readonly { Key?: string; Value?: string }[] | undefined): Tags =>
  Object.fromEntries((list ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""]));

/** Tags cost a call per cache or bucket: fetched only when a rule for that kind asks for one. */
function needsTags(config: RecoveryConfig, kind: ItemKind): boolean {
  return [...config.coverage.include, ...config.coverage.exclude].some((r) => r.tag !== undefined && (r.kind === undefined || r.kind === kind));
}

/**
 * What the account has in the inventory's region that no inventory item covers: its RDS
 * instances, replication groups, buckets and secrets, minus the inventory's own names, this
 * project's recovery and drill resources, and what `recovery:coverage` leaves out.
 */
export async function findUncovered(
  ctx: CheckContext,
  covered: ReadonlySet<string>,
): Promise<{ uncovered: UncoveredResource[]; problems: string[] }> {
  const { config, aws } = ctx;
  const region = config.region;
  const uncovered: UncoveredResource[] = [];
  const problems: string[] = [];
  const inventoryIds = new Set(config.databases.map((d) => d.source.identifier));
  const keep = (kind: ItemKind, id: string, tags: Tags | undefined) => !covered.has(id) && countsAsProduction(config, kind, id, tags);

  const listings: Promise<void>[] = [
    (async () => {
      for await (const page of paginateDescribeDBInstances({ client: aws.rds(region) }, {}))
        for (const db of page.DBInstances ?? []) {
          const id = db.DBInstanceIdentifier!;
          // A read replica of an inventory database is rebuilt from its source, not restored.
          if (db.ReadReplicaSourceDBInstanceIdentifier !== undefined && inventoryIds.has(db.ReadReplicaSourceDBInstanceIdentifier)) continue;
          if (keep("database", id, tagMap(db.TagList))) uncovered.push({ kind: "database", id, region, detail: db });
        }
    })().catch((e: unknown) => void problems.push(`databases: ${couldNotCheck("DescribeDBInstances", e, aws.timeoutMs)}`)),
    (async () => {
      const client = aws.elastiCache(region);
      for await (const page of paginateDescribeReplicationGroups({ client }, {}))
        for (const group of page.ReplicationGroups ?? []) {
          const id = group.ReplicationGroupId!;
          if (covered.has(id)) continue;
          const tags = needsTags(config, "cache") && group.ARN ? tagMap((await client.send(new ListTagsForResourceCommand({ ResourceName: group.ARN }), aws.call())).TagList) : undefined;
          if (keep("cache", id, tags)) uncovered.push({ kind: "cache", id, region, detail: group });
        }
    })().catch((e: unknown) => void problems.push(`caches: ${couldNotCheck("DescribeReplicationGroups", e, aws.timeoutMs)}`)),
    (async () => {
      const s3 = aws.s3(region);
      // Only the inventory's region: a bucket elsewhere (the replicas) is another region's business.
      for await (const page of paginateListBuckets({ client: s3 }, { BucketRegion: region }))
        for (const bucket of page.Buckets ?? []) {
          const id = bucket.Name!;
          if (covered.has(id)) continue;
          let tags: Tags | undefined;
          if (needsTags(config, "bucket"))
            try {
              tags = tagMap((await s3.send(new GetBucketTaggingCommand({ Bucket: id }), aws.call())).TagSet);
            } catch (error) {
              if (!isNotFound(error, "NoSuchTagSet")) throw error;
              tags = {};
            }
          if (keep("bucket", id, tags)) uncovered.push({ kind: "bucket", id, region, detail: { name: id } });
        }
    })().catch((e: unknown) => void problems.push(`buckets: ${couldNotCheck("ListBuckets", e, aws.timeoutMs)}`)),
    (async () => {
      for await (const page of paginateListSecrets({ client: aws.secrets(region) }, {}))
        for (const secret of page.SecretList ?? []) {
          const id = secret.Name!;
          if (secret.ARN !== undefined && covered.has(secret.ARN)) continue;
          if (keep("secret", id, tagMap(secret.Tags))) uncovered.push({ kind: "secret", id, region, detail: secret });
        }
    })().catch((e: unknown) => void problems.push(`secrets: ${couldNotCheck("ListSecrets", e, aws.timeoutMs)}`)),
  ];
  await Promise.all(listings);
  const order = ["database", "cache", "bucket", "secret"];
  uncovered.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.id.localeCompare(b.id));
  // The listings finish in any order; the report does not.
  const lists = ["databases", "caches", "buckets", "secrets"];
  problems.sort((a, b) => lists.indexOf(a.split(":")[0]) - lists.indexOf(b.split(":")[0]));
  return { uncovered, problems: problems.map((p) => `could not list ${p}; what the inventory misses there is unknown`) };
}
