import { strict as assert } from "node:assert";
import {
  validateClusterConfigArgs,
  validateClusterRedisArgs,
  validateReplicaBucketSyncArgs,
  validateRestoredDatabaseArgs,
  validateSecretVersionsArgs,
} from "../../components";
import { ConfigError, loadStack, propertyPath } from "../../stacks";
import { oldestRestorable, restoreTimeProblems } from "../../stacks/checks/restore-time";
import { bucketArgs, clusterArgs, databaseArgs, ORDERS_SOURCE, secretArgs } from "../components/fixtures";
import { repoStackFiles, writeStackFiles, type StackFiles } from "../support/stack-files";

// The loader and the components run the same validators (stacks/checks, stacks/schema.ts): a
// mistake made in Pulumi.recovery.yaml and the same mistake in a component's args are refused
// with one message, the key path the only difference. Suffix "recovery" is also the components'
// suggestion, so the messages match to the byte.

const NOW = new Date("2026-11-25T12:00:00Z");
type Json = Record<string, unknown>;
const recovery = (f: StackFiles): Json => f.recovery.config;

/** The one problem the loader finds in the recovery stack after `change`: its key and message. */
function loaderProblem(change: (files: StackFiles) => void): { key: string; message: string } {
  const files = repoStackFiles();
  change(files);
  const { root, cleanup } = writeStackFiles(files);
  try {
    loadStack("recovery", { root, now: NOW });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.problems.length, 1, error.message);
    return { key: error.problems[0].key, message: error.problems[0].message };
  } finally {
    cleanup();
  }
  throw new Error("the loader accepted the change");
}

const override = (f: StackFiles, list: string, name: string, value: Json): void => {
  recovery(f)[`recovery:${list}`] = { [name]: value };
};

describe("the loader and the components refuse a mistake with one message", () => {
  it("says the same of a database restored under its source's identifier", () => {
    const loader = loaderProblem((f) => override(f, "databases", "orders", { identifier: ORDERS_SOURCE.identifier }));
    assert.equal(loader.key, "recovery:databases.orders.identifier");
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ identifier: ORDERS_SOURCE.identifier })), [`identifier: ${loader.message}`]);
  });

  it("says the same of a database identifier RDS would refuse", () => {
    const loader = loaderProblem((f) => override(f, "databases", "orders", { identifier: "Orders--restored-" }));
    assert.equal(loader.key, "recovery:databases.orders.identifier");
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ identifier: "Orders--restored-" })), [`identifier: ${loader.message}`]);
  });

  it("says the same of enhanced monitoring without its role", () => {
    const loader = loaderProblem((f) => override(f, "databases", "orders", { monitoring: { intervalSeconds: 60 } }));
    assert.equal(loader.key, "recovery:databases.orders.monitoring.roleArn");
    const configuration = { logExports: [], iamAuth: false, monitoring: { intervalSeconds: 60 } };
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ configuration })), [`configuration.monitoring.roleArn: ${loader.message}`]);
  });

  it("says the same of a database create timeout without a unit", () => {
    const loader = loaderProblem((f) => {
      recovery(f)["recovery:timeouts"] = { database: { create: "240" } };
    });
    assert.equal(loader.key, "recovery:timeouts.database.create");
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ timeouts: { create: "240" } })), [`timeouts.create: ${loader.message}`]);
  });

  it("says the same of a restore time that is not an ISO time", () => {
    const loader = loaderProblem((f) => {
      recovery(f)["recovery:restorePoint"] = "yesterday 14:30";
    });
    assert.equal(loader.key, "recovery:restorePoint");
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ restoreTime: "yesterday 14:30" })), [`restoreTime: ${loader.message}`]);
  });

  it("says the same of a bucket rebuilt into its source", () => {
    const loader = loaderProblem((f) => override(f, "buckets", "media", { bucket: "lomash-wood-media-prod" }));
    assert.equal(loader.key, "recovery:buckets.media.bucket");
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ bucket: "lomash-wood-media-prod" })), [`bucket: ${loader.message}`]);
  });

  it("says the same of a misspelt AWS staging label", () => {
    const loader = loaderProblem((f) => override(f, "secrets", "jwt", { versionStage: "AWSPREVIUOS" }));
    assert.equal(loader.key, "recovery:secrets.jwt.versionStage");
    assert.deepEqual(validateSecretVersionsArgs(secretArgs({ versionStage: "AWSPREVIUOS" })), [`versionStage: ${loader.message}`]);
  });

  it("says the same of a secret given both a version id and a stage", () => {
    const loader = loaderProblem((f) => override(f, "secrets", "jwt", { versionId: "v1", versionStage: "AWSPREVIOUS" }));
    assert.equal(loader.key, "recovery:secrets.jwt.versionId");
    assert.deepEqual(validateSecretVersionsArgs(secretArgs({ versionId: "v1", versionStage: "AWSPREVIOUS" })), [`versionId: ${loader.message}`]);
  });

  it("says the same of a cluster cache whose Redis version neither the inventory nor the image tag gives", () => {
    const image = `redis@sha256:${"a".repeat(64)}`;
    const loader = loaderProblem((f) => {
      const cache = (f.prod.config["recovery:caches"] as Json[]).find((c) => c.kind === "cluster") as Json;
      delete cache.redisVersion;
      cache.redisImage = image;
    });
    assert.match(loader.key, /^recovery:caches\[\d+\]\.redisVersion$/);
    const args = { stack: "recovery", mode: "recovery" as const, namespace: "lomash-wood-recovery", backups: { bucket: "lomash-wood-backups", prefix: "redis/" }, redisImage: image };
    assert.deepEqual(validateClusterRedisArgs("cache-sessions", args), [`redisVersion: ${loader.message}`]);
  });

  it("says the same of production's own namespace", () => {
    const loader = loaderProblem((f) => {
      recovery(f)["recovery:namespace"] = "lomash-wood";
    });
    assert.equal(loader.key, "recovery:namespace");
    assert.deepEqual(validateClusterConfigArgs(clusterArgs({ namespace: "lomash-wood" })), [loader.message]);
  });
});

describe("propertyPath", () => {
  it("writes a component's property as its args spell it", () => {
    assert.equal(propertyPath(["configuration", "monitoring", "roleArn"]), "configuration.monitoring.roleArn");
    assert.equal(propertyPath(["tables", 2]), "tables[2]");
    assert.equal(propertyPath([]), "");
  });
});

describe("the backup window, checked in one place", () => {
  it("refuses a restore point before the oldest restorable time that readiness uses too", () => {
    const loader = loaderProblem((f) => {
      recovery(f)["recovery:restorePoint"] = "2026-10-01T00:00:00Z";
    });
    const retentionDays = Math.min(...(repoStackFiles().prod.config["recovery:databases"] as Array<{ backupRetentionDays: number }>).map((d) => d.backupRetentionDays));
    assert.equal(loader.key, "recovery:restorePoint");
    assert.equal(
      loader.message,
      `2026-10-01T00:00:00Z is older than the ${retentionDays}-day backup retention (oldest restorable ${oldestRestorable(NOW, retentionDays).toISOString()}); pick a later time or restore from a snapshot`,
    );
  });

  it("refuses a time in the future", () => {
    assert.deepEqual(restoreTimeProblems("2026-11-26T00:00:00Z", { retentionDays: 7, now: NOW }), [
      { path: [], message: `2026-11-26T00:00:00Z is in the future; use "latest" or a time before now (${NOW.toISOString()})` },
    ]);
  });

  it("accepts latest and a time inside the window", () => {
    assert.deepEqual(restoreTimeProblems("latest", { retentionDays: 7, now: NOW }), []);
    assert.deepEqual(restoreTimeProblems("2026-11-24T12:00:00Z", { retentionDays: 7, now: NOW }), []);
  });

  it("checks only the form without a window, as a component does", () => {
    assert.deepEqual(restoreTimeProblems("2020-01-01T00:00:00Z"), []);
  });
});
