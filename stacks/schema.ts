import { z } from "zod";
import { isTimeoutDuration } from "../scripts/lib/duration";
import { isoTimeSchema } from "../scripts/lib/iso-time";
import { bucketLoggingSchema, bucketPolicySchema, corsRuleSchema, lifecycleRuleSchema, OWNERSHIPS } from "./bucket-settings";
import { ESTIMATE_KINDS, type EstimateKind } from "./estimates";
import { unpinnedImageProblem } from "./image-reference";

/**
 * The config schema. Two kinds of stack file share the `recovery:` namespace:
 * the inventory (Pulumi.prod.yaml: what production has and where its backups are) and
 * a restore stack (Pulumi.recovery.yaml, Pulumi.drill.yaml: how to restore it).
 * Every object is strict, so a typo'd key is refused instead of silently ignored.
 */

const minutes = z.number().positive();
const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: "NAME" });
const estimateMinutes = minutes.optional();

export const STEP_KINDS = [
  "cluster-config",
  "secret",
  "database",
  "migration",
  "cache",
  "bucket",
  "service",
  "smoke",
  "traffic",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** What a service may depend on, written as a step id: `database:orders`, `service:auth`. */
const DEPENDENCY_KINDS = ["database", "cache", "bucket", "secret", "service"] as const;
const dependencyRef = z.string().regex(new RegExp(`^(${DEPENDENCY_KINDS.join("|")}):[a-z][a-z0-9-]*$`), {
  error: "DEPENDENCY_REF",
});

const isoTime = isoTimeSchema({ error: "ISO_TIME" });

/**
 * A full KMS key ARN: `kmsKeyId` is replace-only in the provider and a restore cannot change it,
 * and the API answers an alias or key id as the ARN, so anything else plans a replacement later.
 */
const kmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, { error: "KMS_KEY_ARN" });

/**
 * A Go duration with one unit (`90m`, `4h`, `5400s`), as Pulumi's customTimeouts take it. A bare
 * number is refused: estimates in these files are minutes, the scripts' flags seconds.
 */
export const timeoutDurationSchema = z.custom<string>((v) => typeof v === "string" && isTimeoutDuration(v), { error: "DURATION" });
const duration = timeoutDurationSchema;
/** An RDS instance's `customTimeouts`; the database components and the loader check it alike. */
export const databaseTimeoutsSchema = z.strictObject({ create: duration.optional(), update: duration.optional(), delete: duration.optional() });

/**
 * The configuration a restore does not carry over by itself (docs/components.md, "What a restore
 * carries over from production"): production's, recorded in the inventory, applied by the
 * components, compared by verify and by readiness.
 */
/** An RDS parameter or option group name: a letter, then letters, digits and single hyphens (AWS's rule). */
const rdsGroupName = z.string().regex(/^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)$/, { error: "RDS_GROUP_NAME" });
/** An option group may also be one of AWS's defaults, `default:postgres-15`. */
const optionGroupName = z.string().regex(/^([A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)|default:[a-z0-9-]+)$/, { error: "RDS_GROUP_NAME" });
/** The CAs RDS signs server certificates with now (rds-ca-2019 expired in August 2024). */
export const RDS_CA_CERTIFICATES = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"] as const;
/** What RDS for PostgreSQL can export to CloudWatch Logs. */
export const POSTGRES_LOG_EXPORTS = ["postgresql", "upgrade", "iam-db-auth-error"] as const;
/** Enhanced monitoring's intervals; 0 turns it off. */
export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;
const iamRoleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]+$/, { error: "IAM_ROLE_ARN" });
const monitoringSchema = z.strictObject({
  intervalSeconds: z.literal(MONITORING_INTERVALS),
  roleArn: iamRoleArn.optional(),
});
const performanceInsightsSchema = z.strictObject({
  enabled: z.boolean(),
  /** 7 (free), 731, or a multiple of 31. */
  retentionDays: z
    .number()
    .int()
    .refine((d) => d === 7 || d === 731 || (d > 0 && d % 31 === 0 && d < 731), { error: "PI_RETENTION" })
    .optional(),
  kmsKeyId: kmsKeyArn.optional(),
});
const caCertificate = z.string().refine((v) => (RDS_CA_CERTIFICATES as readonly string[]).includes(v), { error: "CA_CERTIFICATE" });
const logExports = z.array(z.enum(POSTGRES_LOG_EXPORTS));

/** A tier's name, as `recovery:tiers` keys it and an item's `tier` names it. */
const tier = name.optional();

export const databaseSchema = z.strictObject({
  name,
  identifier: z.string().min(1),
  engine: z.enum(["postgres"]),
  engineVersion: z.string().optional(),
  instanceClass: z.string().min(1),
  dbName: z.string().min(1),
  username: z.string().min(1),
  port: z.number().int().positive().default(5432),
  subnetGroup: z.string().min(1),
  securityGroupIds: z.array(z.string().min(1)).min(1),
  multiAz: z.boolean().default(false),
  kmsKeyId: kmsKeyArn.optional(),
  dbiResourceId: z.string().regex(/^db-[A-Z0-9]+$/, { error: "DBI_RESOURCE_ID" }).optional(),
  backupRetentionDays: z.number().int().positive(),
  dumps: z.strictObject({ bucket: z.string().min(3), prefix: z.string() }),
  parameterGroup: rdsGroupName.optional(),
  optionGroup: optionGroupName.optional(),
  caCertificateIdentifier: caCertificate.optional(),
  logExports: logExports.optional(),
  monitoring: monitoringSchema.optional(),
  performanceInsights: performanceInsightsSchema.optional(),
  iamAuth: z.boolean().optional(),
  tier,
  estimateMinutes,
});

/**
 * What a restore carries over from production (DatabaseConfiguration), as the inventory records
 * it: the loader reads it with this, and the database components check their args with it.
 */
export const databaseConfigurationSchema = databaseSchema
  .pick({ parameterGroup: true, optionGroup: true, caCertificateIdentifier: true, logExports: true, monitoring: true, performanceInsights: true, iamAuth: true })
  .partial();
/** The source fields a database component checks the way the loader does. */
export const databaseSourceSchema = databaseSchema.pick({ kmsKeyId: true, dbiResourceId: true });

/** A cache AWS runs: an ElastiCache replication group, restored from its own snapshots. The default kind. */
export const elastiCacheSchema = z.strictObject({
  kind: z.literal("elasticache").default("elasticache"),
  name,
  replicationGroupId: z.string().min(1),
  nodeType: z.string().min(1),
  numCacheClusters: z.number().int().positive().default(2),
  subnetGroup: z.string().min(1),
  securityGroupIds: z.array(z.string().min(1)).min(1),
  snapshotRetentionDays: z.number().int().positive(),
  kmsKeyId: kmsKeyArn.optional(),
  /**
   * Production's cache parameter group (issue 19): a restore from a snapshot gets the engine's
   * default group unless it is named, losing settings such as maxmemory-policy. AWS's rules: a
   * letter first, then letters, digits and single hyphens, no hyphen last, at most 255; or one of
   * AWS's own `default.<family>` groups.
   */
  parameterGroup: z
    .string()
    .regex(/^(?=.{1,255}$)(?:default\.[a-z0-9.-]+|[A-Za-z](?!.*--)[A-Za-z0-9-]*(?<!-))$/, { error: "CACHE_PARAMETER_GROUP" })
    .optional(),
  tier,
  estimateMinutes,
});

/**
 * A Redis the cluster runs itself, as seed 004's (a StatefulSet `redis-master`), backed up as RDB
 * files by `npm run backup:redis`: restored as a StatefulSet whose init container puts the newest
 * RDB into its volume (components/cluster-redis.ts).
 */
export const clusterCacheSchema = z.strictObject({
  kind: z.literal("cluster"),
  name,
  /** The production StatefulSet (read, never written): what the restore stands in for. */
  statefulSet: z.string().min(1),
  /** Where `npm run backup:redis` writes the RDB files and their manifests. */
  rdb: z.strictObject({ bucket: z.string().min(3), prefix: z.string() }),
  /** The Redis image of the restored StatefulSet; defaults in components/ (redis:7.0.15, seed 004's 7.0). */
  redisImage: z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      // Pinned like the worker image: a moving tag would start a Redis nobody reviewed, maybe one too old for the RDB.
      if (unpinnedImageProblem(value) !== undefined) ctx.addIssue({ code: "custom", message: "WORKER_IMAGE", input: value });
    })
    .optional(),
  /** The `major.minor` that image runs, which decides the newest RDB it loads; defaults to the image tag's. */
  redisVersion: z.string().regex(/^\d+\.\d+$/, { error: "REDIS_VERSION" }).optional(),
  /** The data volume in GiB: room for the RDB and one more save beside it. */
  storageGb: z.number().int().positive().default(10),
  tier,
  estimateMinutes,
});

/** `kind` tells the two apart; absent, a cache is ElastiCache (files from before the cluster kind stay valid). */
export const cacheSchema = z.discriminatedUnion("kind", [elastiCacheSchema, clusterCacheSchema]);

export const bucketSchema = z.strictObject({
  name,
  bucket: z.string().min(3),
  replica: z.strictObject({ bucket: z.string().min(3), region: z.string().min(1) }),
  /** Production's bucket policy; a rebuild gets it with the source's name rewritten to its own. */
  policy: bucketPolicySchema.optional(),
  /** The policy may grant public access (a statement to everyone without a restricting condition). */
  public: z.boolean().optional(),
  cors: z.array(corsRuleSchema).max(100).optional(),
  lifecycle: z.array(lifecycleRuleSchema).max(1000).optional(),
  /** Where production's access logs go; a restore stack writes them to a log bucket of its own. */
  logging: bucketLoggingSchema.optional(),
  /** S3 Object Ownership. New buckets default to BucketOwnerEnforced (ACLs disabled). */
  ownership: z.enum(OWNERSHIPS).optional(),
  tier,
  estimateMinutes,
});

export const secretSchema = z.strictObject({
  name,
  secretId: z.string().min(1),
  kubernetesSecret: z.string().min(1),
  key: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: "ENV_KEY" }),
  tier,
  estimateMinutes,
});

export const serviceSchema = z.strictObject({
  name,
  image: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  healthPath: z.string().startsWith("/"),
  replicas: z.number().int().min(1),
  gateway: z.boolean().default(false),
  migrations: z
    .strictObject({
      database: name,
      command: z.array(z.string().min(1)).min(1),
      estimateMinutes,
    })
    .optional(),
  dependsOn: z.array(dependencyRef).default([]),
  estimateMinutes,
});

export const smokeSchema = z.strictObject({
  name,
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
  path: z.string().startsWith("/"),
  body: z.string().optional(),
  expectStatus: z.number().int().min(100).max(599),
  bodyContains: z.string().optional(),
});

const estimatesSchema = z.strictObject(
  Object.fromEntries(ESTIMATE_KINDS.map((k) => [k, minutes.optional()])) as Record<
    EstimateKind,
    z.ZodOptional<z.ZodNumber>
  >,
);

const objectivesSchema = z.strictObject({ rtoMinutes: minutes, rpoMinutes: minutes });

/** Seed 001's tiers: what an item's `tier` names when the inventory does not define its own. */
export const DEFAULT_TIERS = {
  critical: { rpoMinutes: 15, rtoMinutes: 60 },
  standard: { rpoMinutes: 60, rtoMinutes: 240 },
  "non-critical": { rpoMinutes: 1440, rtoMinutes: 1440 },
} as const;

/** A coverage rule: a name pattern (`*` any run of characters) and/or a tag (`key` or `key=value`). */
const coverageRuleSchema = z.strictObject({
  kind: z.enum(["database", "cache", "bucket", "secret"]).optional(),
  name: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
});

/** Pulumi.prod.yaml: the inventory of production. Read from the repository, never from prod's state. */
export const inventorySchema = z.strictObject({
  mode: z.literal("inventory"),
  region: z.string().min(1),
  objectives: objectivesSchema,
  tiers: z.record(name, objectivesSchema).default(DEFAULT_TIERS),
  /** What readiness counts as production when it looks for resources the inventory does not cover. */
  coverage: z
    .strictObject({ include: z.array(coverageRuleSchema).default([]), exclude: z.array(coverageRuleSchema).default([]) })
    .default({ include: [], exclude: [] }),
  estimates: estimatesSchema.default({}),
  cluster: z.strictObject({
    namespace: name,
    manifests: z.string().min(1),
    estimateMinutes,
  }),
  databases: z.array(databaseSchema).default([]),
  caches: z.array(cacheSchema).default([]),
  buckets: z.array(bucketSchema).default([]),
  secrets: z.array(secretSchema).default([]),
  services: z.array(serviceSchema).min(1),
  smoke: z.array(smokeSchema).default([]),
});

export const RESTORE_METHODS = ["point-in-time", "snapshot", "logical"] as const;
export type RestoreMethod = (typeof RESTORE_METHODS)[number];

const databaseRestoreSchema = z.strictObject({
  method: z.enum(RESTORE_METHODS).optional(),
  /** point-in-time: `latest` or an ISO time. */
  time: z.union([z.literal("latest"), isoTime]).optional(),
  /** snapshot: a snapshot identifier, or `latest` for the newest snapshot of the source. */
  snapshot: z.string().min(1).optional(),
  identifier: z.string().min(1).optional(),
  instanceClass: z.string().min(1).optional(),
  multiAz: z.boolean().optional(),
  rotatePassword: z.boolean().optional(),
  /** logical: raise to run the restore Job again on purpose (with --force). */
  restoreRun: z.number().int().positive().optional(),
  /** What a drill must differ in: a copy of the parameter or option group, less monitoring. */
  parameterGroup: rdsGroupName.optional(),
  optionGroup: optionGroupName.optional(),
  monitoring: monitoringSchema.optional(),
  performanceInsights: performanceInsightsSchema.optional(),
});

/** Pulumi.recovery.yaml and Pulumi.drill.yaml: how to restore the source inventory. */
export const restoreStackSchema = z.strictObject({
  mode: z.enum(["recovery", "drill"]),
  source: z.string().min(1),
  suffix: name,
  namespace: name.optional(),
  restorePoint: z.union([z.literal("latest"), isoTime]).default("latest"),
  deletionProtection: z.boolean(),
  trafficCutover: z.boolean(),
  /**
   * The container image of this project, run by the restore and sync Jobs: a version tag or a
   * digest, never `:latest` or untagged. Defaults in components/ (DEFAULT_WORKER_IMAGE).
   */
  workerImage: z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      if (unpinnedImageProblem(value) !== undefined) ctx.addIssue({ code: "custom", message: "WORKER_IMAGE", input: value });
    })
    .optional(),
  /** Drills: the simulated failure time the achieved RPO is measured against. Defaults to the drill's start. */
  failureTime: isoTime.optional(),
  /** How long `pulumi up` waits; defaults in components/ (DEFAULT_DATABASE_TIMEOUTS, DEFAULT_TRAFFIC_TIMEOUT). */
  timeouts: z
    .strictObject({
      database: databaseTimeoutsSchema.default({}),
      traffic: z.strictObject({ create: duration.optional() }).default({}),
    })
    .optional(),
  databases: z.record(z.string(), databaseRestoreSchema).default({}),
  /** ElastiCache: snapshot, nodeType. Cluster: storageGb, storageClassName. stacks/resolve/caches.ts refuses the other kind's. */
  caches: z
    .record(
      z.string(),
      z.strictObject({
        snapshot: z.string().min(1).optional(),
        nodeType: z.string().optional(),
        storageGb: z.number().int().positive().optional(),
        storageClassName: z.string().min(1).optional(),
      }),
    )
    .default({}),
  buckets: z
    .record(
      z.string(),
      z.strictObject({
        mode: z.enum(["promote", "rebuild"]).optional(),
        bucket: z.string().min(3).optional(),
        /** The log bucket this stack creates for the rebuilt bucket's access logs, and the prefix in it. */
        logging: z.strictObject({ targetBucket: z.string().min(3).optional(), targetPrefix: z.string().optional() }).optional(),
      }),
    )
    .default({}),
  secrets: z
    .record(
      z.string(),
      z.strictObject({
        versionStage: z.string().min(1).optional(),
        versionId: z.string().min(1).optional(),
        writeRecoverySecret: z.boolean().optional(),
      }),
    )
    .default({}),
});

export type Inventory = z.infer<typeof inventorySchema>;
export type RestoreStack = z.infer<typeof restoreStackSchema>;
export type DatabaseInventory = z.infer<typeof databaseSchema>;
export type CacheInventory = z.infer<typeof cacheSchema>;
export type ElastiCacheInventory = z.infer<typeof elastiCacheSchema>;
export type ClusterCacheInventory = z.infer<typeof clusterCacheSchema>;
export type BucketInventory = z.infer<typeof bucketSchema>;
export type SecretInventory = z.infer<typeof secretSchema>;
export type ServiceInventory = z.infer<typeof serviceSchema>;
export type SmokeTest = z.infer<typeof smokeSchema>;
