import { strict as assert } from "node:assert";
import {
  validateClusterConfigArgs,
  validateLogicalRestoreArgs,
  validateRecoveryEnvironmentArgs,
  validateMigrationJobArgs,
  validateReplicaBucketSyncArgs,
  validateRestoredCacheArgs,
  validateRestoredDatabaseArgs,
  validateSecretVersionsArgs,
  validateServiceRedeploymentArgs,
  validateSmokeGateArgs,
  validateTrafficCutoverArgs,
} from "../../components";
import type { RecoveryMode } from "../../components";
import { buildPlan } from "../../plan";
import { loadStack } from "../../stacks";
import {
  bucketArgs,
  cacheArgs,
  clusterArgs,
  databaseArgs,
  logicalArgs,
  ORDERS_SOURCE,
  migrationArgs,
  secretArgs,
  serviceArgs,
  smokeArgs,
  trafficArgs,
} from "./fixtures";

// Pure: no Pulumi runtime. Each `it` changes one property of a valid factory.

describe("validateRestoredDatabaseArgs", () => {
  it("accepts the fixture for point in time and for snapshot", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs()), []);
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ method: "snapshot", snapshot: "latest" })), []);
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ restoreTime: "2026-11-24T14:30:00Z" })), []);
  });

  it("refuses the source's own identifier, since a refresh after such a restore dropped the instance", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ identifier: "lomash-orders-prod" })), [
      'identifier: "lomash-orders-prod" is the source database\'s own identifier; a restore always gets a new one, like "lomash-orders-prod-recovery"',
    ]);
  });

  it("refuses any other production name as the identifier", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ identifier: "lomash-wood-backups" })), [
      'identifier: "lomash-wood-backups" is a production resource\'s name; choose a new identifier',
    ]);
  });

  it("refuses an identifier RDS would refuse", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ identifier: "Orders--restored-" })), [
      'identifier: "Orders--restored-" is not a valid RDS identifier (lowercase letters, digits, single hyphens, at most 63 characters); shorten or fix it',
    ]);
  });

  it("refuses a method other than point-in-time or snapshot, pointing at LogicalRestore", () => {
    const args = { ...databaseArgs(), method: "logical" } as unknown as Parameters<typeof validateRestoredDatabaseArgs>[0];
    assert.deepEqual(validateRestoredDatabaseArgs(args), [
      'method must be "point-in-time" or "snapshot" (got "logical"); restore a pg_dump file with LogicalRestore',
    ]);
  });

  it("refuses a restore time that is neither latest nor an ISO time", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ restoreTime: "yesterday 14:30" })), [
      'restoreTime: the string "yesterday 14:30" is not an ISO 8601 time; write it like 2026-02-18T14:30:00Z',
    ]);
  });

  it("refuses a restore time on a snapshot restore and a snapshot on a point-in-time restore", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ method: "snapshot", restoreTime: "latest" })), [
      'restoreTime only applies to method "point-in-time"; remove it or change the method',
    ]);
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ snapshot: "latest" })), [
      'snapshot only applies to method "snapshot"; remove it or change the method',
    ]);
  });

  it("refuses a final snapshot name in a drill, which must be destroyable", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ mode: "drill", finalSnapshotIdentifier: "x-final" })), [
      "finalSnapshotIdentifier is set, but a drill takes no final snapshot (it must be destroyable); remove it",
    ]);
  });

  it("refuses an unknown mode, a non-RDS instance class and no security groups", () => {
    assert.deepEqual(
      validateRestoredDatabaseArgs(databaseArgs({ mode: "prod" as RecoveryMode, instanceClass: "r6g.large", securityGroupIds: [] })),
      [
        'mode must be one of recovery, drill (got "prod"); use "recovery" for a real rebuild or "drill" for a rehearsal',
        'instanceClass "r6g.large" is not an RDS instance class; use one like "db.r6g.large"',
        "securityGroupIds is empty; a private database needs at least one security group",
      ],
    );
  });
});

describe("the checks every RDS target shares", () => {
  it("refuses a KMS alias, since kmsKeyId is replace-only and the API answers the key's ARN", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ source: { ...ORDERS_SOURCE, kmsKeyId: "alias/lomash-rds" } })), [
      'source.kmsKeyId: the string "alias/lomash-rds" is not a KMS key ARN; kmsKeyId is replace-only and a restore cannot change it, so give the full key ARN (arn:aws:kms:<region>:<account>:key/<id>), which `aws kms describe-key --key-id alias/lomash-rds --query KeyMetadata.Arn --output text` prints',
    ]);
  });

  it("refuses a DbiResourceId that is not one, saying how to read it", () => {
    assert.deepEqual(validateLogicalRestoreArgs(logicalArgs({ source: { ...ORDERS_SOURCE, dbiResourceId: "db-lower" } })), [
      `source.dbiResourceId: the string "db-lower" is not a DbiResourceId (db- followed by capitals and digits); read it with \`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].DbiResourceId'\``,
    ]);
  });

  it("refuses a timeout without a unit", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ timeouts: { create: "240", delete: "2h" } })), [
      'timeouts.create: the string "240" is not a duration; write a whole number with a unit, like 90m or 4h (s, m or h)',
    ]);
  });
});

describe("validateLogicalRestoreArgs", () => {
  it("accepts the fixture", () => assert.deepEqual(validateLogicalRestoreArgs(logicalArgs()), []));

  it("refuses the source's identifier, a bad job count, a bad table name and too little storage", () => {
    assert.deepEqual(
      validateLogicalRestoreArgs(logicalArgs({ identifier: "lomash-orders-prod", jobs: 0, tables: ["orders; drop"], allocatedStorageGb: 5 })),
      [
        'identifier: "lomash-orders-prod" is the source database\'s own identifier; a restore always gets a new one, like "lomash-orders-prod-recovery"',
        "jobs must be a whole number from 1 to 32 (got 0)",
        'table "orders; drop" is not a table name; use names like orders or public.orders',
        "allocatedStorageGb must be a whole number of at least 20 (got 5)",
      ],
    );
  });

  it("refuses an engine version that is not a PostgreSQL version and a restore run below 1", () => {
    assert.deepEqual(validateLogicalRestoreArgs(logicalArgs({ engineVersion: "latest", restoreRun: 0 })), [
      'engineVersion "latest" is not a PostgreSQL version; write it like 15.7',
      "restoreRun must be a whole number of at least 1 (got 0); raise it by one to run the restore again",
    ]);
  });

  it("refuses a dump bucket that is not an S3 name", () => {
    assert.deepEqual(validateLogicalRestoreArgs(logicalArgs({ dumps: { bucket: "Backups!", prefix: "" } })), [
      'dumps.bucket "Backups!" is not an S3 bucket name',
    ]);
  });
});

describe("validateMigrationJobArgs", () => {
  it("accepts the fixture", () => assert.deepEqual(validateMigrationJobArgs(migrationArgs()), []));
  it("refuses an empty command and an empty image", () => {
    assert.deepEqual(validateMigrationJobArgs(migrationArgs({ command: [], image: " " })), [
      'command of service "order-payment" is empty; give the migration command, like ["npx", "prisma", "migrate", "deploy"]',
      'image of service "order-payment" is empty; the migrations run from the service\'s image',
    ]);
  });
});

describe("validateRestoredCacheArgs", () => {
  it("accepts the fixture", () => assert.deepEqual(validateRestoredCacheArgs(cacheArgs()), []));
  it("refuses the source's own replication group id", () => {
    assert.deepEqual(validateRestoredCacheArgs(cacheArgs({ replicationGroupId: "lomash-wood-redis-prod" })), [
      'replicationGroupId "lomash-wood-redis-prod" is the source\'s own; restore under a new id, like "lomash-wood-redis-prod-recovery"',
    ]);
  });
  it("refuses an id over ElastiCache's 40 characters and a non-cache node type", () => {
    assert.deepEqual(validateRestoredCacheArgs(cacheArgs({ replicationGroupId: "lomash-wood-redis-prod-recovery-quarterly", nodeType: "r6g.large" })), [
      'replicationGroupId "lomash-wood-redis-prod-recovery-quarterly" is not a valid ElastiCache id (lowercase letters, digits, single hyphens, at most 40 characters)',
      'nodeType "r6g.large" is not an ElastiCache node type; use one like "cache.r6g.large"',
    ]);
  });
});

describe("validateReplicaBucketSyncArgs", () => {
  it("accepts a rebuild and a promote in a recovery", () => {
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs()), []);
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ strategy: "promote", bucket: undefined, namespace: undefined })), []);
  });
  it("refuses to rebuild into the source or the replica bucket", () => {
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ bucket: "lomash-wood-media-prod" })), [
      'bucket: "lomash-wood-media-prod" is the source bucket; a rebuild writes a new bucket, like "lomash-wood-media-prod-recovery"',
    ]);
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ bucket: "lomash-wood-media-prod-replica" })), [
      'bucket: "lomash-wood-media-prod-replica" is the replica bucket; a rebuild writes a new bucket, like "lomash-wood-media-prod-recovery"',
    ]);
  });
  it("refuses any other production bucket as the target", () => {
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ bucket: "lomash-wood-backups" })), [
      'bucket: "lomash-wood-backups" is a production bucket; choose a new name',
    ]);
  });
  it("refuses to promote production's replica in a drill", () => {
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ mode: "drill", strategy: "promote", bucket: undefined })), [
      "strategy: a drill never points services at production's replica (they would write to it); use strategy: rebuild",
    ]);
  });
  it("refuses a rebuild without a bucket or a namespace", () => {
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ bucket: undefined, namespace: undefined })), [
      "bucket is required for strategy rebuild: the new bucket to fill from the replica",
      "namespace is required for strategy rebuild: the sync Job runs in the cluster",
    ]);
  });
});

describe("validateSecretVersionsArgs", () => {
  it("accepts the fixture", () => assert.deepEqual(validateSecretVersionsArgs(secretArgs()), []));
  it("refuses both a version stage and a version id", () => {
    assert.deepEqual(validateSecretVersionsArgs(secretArgs({ versionStage: "AWSPREVIOUS", versionId: "v1" })), [
      "versionId: give either versionId or versionStage, not both",
    ]);
  });
  it("refuses to write the restored value back into the production secret", () => {
    assert.deepEqual(validateSecretVersionsArgs(secretArgs({ recoverySecretId: "lomash-wood/production/jwt-secret" })), [
      'recoverySecretId "lomash-wood/production/jwt-secret" is a production secret; the restored value goes to a new secret, like "lomash-wood/production/jwt-secret-recovery"',
    ]);
  });
  it("refuses a key that is not an environment variable name, and a value under that same key", () => {
    assert.deepEqual(validateSecretVersionsArgs(secretArgs({ key: "jwt-secret" })), [
      'key "jwt-secret" is not an environment variable name; use letters, digits and underscores, like JWT_SECRET',
    ]);
    assert.deepEqual(validateSecretVersionsArgs(secretArgs({ values: { JWT_SECRET: "x" } })), [
      'values must not repeat key "JWT_SECRET"; it holds the restored secret',
    ]);
  });
});

describe("validateServiceRedeploymentArgs", () => {
  it("accepts the fixture, and 0 replicas", () => {
    assert.deepEqual(validateServiceRedeploymentArgs(serviceArgs()), []);
    assert.deepEqual(validateServiceRedeploymentArgs(serviceArgs({ replicas: 0 })), []);
  });
  it("refuses a bad port, health path and replica count", () => {
    assert.deepEqual(validateServiceRedeploymentArgs(serviceArgs({ port: 70000, healthPath: "health", replicas: -1 })), [
      "port must be from 1 to 65535 (got 70000)",
      'healthPath "health" must start with "/", like "/health"',
      "replicas must be a whole number, 0 or more (got -1)",
    ]);
  });
  it("refuses a variable both in env and secretEnv", () => {
    assert.deepEqual(validateServiceRedeploymentArgs(serviceArgs({ env: { DATABASE_URL: "x" }, secretEnv: { DATABASE_URL: "y" } })), [
      'environment variable "DATABASE_URL" is in both env and secretEnv; keep it in secretEnv only',
    ]);
  });
});

describe("validateClusterConfigArgs", () => {
  it("accepts the fixture", () => assert.deepEqual(validateClusterConfigArgs(clusterArgs()), []));
  it("refuses production's own namespace", () => {
    assert.deepEqual(validateClusterConfigArgs(clusterArgs({ namespace: "lomash-wood" })), [
      'namespace "lomash-wood" is production\'s own; use a namespace of its own, like "lomash-wood-recovery"',
    ]);
  });
  it("refuses a manifests folder outside the repository", () => {
    assert.deepEqual(validateClusterConfigArgs(clusterArgs({ manifests: "../elsewhere" })), [
      'manifests "../elsewhere" must be a folder inside the repository, like "k8s/production"',
    ]);
  });
});

describe("validateSmokeGateArgs and validateTrafficCutoverArgs", () => {
  it("accept their fixtures", () => {
    assert.deepEqual(validateSmokeGateArgs(smokeArgs()), []);
    assert.deepEqual(validateTrafficCutoverArgs(trafficArgs()), []);
  });
  it("refuse an empty smoke list, since traffic waits for at least one passing check", () => {
    assert.deepEqual(validateSmokeGateArgs(smokeArgs({ tests: [] })), [
      "tests is empty; traffic is switched only after at least one smoke test passed (recovery:smoke)",
    ]);
  });
  it("refuse a traffic timeout without a unit", () => {
    assert.deepEqual(validateTrafficCutoverArgs(trafficArgs({ timeout: "30" })), ['timeout: the string "30" is not a duration; write a whole number with a unit, like 90m or 4h (s, m or h)']);
  });
  it("refuse a host that is not a DNS name and a port out of range", () => {
    assert.deepEqual(validateTrafficCutoverArgs(trafficArgs({ host: "not a host", gatewayPort: 0 })), [
      "gatewayPort must be from 1 to 65535 (got 0)",
      'host "not a host" is not a DNS name, like api.example.com',
    ]);
  });
});

describe("validateRecoveryEnvironmentArgs", () => {
  const config = loadStack("recovery");
  const plan = buildPlan(config);

  it("accepts a config with the plan built from it", () => {
    assert.deepEqual(validateRecoveryEnvironmentArgs({ config, plan }), []);
  });

  it("refuses another stack's plan", () => {
    assert.deepEqual(validateRecoveryEnvironmentArgs({ config, plan: buildPlan(loadStack("drill")) }), [
      'the plan is stack "drill"\'s, but the config is stack "recovery"\'s; build the plan from this config',
    ]);
  });

  it("refuses steps out of dependency order, naming the step and what it waits for", () => {
    const reversed = { ...plan, steps: [...plan.steps].reverse() };
    const problems = validateRecoveryEnvironmentArgs({ config, plan: reversed });
    assert.equal(problems.length, plan.steps.reduce((n, s) => n + s.dependsOn.length, 0));
    assert.equal(
      problems[0],
      "step traffic:api-gateway depends on smoke:api-gateway, which does not come before it; steps must be in dependency order (buildPlan's)",
    );
  });
});
