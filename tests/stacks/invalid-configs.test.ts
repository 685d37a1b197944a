import { strict as assert } from "node:assert";
import { ConfigError, loadStack } from "../../stacks";
import { ELASTICACHE_SESSIONS } from "../support/cache-kinds";
import { repoStackFiles, writeStackFiles, type StackFiles } from "../support/stack-files";

const NOW = new Date("2026-11-25T12:00:00Z");

interface Case {
  readonly title: string;
  readonly stack: string;
  readonly change: (files: StackFiles) => void;
  readonly raw?: Record<string, string>;
  readonly messages: readonly string[];
}

type Json = Record<string, unknown> & Record<number, unknown>;
const cfg = (files: StackFiles, stack: string) => files[stack].config as Record<string, Json>;
const services = (f: StackFiles) => cfg(f, "prod")["recovery:services"] as unknown as Json[];
const databases = (f: StackFiles) => cfg(f, "prod")["recovery:databases"] as unknown as Json[];
const caches = (f: StackFiles) => cfg(f, "prod")["recovery:caches"] as unknown as Json[];
const buckets = (f: StackFiles) => cfg(f, "prod")["recovery:buckets"] as unknown as Json[];
const mediaPolicy = (f: StackFiles) => buckets(f)[0].policy as { Statement: Array<Record<string, unknown>> };

const SERVICE_KEYS = "name, image, port, healthPath, replicas, gateway, migrations, dependsOn, estimateMinutes";
const RESTORE_KEYS =
  "mode, source, suffix, namespace, restorePoint, deletionProtection, trafficCutover, workerImage, failureTime, timeouts, databases, caches, buckets, secrets";

/**
 * The corpus of bad configs: each one a mistake an SRE could make at 3 a.m., each refused with
 * the file, the key path, what is wrong and the fix, before anything is created.
 */
const CASES: Case[] = [
  {
    title: "a typo'd key in a service",
    stack: "recovery",
    change: (f) => {
      const svc = services(f)[3];
      svc.dependson = svc.dependsOn;
      delete svc.dependsOn;
    },
    messages: [
      `Pulumi.prod.yaml: recovery:services[3].dependson: unknown key; did you mean "dependsOn"? remove it or fix its spelling (known keys: ${SERVICE_KEYS})`,
    ],
  },
  {
    title: "a typo'd top-level key in a restore stack",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:restorePiont"] = "latest" as never;
    },
    messages: [
      `Pulumi.recovery.yaml: recovery:restorePiont: unknown key; did you mean "restorePoint"? remove it or fix its spelling (known keys: ${RESTORE_KEYS})`,
    ],
  },
  {
    title: "a missing required key",
    stack: "recovery",
    change: (f) => {
      delete databases(f)[0].identifier;
    },
    messages: ["Pulumi.prod.yaml: recovery:databases[0].identifier: is required; add it (a string)"],
  },
  {
    title: "a number written as a string",
    stack: "recovery",
    change: (f) => {
      (cfg(f, "prod")["recovery:objectives"] as Json).rtoMinutes = "60";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:objectives.rtoMinutes: expected a number, got the string "60"; write it as a number',
    ],
  },
  {
    title: "a boolean written as a word",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:deletionProtection"] = "yes" as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:deletionProtection: expected true or false, got the string "yes"; write it as true or false',
    ],
  },
  {
    title: "two services with the same name",
    stack: "recovery",
    change: (f) => {
      services(f)[2].name = "auth";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:services[2].name: "auth" is already the name of recovery:services[0]; names must be unique, rename one',
    ],
  },
  {
    title: "a dependency on a service that does not exist",
    stack: "recovery",
    change: (f) => {
      (services(f)[3].dependsOn as string[])[1] = "service:paymnt";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:services[3].dependsOn[1]: "service:paymnt" does not exist; use one of service:auth, service:product, service:customer, service:content, service:notification, service:order-payment, service:appointment, service:analytics, service:api-gateway',
    ],
  },
  {
    title: "a dependency written without its kind",
    stack: "recovery",
    change: (f) => {
      (services(f)[0].dependsOn as string[])[0] = "identity";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:services[0].dependsOn[0]: the string "identity" is not a dependency; write it as <kind>:<name> with kind one of database, cache, bucket, secret, service (e.g. "database:orders")',
    ],
  },
  {
    title: "a dependency cycle between services",
    stack: "recovery",
    change: (f) => {
      (services(f)[0].dependsOn as string[]).push("service:order-payment");
    },
    messages: [
      "Pulumi.prod.yaml: recovery:services[0].dependsOn: dependency cycle service:auth → service:order-payment → service:auth; remove one of these dependencies",
      "Pulumi.prod.yaml: recovery:services[0].dependsOn: dependency cycle service:auth → service:order-payment → service:customer → service:auth; remove one of these dependencies",
    ],
  },
  {
    title: "a service that depends on the gateway, which waits for every other service",
    stack: "recovery",
    change: (f) => {
      (services(f)[2].dependsOn as string[])[1] = "service:api-gateway";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:services[2].dependsOn[1]: dependency cycle service:customer → service:api-gateway → service:customer (the gateway waits for every other service); remove "service:api-gateway": a service reaches the others directly, never through the gateway',
    ],
  },
  {
    title: "no gateway",
    stack: "recovery",
    change: (f) => {
      services(f)[8].gateway = false;
    },
    messages: [
      "Pulumi.prod.yaml: recovery:services: no service is the gateway; set `gateway: true` on the one service that gates all traffic",
    ],
  },
  {
    title: "two gateways",
    stack: "recovery",
    change: (f) => {
      services(f)[8].gateway = true;
      services(f)[1].gateway = true;
    },
    messages: [
      'Pulumi.prod.yaml: recovery:services[8].gateway: "api-gateway" is a second gateway (the first is "product"); exactly one service gates traffic, set the others to false',
    ],
  },
  {
    title: "a restore point in the future",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:restorePoint"] = "2027-01-01T00:00:00Z" as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:restorePoint: 2027-01-01T00:00:00Z is in the future; use "latest" or a time before now (2026-11-25T12:00:00.000Z)',
    ],
  },
  {
    title: "a restore point older than the backup retention",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:restorePoint"] = "2026-11-01T00:00:00Z" as never;
    },
    messages: [
      "Pulumi.recovery.yaml: recovery:restorePoint: 2026-11-01T00:00:00Z is older than the 7-day backup retention (oldest restorable 2026-11-18T12:00:00.000Z); pick a later time or restore from a snapshot",
    ],
  },
  {
    title: "a per-database restore time that is not an ISO time",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:databases"].orders = { time: "yesterday" };
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:databases.orders.time: the string "yesterday" is not an ISO 8601 time; write it like 2026-02-18T14:30:00Z',
    ],
  },
  {
    title: "a failure time that is not an ISO time",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:failureTime"] = "2026-13-45T00:00:00Z" as never;
    },
    messages: [
      'Pulumi.drill.yaml: recovery:failureTime: the string "2026-13-45T00:00:00Z" is not an ISO 8601 time; write it like 2026-02-18T14:30:00Z',
    ],
  },
  {
    title: "a restore identifier equal to its source",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:databases"].orders = { identifier: "lomash-orders-prod" };
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:databases.orders.identifier: "lomash-orders-prod" is the source database\'s own identifier; a restore always gets a new one, like "lomash-orders-prod-recovery"',
    ],
  },
  {
    title: "a rebuilt bucket named after its source",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:buckets"].media = { mode: "rebuild", bucket: "lomash-wood-media-prod" };
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:buckets.media.bucket: "lomash-wood-media-prod" is the source bucket; a rebuild writes a new bucket, like "lomash-wood-media-prod-recovery"',
    ],
  },
  {
    title: "a rebuilt bucket named after its replica",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:buckets"].media = { bucket: "lomash-wood-media-prod-replica" };
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:buckets.media.bucket: "lomash-wood-media-prod-replica" is the replica bucket; a rebuild writes a new bucket, like "lomash-wood-media-prod-recovery"',
    ],
  },
  {
    title: "a bucket policy statement open to everyone without a restricting condition",
    stack: "recovery",
    change: (f) => {
      const s = mediaPolicy(f).Statement[0];
      s.Principal = "*";
      delete s.Condition;
    },
    messages: [
      'Pulumi.prod.yaml: recovery:buckets[0].policy.Statement[0]: grants public access (Principal "*" and no condition fixing the caller, like aws:SourceArn or aws:SourceAccount); name the principal or add such a condition, or set recovery:buckets[0].public: true if the bucket is meant to be public',
    ],
  },
  {
    title: "a bucket policy statement allowing everyone but a named principal",
    stack: "recovery",
    change: (f) => {
      const s = mediaPolicy(f).Statement[0];
      delete s.Principal;
      s.NotPrincipal = { AWS: "arn:aws:iam::123456789012:root" };
      delete s.Condition;
    },
    messages: [
      "Pulumi.prod.yaml: recovery:buckets[0].policy.Statement[0]: grants public access (Allow with NotPrincipal and no condition fixing the caller, like aws:SourceArn or aws:SourceAccount); name the principal or add such a condition, or set recovery:buckets[0].public: true if the bucket is meant to be public",
    ],
  },
  {
    title: "a bucket policy naming another bucket",
    stack: "recovery",
    change: (f) => {
      mediaPolicy(f).Statement[0].Resource = "arn:aws:s3:::lomash-wood-uploads-prod/*";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:buckets[0].policy.Statement[0].Resource: "arn:aws:s3:::lomash-wood-uploads-prod/*" is not bucket lomash-wood-media-prod; a bucket policy covers its own bucket only (arn:aws:s3:::lomash-wood-media-prod or arn:aws:s3:::lomash-wood-media-prod/…), and S3 refuses any other resource',
    ],
  },
  {
    title: "a bucket policy statement without a Principal",
    stack: "recovery",
    change: (f) => {
      delete mediaPolicy(f).Statement[0].Principal;
    },
    messages: [
      'Pulumi.prod.yaml: recovery:buckets[0].policy.Statement[0]: needs a Principal: a bucket policy names who it applies to (e.g. Principal: { Service: "cloudfront.amazonaws.com" })',
    ],
  },
  {
    title: "a bucket logging into itself",
    stack: "recovery",
    change: (f) => {
      buckets(f)[0].logging = { targetBucket: "lomash-wood-media-prod", targetPrefix: "logs/" };
    },
    messages: [
      "Pulumi.prod.yaml: recovery:buckets[0].logging.targetBucket: is the bucket itself, so every log delivered would be logged again; name production's separate log bucket",
    ],
  },
  {
    title: "a lifecycle rule with no action",
    stack: "recovery",
    change: (f) => {
      buckets(f)[1].lifecycle = [{ id: "nothing", filter: { prefix: "tmp/" } }];
    },
    messages: [
      "Pulumi.prod.yaml: recovery:buckets[1].lifecycle[0]: has no action, and S3 refuses such a rule; add one of expiration, transitions, noncurrentVersionExpiration, noncurrentVersionTransitions, abortIncompleteMultipartUpload",
    ],
  },
  {
    title: "two lifecycle rules with one id",
    stack: "recovery",
    change: (f) => {
      const rules = buckets(f)[0].lifecycle as Array<Record<string, unknown>>;
      rules[1].id = rules[0].id;
    },
    messages: [
      'Pulumi.prod.yaml: recovery:buckets[0].lifecycle[1].id: "expire-noncurrent-versions" is also the id of recovery:buckets[0].lifecycle[0]; S3 refuses two rules with one id, rename one',
    ],
  },
  {
    title: "an expiration giving both days and expiredObjectDeleteMarker",
    stack: "recovery",
    change: (f) => {
      buckets(f)[1].lifecycle = [{ id: "both", expiration: { days: 30, expiredObjectDeleteMarker: true } }];
    },
    messages: [
      "Pulumi.prod.yaml: recovery:buckets[1].lifecycle[0].expiration: gives both days and expiredObjectDeleteMarker, which S3 refuses in one expiration; put them in two rules",
    ],
  },
  {
    title: "an unknown object ownership",
    stack: "recovery",
    change: (f) => {
      buckets(f)[0].ownership = "BucketOwnerEnforce";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:buckets[0].ownership: the string "BucketOwnerEnforce" is not allowed; use one of BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter',
    ],
  },
  {
    title: "a CORS rule allowing a method S3 does not know",
    stack: "recovery",
    change: (f) => {
      (buckets(f)[0].cors as Array<Record<string, unknown>>)[0].allowedMethods = ["GET", "OPTIONS"];
    },
    messages: [
      'Pulumi.prod.yaml: recovery:buckets[0].cors[0].allowedMethods[1]: the string "OPTIONS" is not allowed; use one of GET, PUT, HEAD, POST, DELETE',
    ],
  },
  {
    title: "a drill logging into production's log bucket",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:buckets"].media = { logging: { targetBucket: "lomash-wood-access-logs-prod" } };
    },
    messages: [
      'Pulumi.drill.yaml: recovery:buckets.media.logging.targetBucket: "lomash-wood-access-logs-prod" is a production bucket; a restore writes its access logs to a log bucket of its own, like "lomash-wood-media-prod-drill-logs"',
    ],
  },
  {
    title: "two rebuilt buckets sharing one log bucket",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:buckets"].uploads = { logging: { targetBucket: "lomash-wood-media-prod-recovery-logs" } };
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:buckets.uploads.logging.targetBucket: "lomash-wood-media-prod-recovery-logs" is also the log bucket of bucket "media"; each rebuilt bucket gets a log bucket of its own, like "lomash-wood-uploads-prod-recovery-logs"',
    ],
  },
  {
    title: "a logging override for a bucket production does not log",
    stack: "recovery",
    change: (f) => {
      delete buckets(f)[1].logging;
      cfg(f, "recovery")["recovery:buckets"].uploads = { logging: { targetBucket: "lomash-wood-uploads-logs-recovery" } };
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:buckets.uploads.logging: production does not log bucket lomash-wood-uploads-prod (the inventory\'s recovery:buckets entry "uploads" has no logging); add it there or remove this override',
    ],
  },
  {
    title: "a drill in production's namespace",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:namespace"] = "lomash-wood" as never;
    },
    messages: [
      'Pulumi.drill.yaml: recovery:namespace: namespace "lomash-wood" is production\'s own; use a namespace of its own, like "lomash-wood-drill"',
    ],
  },
  {
    title: "a drill in the recovery stack's namespace",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:namespace"] = "lomash-wood-recovery" as never;
    },
    messages: [
      'Pulumi.drill.yaml: recovery:namespace: namespace "lomash-wood-recovery" is also the recovery stack\'s; a drill uses a namespace of its own',
    ],
  },
  {
    title: "a drill reusing the recovery stack's names",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:suffix"] = "recovery" as never;
    },
    messages: [
      'Pulumi.drill.yaml: recovery:suffix: suffix "recovery" is also the recovery stack\'s, so the drill would reuse its names; use another suffix, like "drill"',
    ],
  },
  {
    title: "a recovery stack whose source is itself",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:source"] = "recovery" as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:source: "recovery" is this stack itself; a restore stack restores the production inventory, e.g. source: prod',
    ],
  },
  {
    title: "a source that is not an inventory",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:source"] = "drill" as never;
    },
    messages: [
      'Pulumi.drill.yaml: recovery:mode: is "drill", but a source must be an inventory; point recovery:source at the production inventory (mode: inventory)',
    ],
  },
  {
    title: "a zero RTO objective",
    stack: "recovery",
    change: (f) => {
      (cfg(f, "prod")["recovery:objectives"] as Json).rtoMinutes = 0;
    },
    messages: [
      "Pulumi.prod.yaml: recovery:objectives.rtoMinutes: must be greater than 0 (got 0); give a positive value",
    ],
  },
  {
    title: "a negative RPO objective",
    stack: "recovery",
    change: (f) => {
      (cfg(f, "prod")["recovery:objectives"] as Json).rpoMinutes = -15;
    },
    messages: [
      "Pulumi.prod.yaml: recovery:objectives.rpoMinutes: must be greater than 0 (got -15); give a positive value",
    ],
  },
  {
    title: "an unknown restore method",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:databases"].orders = { method: "pitr" };
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:databases.orders.method: the string "pitr" is not allowed; use one of point-in-time, snapshot, logical',
    ],
  },
  {
    title: "a restore time given to a snapshot restore",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:databases"].orders = { method: "snapshot", time: "2026-11-25T10:00:00Z" };
    },
    messages: [
      "Pulumi.recovery.yaml: recovery:databases.orders.time: a time only applies to method point-in-time (this database uses snapshot); remove it or set method: point-in-time",
    ],
  },
  {
    title: "a drill protected from deletion",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:deletionProtection"] = true as never;
    },
    messages: ["Pulumi.drill.yaml: recovery:deletionProtection: a drill must be destroyable; set it to false"],
  },
  {
    title: "a worker image on the moving tag latest",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:workerImage"] = "ghcr.io/lomash-wood/recovery-stacks:latest" as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:workerImage: the string "ghcr.io/lomash-wood/recovery-stacks:latest" uses the moving tag "latest"; pin it with a version tag (ghcr.io/lomash-wood/recovery-stacks:<version>) or a digest (ghcr.io/lomash-wood/recovery-stacks@sha256:<64 hex digits>); a recovery must run the code that was reviewed',
    ],
  },
  {
    title: "a worker image with no tag or digest",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:workerImage"] = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/recovery-stacks" as never;
    },
    messages: [
      'Pulumi.drill.yaml: recovery:workerImage: the string "123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/recovery-stacks" has no tag or digest, so the cluster would pull whatever was pushed last; pin it with a version tag (123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/recovery-stacks:<version>) or a digest (123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/recovery-stacks@sha256:<64 hex digits>); a recovery must run the code that was reviewed',
    ],
  },
  {
    title: "a worker image on a branch tag",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:workerImage"] = "ghcr.io/lomash-wood/recovery-stacks:main" as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:workerImage: the string "ghcr.io/lomash-wood/recovery-stacks:main" has the tag "main", which is not a version and can move; pin it with a version tag (ghcr.io/lomash-wood/recovery-stacks:<version>) or a digest (ghcr.io/lomash-wood/recovery-stacks@sha256:<64 hex digits>); a recovery must run the code that was reviewed',
    ],
  },
  {
    title: "a worker image with a truncated digest",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:workerImage"] = "ghcr.io/lomash-wood/recovery-stacks@sha256:4f2a9c" as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:workerImage: the string "ghcr.io/lomash-wood/recovery-stacks@sha256:4f2a9c" has the digest "sha256:4f2a9c", which is not sha256:<64 lowercase hex digits>; copy the digest the registry printed when the image was pushed',
    ],
  },
  {
    title: "a drill that would take traffic",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:trafficCutover"] = true as never;
    },
    messages: ["Pulumi.drill.yaml: recovery:trafficCutover: a drill never takes production traffic; set it to false"],
  },
  {
    title: "a drill pointing services at production's replica",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:buckets"] = { media: { mode: "promote" } } as never;
    },
    messages: [
      "Pulumi.drill.yaml: recovery:buckets.media.mode: a drill never points services at production's replica (they would write to it); use mode: rebuild",
    ],
  },
  {
    title: "a recovery without deletion protection",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:deletionProtection"] = false as never;
    },
    messages: [
      "Pulumi.recovery.yaml: recovery:deletionProtection: restored databases in a recovery stack are protected from deletion; set it to true",
    ],
  },
  {
    title: "an override for a database the inventory does not have",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:databases"].order = { method: "snapshot" };
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:databases.order: there is no database named "order" in the source inventory; use one of identity, catalog, orders, appointments, analytics',
    ],
  },
  {
    title: "a cache kind this project does not restore",
    stack: "recovery",
    change: (f) => {
      caches(f)[0].kind = "memcached";
    },
    messages: [
      "Pulumi.prod.yaml: recovery:caches[0].kind: is not a kind this project restores; use elasticache (an ElastiCache replication group, the default) or cluster (a Redis StatefulSet backed up as RDB files)",
    ],
  },
  {
    title: "a cluster cache without its RDB backups",
    stack: "recovery",
    change: (f) => {
      delete caches(f)[0].rdb;
    },
    messages: ["Pulumi.prod.yaml: recovery:caches[0].rdb: is required; add it (a map)"],
  },
  {
    title: "a Redis version that is not major.minor",
    stack: "recovery",
    change: (f) => {
      caches(f)[0].redisVersion = "7";
    },
    messages: ['Pulumi.prod.yaml: recovery:caches[0].redisVersion: the string "7" is not a Redis version; write its major.minor, like "7.0"'],
  },
  {
    title: "an ElastiCache override on a cluster cache",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:caches"] = { sessions: { nodeType: "cache.t4g.small" } } as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:caches.sessions.nodeType: nodeType applies to an ElastiCache cache; "sessions" is of kind cluster (restored from its newest RDB into a StatefulSet), so remove it (its overrides are storageGb, storageClassName)',
    ],
  },
  {
    title: "a cluster cache's override on an ElastiCache cache",
    stack: "recovery",
    change: (f) => {
      cfg(f, "prod")["recovery:caches"] = [ELASTICACHE_SESSIONS] as never;
      cfg(f, "recovery")["recovery:caches"] = { sessions: { storageGb: 5 } } as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:caches.sessions.storageGb: storageGb applies to a cache of kind cluster; "sessions" is an ElastiCache cache, so remove it (its overrides are snapshot, nodeType)',
    ],
  },
  {
    title: "an ElastiCache parameter group name AWS would refuse",
    stack: "recovery",
    change: (f) => {
      cfg(f, "prod")["recovery:caches"] = [{ ...ELASTICACHE_SESSIONS, parameterGroup: "lomash--redis7" }] as never;
    },
    messages: [
      "Pulumi.prod.yaml: recovery:caches[0].parameterGroup: the string \"lomash--redis7\" is not an ElastiCache parameter group name (a letter, then letters, digits and single hyphens, not ending in a hyphen, at most 255 characters); copy it from `aws elasticache describe-cache-clusters --cache-cluster-id <a node of the group> --query 'CacheClusters[0].CacheParameterGroup.CacheParameterGroupName'`",
    ],
  },
  {
    title: "a parameter group on a cluster cache, which has none",
    stack: "recovery",
    change: (f) => {
      caches(f)[0].parameterGroup = "lomash-wood-redis7";
    },
    messages: [
      "Pulumi.prod.yaml: recovery:caches[0].parameterGroup: applies to kind elasticache, not to this kind cluster; remove it (known keys: kind, name, statefulSet, rdb, redisImage, redisVersion, storageGb, tier, estimateMinutes)",
    ],
  },
  {
    title: "a cluster cache's key on an ElastiCache cache that leaves its kind out",
    stack: "recovery",
    change: (f) => {
      cfg(f, "prod")["recovery:caches"] = [{ ...ELASTICACHE_SESSIONS, rdb: { bucket: "lomash-wood-backups", prefix: "redis/" } }] as never;
    },
    messages: [
      "Pulumi.prod.yaml: recovery:caches[0].rdb: applies to kind cluster, not to this kind elasticache; remove it (known keys: kind, name, replicationGroupId, nodeType, numCacheClusters, subnetGroup, securityGroupIds, snapshotRetentionDays, kmsKeyId, parameterGroup, tier, estimateMinutes)",
    ],
  },
  {
    title: "a cluster cache's Redis image on a moving tag",
    stack: "recovery",
    change: (f) => {
      caches(f)[0].redisImage = "redis:latest";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:caches[0].redisImage: the string "redis:latest" uses the moving tag "latest"; pin it with a version tag (redis:<version>) or a digest (redis@sha256:<64 hex digits>); a recovery must run the code that was reviewed',
    ],
  },
  {
    title: "a cluster cache's Redis image by digest without its Redis version",
    stack: "recovery",
    change: (f) => {
      caches(f)[0].redisImage = `redis@sha256:${"a".repeat(64)}`;
      delete caches(f)[0].redisVersion;
    },
    messages: [
      `Pulumi.prod.yaml: recovery:caches[0].redisVersion: is required: the image "redis@sha256:${"a".repeat(64)}" has no major.minor version in its tag; give the Redis version it runs, like "7.0"`,
    ],
  },
  {
    title: "migrations for a database that does not exist",
    stack: "recovery",
    change: (f) => {
      (services(f)[0].migrations as Json).database = "users";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:services[0].migrations.database: "users" is not a database in the inventory; use one of identity, catalog, orders, appointments, analytics',
    ],
  },
  {
    title: "a name with capitals",
    stack: "recovery",
    change: (f) => {
      databases(f)[1].name = "Catalog";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:databases[1].name: the string "Catalog" is not a valid name; use lowercase letters, digits and hyphens, starting with a letter, at most 40 characters',
    ],
  },
  {
    title: "a suffix that makes the cache id too long",
    stack: "recovery",
    change: (f) => {
      cfg(f, "prod")["recovery:caches"] = [ELASTICACHE_SESSIONS] as never;
      cfg(f, "recovery")["recovery:suffix"] = "recovery-after-the-outage" as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:suffix: "lomash-wood-redis-prod-recovery-after-the-outage" is longer than ElastiCache\'s 40 characters; use a shorter suffix',
    ],
  },
  {
    title: "a secret stage with two letters swapped",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:secrets"] = { jwt: { versionStage: "AWSPREVIUOS" } } as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:secrets.jwt.versionStage: "AWSPREVIUOS" looks like a misspelt AWS staging label; did you mean "AWSPREVIOUS"? (labels are case-sensitive; AWS\'s own are AWSCURRENT, AWSPREVIOUS, AWSPENDING)',
    ],
  },
  {
    title: "a secret stage in the wrong case",
    stack: "drill",
    change: (f) => {
      cfg(f, "drill")["recovery:secrets"] = { sendgrid: { versionStage: "awscurrent" } } as never;
    },
    messages: [
      'Pulumi.drill.yaml: recovery:secrets.sendgrid.versionStage: "awscurrent" looks like a misspelt AWS staging label; did you mean "AWSCURRENT"? (labels are case-sensitive; AWS\'s own are AWSCURRENT, AWSPREVIOUS, AWSPENDING)',
    ],
  },
  {
    title: "an item naming a tier the inventory does not have",
    stack: "recovery",
    change: (f) => {
      databases(f)[2].tier = "platinum";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:databases[2].tier: "platinum" is not a tier; use one of critical, standard, non-critical or define it under recovery:tiers',
    ],
  },
  {
    title: "a coverage rule with neither a name pattern nor a tag",
    stack: "recovery",
    change: (f) => {
      cfg(f, "prod")["recovery:coverage"] = { exclude: [{ kind: "bucket" }] } as never;
    },
    messages: [
      "Pulumi.prod.yaml: recovery:coverage.exclude[0]: names neither a name pattern nor a tag, so it would match everything; add name: <pattern> or tag: <key>=<value>",
    ],
  },
  {
    title: "several mistakes at once, all reported in one run",
    stack: "recovery",
    change: (f) => {
      (cfg(f, "prod")["recovery:objectives"] as Json).rtoMinutes = -1;
      services(f)[0].replicas = "three";
    },
    messages: [
      "Pulumi.prod.yaml: recovery:objectives.rtoMinutes: must be greater than 0 (got -1); give a positive value",
      'Pulumi.prod.yaml: recovery:services[0].replicas: expected a number, got the string "three"; write it as a number',
    ],
  },
  {
    title: "a KMS alias where the key's ARN belongs",
    stack: "recovery",
    change: (f) => {
      databases(f)[2].kmsKeyId = "alias/lomash-rds";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:databases[2].kmsKeyId: the string "alias/lomash-rds" is not a KMS key ARN; kmsKeyId is replace-only and a restore cannot change it, so give the full key ARN (arn:aws:kms:<region>:<account>:key/<id>), which `aws kms describe-key --key-id alias/lomash-rds --query KeyMetadata.Arn --output text` prints',
    ],
  },
  {
    title: "a bare KMS key id where the key's ARN belongs",
    stack: "recovery",
    change: (f) => {
      databases(f)[0].kmsKeyId = "8c1d2f7e-1b0a-4a41-9d0e-6f1e2d3c4b5a";
    },
    messages: [
      'Pulumi.prod.yaml: recovery:databases[0].kmsKeyId: the string "8c1d2f7e-1b0a-4a41-9d0e-6f1e2d3c4b5a" is not a KMS key ARN; kmsKeyId is replace-only and a restore cannot change it, so give the full key ARN (arn:aws:kms:<region>:<account>:key/<id>), which `aws kms describe-key --key-id 8c1d2f7e-1b0a-4a41-9d0e-6f1e2d3c4b5a --query KeyMetadata.Arn --output text` prints',
    ],
  },
  {
    title: "a DbiResourceId that is not one",
    stack: "recovery",
    change: (f) => {
      databases(f)[1].dbiResourceId = "lomash-catalog-prod";
    },
    messages: [
      `Pulumi.prod.yaml: recovery:databases[1].dbiResourceId: the string "lomash-catalog-prod" is not a DbiResourceId (db- followed by capitals and digits); read it with \`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].DbiResourceId'\``,
    ],
  },
  {
    title: "a timeout without a unit",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:timeouts"] = { database: { create: 240 } } as never;
    },
    messages: ["Pulumi.recovery.yaml: recovery:timeouts.database.create: number 240 is not a duration; write a whole number with a unit, like 90m or 4h (s, m or h)"],
  },
  {
    title: "a database create timeout shorter than a restore's estimate",
    stack: "recovery",
    change: (f) => {
      cfg(f, "recovery")["recovery:timeouts"] = { database: { create: "30m" } } as never;
    },
    messages: [
      'Pulumi.recovery.yaml: recovery:timeouts.database.create: 30m is shorter than database "identity"\'s 40-minute estimate; a create that times out leaves the instance in AWS but not in state, so give it the estimate with margin (the default is 4h)',
    ],
  },
  {
    title: "a restore re-run asked of a point-in-time restore",
    stack: "recovery",
    change: (f) => {
      (cfg(f, "recovery")["recovery:databases"] as Json).orders = { restoreRun: 1 } as never;
    },
    messages: [
      "Pulumi.recovery.yaml: recovery:databases.orders.restoreRun: restoreRun re-runs a pg_dump restore Job and only applies to method logical (this database uses point-in-time); remove it",
    ],
  },
  {
    title: "a parameter group name with underscores",
    stack: "recovery",
    change: (f) => {
      databases(f)[0].parameterGroup = "lomash_wood_postgres15";
    },
    messages: [
      `Pulumi.prod.yaml: recovery:databases[0].parameterGroup: the string "lomash_wood_postgres15" is not an RDS parameter or option group name (a letter, then letters, digits and single hyphens, not ending in one); give the group's name as \`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].[DBParameterGroups[0].DBParameterGroupName,OptionGroupMemberships[0].OptionGroupName]'\` prints it`,
    ],
  },
  {
    title: "the expired rds-ca-2019 as the CA",
    stack: "recovery",
    change: (f) => {
      databases(f)[1].caCertificateIdentifier = "rds-ca-2019";
    },
    messages: [
      `Pulumi.prod.yaml: recovery:databases[1].caCertificateIdentifier: the string "rds-ca-2019" is not a CA RDS signs with now; use one of rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1 (rds-ca-2019 expired in August 2024)`,
    ],
  },
  {
    title: "a MySQL log type in a PostgreSQL database's log exports",
    stack: "recovery",
    change: (f) => {
      databases(f)[2].logExports = ["postgresql", "slowquery"];
    },
    messages: [
      `Pulumi.prod.yaml: recovery:databases[2].logExports[1]: the string "slowquery" is not allowed; use one of postgresql, upgrade, iam-db-auth-error`,
    ],
  },
  {
    title: "a log export listed twice",
    stack: "recovery",
    change: (f) => {
      databases(f)[2].logExports = ["postgresql", "upgrade", "postgresql"];
    },
    messages: [
      `Pulumi.prod.yaml: recovery:databases[2].logExports[2]: "postgresql" is listed twice; list each log type once`,
    ],
  },
  {
    title: "an enhanced-monitoring interval RDS does not offer",
    stack: "recovery",
    change: (f) => {
      databases(f)[3].monitoring = { intervalSeconds: 45, roleArn: "arn:aws:iam::123456789012:role/lomash-wood-rds-monitoring" };
    },
    messages: [
      "Pulumi.prod.yaml: recovery:databases[3].monitoring.intervalSeconds: number 45 is not allowed; use one of 0, 1, 5, 10, 15, 30, 60",
    ],
  },
  {
    title: "enhanced monitoring without its role",
    stack: "recovery",
    change: (f) => {
      databases(f)[3].monitoring = { intervalSeconds: 60 };
    },
    messages: [
      `Pulumi.prod.yaml: recovery:databases[3].monitoring.roleArn: enhanced monitoring every 60 s needs the role RDS publishes the metrics with; add roleArn (\`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].MonitoringRoleArn'\` prints the source's), or set intervalSeconds: 0 to turn monitoring off`,
    ],
  },
  {
    title: "a monitoring role given by name instead of ARN",
    stack: "recovery",
    change: (f) => {
      databases(f)[0].monitoring = { intervalSeconds: 60, roleArn: "lomash-wood-rds-monitoring" };
    },
    messages: [
      `Pulumi.prod.yaml: recovery:databases[0].monitoring.roleArn: the string "lomash-wood-rds-monitoring" is not an IAM role ARN; give the enhanced-monitoring role's full ARN (arn:aws:iam::<account>:role/<name>), which \`aws iam get-role --role-name <name> --query Role.Arn --output text\` prints`,
    ],
  },
  {
    title: "a Performance Insights retention RDS does not offer",
    stack: "recovery",
    change: (f) => {
      databases(f)[4].performanceInsights = { enabled: true, retentionDays: 30 };
    },
    messages: [
      "Pulumi.prod.yaml: recovery:databases[4].performanceInsights.retentionDays: number 30 is not a Performance Insights retention; use 7 (the free tier), a multiple of 31 up to 713, or 731 days",
    ],
  },
  {
    title: "Performance Insights settings with Performance Insights off",
    stack: "recovery",
    change: (f) => {
      databases(f)[4].performanceInsights = { enabled: false, retentionDays: 7 };
    },
    messages: [
      "Pulumi.prod.yaml: recovery:databases[4].performanceInsights.retentionDays: Performance Insights is off (enabled: false), so retentionDays is not used; remove it or set enabled: true",
    ],
  },
  {
    title: "a drill's monitoring override without a role",
    stack: "drill",
    change: (f) => {
      (cfg(f, "drill")["recovery:databases"] as Json).orders = { monitoring: { intervalSeconds: 5 } } as never;
    },
    messages: [
      `Pulumi.drill.yaml: recovery:databases.orders.monitoring.roleArn: enhanced monitoring every 5 s needs the role RDS publishes the metrics with; add roleArn (\`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].MonitoringRoleArn'\` prints the source's), or set intervalSeconds: 0 to turn monitoring off`,
    ],
  },
  {
    title: "a stack file that is not valid YAML",
    stack: "recovery",
    change: (f) => {
      delete f.recovery;
    },
    raw: { "Pulumi.recovery.yaml": "config:\n  recovery:mode: recovery\n   recovery:source: prod\n" },
    messages: [
      "Pulumi.recovery.yaml: is not valid YAML (Nested mappings are not allowed in compact mappings at line 2, column 18); fix the syntax",
    ],
  },
  {
    title: "a stack that has no file",
    stack: "recovry",
    change: () => undefined,
    messages: ["Pulumi.recovry.yaml: no such stack file; use one of --stack drill, --stack prod, --stack recovery"],
  },
  {
    title: "the production inventory itself",
    stack: "prod",
    change: () => undefined,
    messages: [
      "Pulumi.prod.yaml: prod is the source inventory, not something to restore; use a restore stack: --stack drill, --stack recovery",
    ],
  },
];

describe("stacks: bad configs are refused with the key and the fix", () => {
  for (const c of CASES) {
    it(`refuses ${c.title}`, () => {
      const files = repoStackFiles();
      c.change(files);
      const { root, cleanup } = writeStackFiles(files, c.raw);
      try {
        assert.throws(
          () => loadStack(c.stack, { root, now: NOW }),
          (error: unknown) => {
            assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
            assert.deepEqual(error.message.split("\n"), c.messages);
            return true;
          },
        );
      } finally {
        cleanup();
      }
    });
  }

  it("has a corpus of at least 25 distinct mistakes", () => {
    assert.ok(CASES.length >= 25, `only ${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.messages.join("\n"))).size, CASES.length);
  });
});
