import { CreateReplicationGroupCommand, CreateSnapshotCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { CreateDBInstanceCommand, CreateDBParameterGroupCommand, DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import {
  CreateBucketCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import type { ItemKind, ReadinessItem, ReadinessReport } from "../../readiness/types";
import { loadStack, type BucketInventory, type RecoveryConfig } from "../../stacks";
import { corsToS3, lifecycleToS3 } from "../../stacks/bucket-documents";
import { logDeliveryPolicy } from "../../stacks/bucket-settings";
import { startMoto, type LocalAws } from "./moto";
import { repoStackFiles, writeStackFiles, type StackFiles } from "./stack-files";
import { manifestKeyFor, type DumpManifest } from "../../workers/dump-manifest";
import { rdbFileName, rdbManifestKeyFor, type RedisManifest } from "../../workers/redis-manifest";

export const rds = (region = "eu-west-2") => new RDSClient({ region });
export const s3 = (region = "eu-west-2") => new S3Client({ region, followRegionRedirects: true });
export const secrets = () => new SecretsManagerClient({ region: "eu-west-2" });
export const elastiCache = () => new ElastiCacheClient({ region: "eu-west-2" });

/** Empties moto between tests: every `it` starts from the same fleet. */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: "POST", signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
}

/** Production's bucket configured as the inventory records it: readiness finds no drift. */
export async function configureAsInventory(b: BucketInventory): Promise<void> {
  if (b.ownership) await s3().send(new PutBucketOwnershipControlsCommand({ Bucket: b.bucket, OwnershipControls: { Rules: [{ ObjectOwnership: b.ownership }] } }));
  if (b.policy) await s3().send(new PutBucketPolicyCommand({ Bucket: b.bucket, Policy: JSON.stringify(b.policy) }));
  if (b.cors) await s3().send(new PutBucketCorsCommand({ Bucket: b.bucket, CORSConfiguration: { CORSRules: corsToS3(b.cors) } }));
  if (b.lifecycle) await s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: b.bucket, LifecycleConfiguration: { Rules: lifecycleToS3(b.lifecycle) } }));
  if (b.logging)
    await s3().send(new PutBucketLoggingCommand({ Bucket: b.bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: b.logging.targetBucket, TargetPrefix: b.logging.targetPrefix } } }));
}

export async function createBucket(name: string, region: string, versioned: boolean): Promise<void> {
  await s3(region).send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: region as "eu-west-1" } }));
  if (versioned) await s3(region).send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }));
}

/** What production's instance runs besides its data (issue 19), as the inventory records it. */
export interface InstanceSettings {
  readonly parameterGroup?: string;
  readonly caCertificateIdentifier?: string;
  readonly logExports?: readonly string[];
  readonly iamAuth?: boolean;
}

/** A parameter group in the account, as production's would be (moto keeps its name and family). */
export async function createParameterGroup(name: string, family = "postgres15"): Promise<void> {
  await rds().send(new CreateDBParameterGroupCommand({ DBParameterGroupName: name, DBParameterGroupFamily: family, Description: "production's settings" }));
}

export async function createDatabase(identifier: string, retentionDays = 7, settings: InstanceSettings = {}): Promise<void> {
  await rds().send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: identifier,
      Engine: "postgres",
      EngineVersion: "15.7",
      DBInstanceClass: "db.r6g.large",
      AllocatedStorage: 20,
      MasterUsername: "lomash_admin",
      MasterUserPassword: "not-a-real-password",
      BackupRetentionPeriod: retentionDays,
      DBName: identifier.replace(/-prod$/, "").replace(/-/g, "_"),
      VpcSecurityGroupIds: ["sg-0a1b2c3d4e5f60718"],
      StorageEncrypted: true,
      KmsKeyId: "arn:aws:kms:eu-west-2:123456789012:key/8c1d2f7e-1b0a-4a41-9d0e-6f1e2d3c4b5a",
      DBParameterGroupName: settings.parameterGroup,
      CACertificateIdentifier: settings.caCertificateIdentifier,
      EnableCloudwatchLogsExports: settings.logExports === undefined ? undefined : [...settings.logExports],
      EnableIAMDatabaseAuthentication: settings.iamAuth,
    }),
  );
}

/** A dump and the manifest `npm run backup` writes beside it, the data as of `serverTime`. */
export async function putDump(bucket: string, prefix: string, database: string, serverTime: Date): Promise<string> {
  const body = Buffer.from(`PGDMP ${database} ${serverTime.toISOString()}`);
  const key = `${prefix}${database}-${serverTime.getTime()}.dump`;
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const manifest: DumpManifest = {
    kind: "recovery-stacks/pg-dump",
    formatVersion: 1,
    dump: { bucket, key, sizeBytes: body.length, sha256: createHash("sha256").update(body).digest("hex"), format: "custom", compression: "none" },
    createdAt: serverTime.toISOString(),
    source: { database, host: "prod", port: 5432, postgresVersion: "15.7", serverVersionNum: 150007, systemIdentifier: null, serverTime: serverTime.toISOString() },
    pgDumpVersion: "15.7",
    tables: [],
  };
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: manifestKeyFor(key), Body: JSON.stringify(manifest) }));
  return key;
}

/**
 * An RDB and the manifest `npm run backup:redis` writes beside it, saved at `savedAt` by a Redis
 * of `redisVersion` (RDB version `rdbVersion`). The bytes are not a loadable RDB: readiness reads
 * the manifest and heads the object, never the file itself.
 */
export async function putRdb(
  bucket: string,
  prefix: string,
  savedAt: Date,
  options: { rdbVersion?: number; redisVersion?: string } = {},
): Promise<string> {
  const rdbVersion = options.rdbVersion ?? 10;
  const body = Buffer.from(`REDIS${String(rdbVersion).padStart(4, "0")} sessions as of ${savedAt.toISOString()}`);
  const key = `${prefix}${rdbFileName(savedAt)}`;
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const manifest: RedisManifest = {
    kind: "recovery-stacks/redis-rdb",
    formatVersion: 1,
    rdb: { bucket, key, sizeBytes: body.length, sha256: createHash("sha256").update(body).digest("hex"), rdbVersion },
    createdAt: savedAt.toISOString(),
    source: { host: "redis-master-0", port: 6379, redisVersion: options.redisVersion ?? "7.0.15", savedAt: savedAt.toISOString(), usedMemoryBytes: 1_048_576 },
    redisCliVersion: "7.0.15",
    databases: [{ db: 0, keys: 3, expires: 1, prefixes: { "session:": 3 }, otherPrefixKeys: 0 }],
  };
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: rdbManifestKeyFor(key), Body: JSON.stringify(manifest) }));
  return key;
}

/**
 * Pulumi.prod.yaml's fleet as moto knows it, healthy: the databases with 7-day backups, a nightly
 * dump an hour old, the sessions cache's RDB an hour old (or, for an ElastiCache inventory, its group with a snapshot), versioned buckets replicating into
 * versioned replicas in eu-west-1 with the same recent objects, secrets rotated once.
 */
export interface FleetOptions {
  readonly now?: Date;
  readonly dumpAgeMinutes?: number;
  /** ElastiCache: whether each group has its nightly snapshot. Defaults to `true`. */
  readonly cacheSnapshots?: boolean;
  /** ElastiCache: the parameter group production runs, when not the inventory's (drift). */
  readonly cacheParameterGroup?: string;
  /** Cluster caches: the age of the newest RDB, or `null` for none at all. Defaults to 60 minutes. */
  readonly rdbAgeMinutes?: number | null;
}

export async function buildFleet(config: RecoveryConfig, options: FleetOptions = {}): Promise<void> {
  const now = options.now ?? new Date();
  for (const group of new Set(config.databases.flatMap((d) => d.source.parameterGroup ?? []))) await createParameterGroup(group);
  // Configured as the inventory records: a healthy fleet has no configuration drift.
  for (const d of config.databases) if (d.method !== "logical") await createDatabase(d.source.identifier, d.source.backupRetentionDays, d.source);
  const backupBuckets = new Set([...config.databases.map((d) => d.source.dumps.bucket), ...config.caches.flatMap((c) => (c.kind === "cluster" ? [c.rdb.bucket] : []))]);
  for (const b of backupBuckets) await createBucket(b, config.region, true);
  for (const d of config.databases.filter((x) => x.method === "logical"))
    await putDump(d.source.dumps.bucket, d.source.dumps.prefix, d.source.dbName, new Date(now.getTime() - (options.dumpAgeMinutes ?? 60) * 60_000));
  for (const c of config.caches) {
    if (c.kind === "cluster") {
      // Seed 004's nightly RDB of the in-cluster Redis, with an older one beside it.
      const age = options.rdbAgeMinutes === undefined ? 60 : options.rdbAgeMinutes;
      if (age !== null) {
        await putRdb(c.rdb.bucket, c.rdb.prefix, new Date(now.getTime() - (age + 24 * 60) * 60_000));
        await putRdb(c.rdb.bucket, c.rdb.prefix, new Date(now.getTime() - age * 60_000));
      }
      continue;
    }
    // moto keeps the parameter group without the group existing, and records it in the group's snapshots.
    const parameterGroup = options.cacheParameterGroup ?? c.source.parameterGroup;
    await elastiCache().send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: c.source.replicationGroupId,
        ReplicationGroupDescription: c.name,
        CacheNodeType: c.source.nodeType,
        NumCacheClusters: c.source.numCacheClusters,
        Engine: "redis",
        SnapshotRetentionLimit: c.source.snapshotRetentionDays,
        ...(parameterGroup ? { CacheParameterGroupName: parameterGroup } : {}),
      }),
    );
    if (options.cacheSnapshots ?? true) await elastiCache().send(new CreateSnapshotCommand({ ReplicationGroupId: c.source.replicationGroupId, SnapshotName: `${c.source.replicationGroupId}-nightly` }));
  }
  // Production's log buckets, each letting S3's log delivery write for the buckets that log into it.
  const logTargets = new Map<string, Array<{ bucket: string; prefix: string }>>();
  for (const b of config.buckets)
    if (b.source.logging) logTargets.set(b.source.logging.targetBucket, [...(logTargets.get(b.source.logging.targetBucket) ?? []), { bucket: b.source.bucket, prefix: b.source.logging.targetPrefix }]);
  for (const [target, sources] of logTargets) {
    await createBucket(target, config.region, false);
    await s3().send(new PutBucketPolicyCommand({ Bucket: target, Policy: JSON.stringify(logDeliveryPolicy(target, sources)) }));
  }
  for (const b of config.buckets) {
    await createBucket(b.source.bucket, config.region, true);
    await configureAsInventory(b.source);
    await createBucket(b.source.replica.bucket, b.source.replica.region, true);
    await s3().send(
      new PutBucketReplicationCommand({
        Bucket: b.source.bucket,
        ReplicationConfiguration: {
          Role: "arn:aws:iam::123456789012:role/s3-replication",
          Rules: [{ ID: "all", Status: "Enabled", Priority: 1, Filter: { Prefix: "" }, DeleteMarkerReplication: { Status: "Enabled" }, Destination: { Bucket: `arn:aws:s3:::${b.source.replica.bucket}` } }],
        },
      }),
    );
    for (let i = 0; i < 3; i++) {
      await s3().send(new PutObjectCommand({ Bucket: b.source.bucket, Key: `media/${i}.jpg`, Body: `image ${i}` }));
      await s3(b.source.replica.region).send(new PutObjectCommand({ Bucket: b.source.replica.bucket, Key: `media/${i}.jpg`, Body: `image ${i}` }));
    }
  }
  for (const s of config.secrets) {
    await secrets().send(new CreateSecretCommand({ Name: s.source.secretId, SecretString: `${s.name}-v1` }));
    await secrets().send(new PutSecretValueCommand({ SecretId: s.source.secretId, SecretString: `${s.name}-v2` }));
  }
}

/**
 * The repository's stack files with each database's `dbiResourceId` as the account has it, read
 * with DescribeDBInstances the way an operator fills it (the query in Pulumi.prod.yaml). moto
 * assigns its own id on create (CreateDBInstance cannot set one), so the example ids of
 * Pulumi.prod.yaml never match a fleet built in moto. A database without an instance (a logical
 * one, or one the test deleted) keeps the file's value.
 */
export async function fleetStackFiles(): Promise<StackFiles> {
  const files = repoStackFiles();
  for (const db of files.prod.config["recovery:databases"] as Record<string, unknown>[]) {
    try {
      const { DBInstances = [] } = await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: String(db.identifier) }));
      if (DBInstances[0]?.DbiResourceId) db.dbiResourceId = DBInstances[0].DbiResourceId;
    } catch (error) {
      if (!/^DBInstanceNotFound/.test((error as Error).name)) throw error;
    }
  }
  return files;
}

/** A temp copy of the stack files as `fleetStackFiles` fills them, `edit`ed, and the stack loaded from it. */
export async function fleetStack(
  stack: string,
  edit: (files: StackFiles) => void = () => undefined,
): Promise<{ config: RecoveryConfig; root: string; cleanup: () => void }> {
  const files = await fleetStackFiles();
  edit(files);
  const { root, cleanup } = writeStackFiles(files);
  try {
    return { config: loadStack(stack, { root }), root, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** `stack` loaded from stack files of the test's own (another inventory), without a fleet's ids. */
export function stackFrom(files: StackFiles, stack: string): RecoveryConfig {
  const { root, cleanup } = writeStackFiles(files);
  try {
    return loadStack(stack, { root });
  } finally {
    cleanup();
  }
}

export type FleetStack = Awaited<ReturnType<typeof fleetStack>>;

export interface MotoFleet {
  /** The describe block's moto (started in `before`). */
  readonly aws: LocalAws;
  /** The stack files of the fleet `build` made in this test, if it made one. */
  readonly stack: FleetStack | undefined;
  /** Builds `config`'s fleet in moto and stack files that describe it (each dbiResourceId as moto assigned it), `edit`ed. */
  build(config: RecoveryConfig, options?: FleetOptions, edit?: (files: StackFiles) => void): Promise<FleetStack>;
  /** Stack files describing the fleet already in moto, `edit`ed (`fleetStack`); removed after the test. */
  files(edit?: (files: StackFiles) => void): Promise<FleetStack>;
}

/**
 * The readiness suites' shared setup, called inside `describe`: one moto for the block (stopped
 * in `after`, even on failure), emptied before each test so every `it` starts from the same
 * account, and the stack files a test built removed after it.
 */
export function useMotoFleet(): MotoFleet {
  let aws: LocalAws | undefined;
  let stack: FleetStack | undefined;
  before(async () => {
    aws = await startMoto();
  });
  after(async () => {
    await aws?.stop();
  });
  beforeEach(async () => {
    await resetMoto(aws!.endpoint);
  });
  afterEach(() => {
    stack?.cleanup();
    stack = undefined;
  });
  return {
    get aws() {
      assert.ok(aws, "moto is started in the describe block's before hook");
      return aws;
    },
    get stack() {
      return stack;
    },
    async build(config, options = {}, edit) {
      await buildFleet(config, options);
      return this.files(edit);
    },
    async files(edit) {
      stack?.cleanup();
      stack = await fleetStack("recovery", edit);
      return stack;
    },
  };
}

/** The report's item `kind:name`; fails the test, naming it, when there is none. */
export function itemOf(report: ReadinessReport, kind: ItemKind, name: string): ReadinessItem {
  const found = report.items.find((i) => i.kind === kind && i.name === name);
  assert.ok(found, `no item ${kind}:${name}`);
  return found;
}
