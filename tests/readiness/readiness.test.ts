import { strict as assert } from "node:assert";
import { DeleteReplicationGroupCommand } from "@aws-sdk/client-elasticache";
import { CreateDBSnapshotCommand, DeleteDBInstanceCommand, DescribeDBInstancesCommand, ModifyDBInstanceCommand } from "@aws-sdk/client-rds";
import { DeleteBucketCommand, DeleteObjectCommand, ListObjectVersionsCommand } from "@aws-sdk/client-s3";
import { CreateSecretCommand, DeleteSecretCommand } from "@aws-sdk/client-secrets-manager";
import { awsClients } from "../../readiness/aws";
import { readinessPreflight } from "../../readiness/preflight";
import { runReadiness } from "../../readiness/run";
import type { ReadinessReport } from "../../readiness/types";
import { loadStack, type RecoveryConfig } from "../../stacks";
import type { StackFiles } from "../support/stack-files";
import { elastiCacheStackFiles } from "../support/cache-kinds";
import { buildFleet, createBucket, createDatabase, elastiCache, fleetStack, itemOf, putRdb, rds, s3, secrets, stackFrom, useMotoFleet } from "../support/fleet";

const ENGINE_UNCHECKED = "could not check that postgres 15.7 is still offered (DescribeDBEngineVersions is not implemented by this endpoint)";
const CACHE_AGE_UNKNOWN =
  "snapshot lomash-wood-redis-prod-nightly reports no creation time, so its age is unknown; check aws elasticache describe-snapshots --snapshot-name lomash-wood-redis-prod-nightly";

describe("readiness against moto: could the recovery stack restore production now?", function () {
  this.timeout(120_000);
  const fleet = useMotoFleet();
  let recovery: RecoveryConfig;
  /** The same stack over an inventory whose sessions cache is ElastiCache (the other kind). */
  let elastiRecovery: RecoveryConfig;

  before(() => {
    recovery = loadStack("recovery");
    elastiRecovery = stackFrom(elastiCacheStackFiles(), "recovery");
  });

  /**
   * Builds the example fleet in moto and the stack files that describe it faithfully (each
   * database's dbiResourceId as moto assigned it), `edit`ed; `check()` reads those.
   */
  const build = async (options: Parameters<typeof buildFleet>[1] = {}, edit?: (files: StackFiles) => void): Promise<void> => {
    await fleet.build(recovery, options, edit);
  };
  /** The fleet with its sessions cache an ElastiCache group (and that inventory), `edit`ed. */
  const buildElastiCache = async (options: Parameters<typeof buildFleet>[1] = {}, edit: (files: StackFiles) => void = () => undefined): Promise<void> => {
    await fleet.build(elastiRecovery, options, (files) => edit(elastiCacheStackFiles(files)));
  };
  const check = async (config = fleet.stack?.config ?? recovery, root = fleet.stack?.root): Promise<ReadinessReport> =>
    (await runReadiness({ config, root, aws: awsClients(10_000) })).report;
  const item = itemOf;

  it("judges the healthy example fleet ready, with nothing uncovered and what moto cannot answer reported as such", async () => {
    await build();
    const report = await check();
    assert.equal(report.ready, true);
    assert.deepEqual(report.uncovered, []);
    assert.deepEqual(report.coverageProblems, []);
    assert.deepEqual(
      report.items.map((i) => [`${i.kind}:${i.name}`, i.status, i.problems]),
      [
        ["database:identity", "warn", [ENGINE_UNCHECKED]],
        ["database:catalog", "warn", [ENGINE_UNCHECKED]],
        ["database:orders", "warn", [ENGINE_UNCHECKED]],
        ["database:appointments", "warn", [ENGINE_UNCHECKED]],
        ["database:analytics", "ok", []],
        ["cache:sessions", "ok", []],
        ["bucket:media", "ok", []],
        ["bucket:uploads", "ok", []],
        ["secret:jwt", "ok", []],
        ["secret:stripe-secret-key", "ok", []],
        ["secret:stripe-webhook", "ok", []],
        ["secret:sendgrid", "ok", []],
      ],
    );
    assert.deepEqual(report.summary, { ok: 8, warn: 4, fail: 0, unchecked: 0, uncovered: 0 });
  });

  it("gives each item its restore source, restore point and tier", async () => {
    await build();
    const report = await check();
    const orders = item(report, "database", "orders");
    assert.equal(orders.restoredFrom, "latest restorable time of lomash-orders-prod");
    assert.ok(orders.achievableRpoMinutes !== null && orders.achievableRpoMinutes <= 1);
    assert.deepEqual(orders.objective, { tier: "stack", rpoMinutes: 15, rtoMinutes: 60 });
    const analytics = item(report, "database", "analytics");
    assert.match(analytics.restoredFrom, /^dump s3:\/\/lomash-wood-backups\/pg-logical\/lomash_analytics\/lomash_analytics-\d+\.dump$/);
    assert.equal(analytics.achievableRpoMinutes, 60);
    assert.deepEqual(analytics.objective, { tier: "non-critical", rpoMinutes: 1440, rtoMinutes: 1440 });
    assert.equal(item(report, "bucket", "media").restoredFrom, "replica s3://lomash-wood-media-prod-replica (eu-west-1)");
    assert.equal(item(report, "bucket", "media").achievableRpoMinutes, 0);
    assert.equal(item(report, "secret", "jwt").restoredFrom, "lomash-wood/production/jwt-secret (stage AWSPREVIOUS)");
    assert.equal(item(report, "secret", "jwt").achievableRpoMinutes, null);
    const sessions = item(report, "cache", "sessions");
    assert.match(sessions.restoredFrom, /^RDB s3:\/\/lomash-wood-backups\/redis\/redis-dump-\d{8}T\d{6}Z\.rdb$/);
    assert.equal(sessions.achievableRpoMinutes, 60);
    assert.deepEqual(sessions.objective, { tier: "non-critical", rpoMinutes: 1440, rtoMinutes: 1440 });
  });

  it("fails a database whose source was deleted with its automated backups, and says to restore another way", async () => {
    await build();
    await rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "lomash-orders-prod", SkipFinalSnapshot: true, DeleteAutomatedBackups: true }));
    const report = await check();
    const orders = item(report, "database", "orders");
    assert.equal(orders.status, "fail");
    assert.equal(orders.restoredFrom, "retained automated backups of lomash-orders-prod");
    assert.deepEqual(orders.problems, [
      "source lomash-orders-prod does not exist and no automated backups of it are retained, so there is no point in time to restore; restore it from a snapshot (recovery:databases.orders.method: snapshot) or its dump (method: logical)",
      ENGINE_UNCHECKED,
    ]);
    assert.equal(report.ready, false);
  });

  it("fails a deleted database whose backups are retained until the inventory has its dbiResourceId", async () => {
    await build({}, (files) => delete (files.prod.config["recovery:databases"] as Record<string, unknown>[])[0].dbiResourceId);
    await rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "lomash-identity-prod", SkipFinalSnapshot: true, DeleteAutomatedBackups: false }));
    const identity = item(await check(), "database", "identity");
    assert.equal(identity.status, "fail");
    assert.equal(identity.problems[0],
      "source lomash-identity-prod is gone but its automated backups are retained; the restore finds them only by resource id: add dbiResourceId: <DbiResourceId from aws rds describe-db-instance-automated-backups --db-instance-identifier lomash-identity-prod> to this database in the inventory");
  });

  it("warns, not fails, for a deleted database whose retained backups the inventory finds by dbiResourceId", async () => {
    await build();
    const dbi = fleet.stack!.config.databases.find((d) => d.name === "identity")!.source.dbiResourceId;
    await rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "lomash-identity-prod", SkipFinalSnapshot: true, DeleteAutomatedBackups: false }));
    const identity = item(await check(), "database", "identity");
    assert.equal(identity.status, "warn");
    assert.deepEqual(identity.problems, [
      `source lomash-identity-prod is gone; the restore uses its retained automated backups (${dbi}) until they expire: find out why it was deleted`,
      "the retained backups of lomash-identity-prod report no restore window, so the achievable restore point is unknown; check aws rds describe-db-instance-automated-backups --db-instance-identifier lomash-identity-prod",
      ENGINE_UNCHECKED,
    ]);
  });

  it("warns when a database's resource id is not the inventory's dbiResourceId: the instance was recreated", async () => {
    await buildFleet(recovery);
    // The repository's own files: their example ids are not the ones moto assigned.
    const { DBInstances } = await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "lomash-orders-prod" }));
    const orders = item(await check(recovery), "database", "orders");
    assert.equal(orders.status, "warn");
    assert.deepEqual(orders.problems, [
      `lomash-orders-prod has resource id ${DBInstances![0].DbiResourceId}, the inventory says db-H6TZP3QK8XW2NR5MJ7CBV4YLDF (the instance was recreated); update dbiResourceId`,
      ENGINE_UNCHECKED,
    ]);
  });

  it("moto gives every instance the same DbiResourceId (so a test cannot tell instances apart by it)", async () => {
    await buildFleet(recovery);
    const { DBInstances = [] } = await rds().send(new DescribeDBInstancesCommand({}));
    assert.equal(DBInstances.length, 4);
    assert.equal(new Set(DBInstances.map((d) => d.DbiResourceId)).size, 1);
  });

  /** The fleet's stacks with the recovery stack's `recovery:databases` overrides changed. */
  const withOverrides = async (databases: Record<string, unknown>, body: (config: RecoveryConfig, root: string) => Promise<void>) => {
    const stack = await fleet.files((files) => (files.recovery.config["recovery:databases"] = databases));
    await body(stack.config, stack.root);
  };

  it("fails a database whose backup retention is below the inventory's, with the command that sets it back", async () => {
    await build();
    await rds().send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "lomash-catalog-prod", BackupRetentionPeriod: 3, ApplyImmediately: true }));
    const catalog = item(await check(), "database", "catalog");
    assert.equal(catalog.status, "fail");
    assert.equal(catalog.problems[0],
      "lomash-catalog-prod keeps automated backups for 3 days, the inventory says 7; set it back (aws rds modify-db-instance --db-instance-identifier lomash-catalog-prod --backup-retention-period 7) or lower backupRetentionDays");
  });

  it("reads the newest available snapshot for a snapshot restore, with its age", async () => {
    await buildFleet(recovery);
    await rds().send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "lomash-orders-prod", DBSnapshotIdentifier: "lomash-orders-prod-manual" }));
    await withOverrides({ orders: { method: "snapshot" } }, async (config, root) => {
      const orders = item(await check(config, root), "database", "orders");
      assert.equal(orders.restoredFrom, "snapshot lomash-orders-prod-manual");
      assert.equal(orders.achievableRpoMinutes, 0);
      assert.deepEqual(orders.problems, [ENGINE_UNCHECKED]);
    });
  });

  it("fails a named snapshot that does not exist, naming the key to change", async () => {
    await buildFleet(recovery);
    await withOverrides({ orders: { snapshot: "lomash-orders-prod-before-migration" } }, async (config, root) => {
      const orders = item(await check(config, root), "database", "orders");
      assert.equal(orders.status, "fail");
      assert.equal(orders.problems[0], "snapshot lomash-orders-prod-before-migration does not exist; set recovery:databases.orders.snapshot to an existing snapshot of lomash-orders-prod, or to latest");
    });
  });

  it("does not judge a pinned restore time by the RPO, and says to unpin it after the incident", async () => {
    await buildFleet(recovery);
    const pinned = new Date(Date.now() - 3 * 60 * 60_000).toISOString();
    await withOverrides({ orders: { time: pinned } }, async (config, root) => {
      const orders = item(await check(config, root), "database", "orders");
      assert.equal(orders.restorePoint, pinned);
      assert.equal(orders.achievableRpoMinutes, 180);
      assert.deepEqual(orders.problems, [ENGINE_UNCHECKED]);
      assert.ok(orders.notes.includes(`restore point pinned to ${pinned}: set it back to latest once the incident is over`));
    });
  });

  it("fails a dump older than its tier allows, with the age and the tier", async () => {
    await build({ dumpAgeMinutes: 2 * 24 * 60 });
    const analytics = item(await check(), "database", "analytics");
    assert.equal(analytics.status, "fail");
    assert.equal(analytics.achievableRpoMinutes, 2880);
    assert.deepEqual(analytics.problems, [
      "achievable RPO 2880 min exceeds the non-critical tier's 1440 min; the newest dump is too old: check the nightly backup job of lomash-analytics-prod",
    ]);
  });

  it("fails a dump whose object is gone while its manifest is still there", async () => {
    await build();
    const dumps = await s3().send(new ListObjectVersionsCommand({ Bucket: "lomash-wood-backups", Prefix: "pg-logical/lomash_analytics/" }));
    const dump = dumps.Versions!.find((v) => v.Key!.endsWith(".dump"))!.Key!;
    await s3().send(new DeleteObjectCommand({ Bucket: "lomash-wood-backups", Key: dump }));
    const analytics = item(await check(), "database", "analytics");
    assert.equal(analytics.status, "fail");
    assert.deepEqual(analytics.problems, [`s3://lomash-wood-backups/${dump} is gone but its manifest is still there; take a new backup (npm run backup)`]);
  });

  it("restores the in-cluster Redis from the newest RDB by its manifest's save time, not the older one", async () => {
    await build({ rdbAgeMinutes: 90 });
    const sessions = item(await check(), "cache", "sessions");
    const newest = new Date(Date.now() - 90 * 60_000);
    assert.equal(sessions.status, "ok");
    assert.ok(Math.abs(Date.parse(sessions.restorePoint!) - newest.getTime()) < 60_000, `${sessions.restorePoint} is not the newest RDB's save time`);
    assert.equal(sessions.achievableRpoMinutes, 90);
  });

  it("fails a cluster cache without any RDB: the restored Redis would start empty", async () => {
    await build({ rdbAgeMinutes: null });
    const sessions = item(await check(), "cache", "sessions");
    assert.equal(sessions.status, "fail");
    assert.equal(sessions.restoredFrom, "newest RDB under s3://lomash-wood-backups/redis/");
    assert.deepEqual(sessions.problems, [
      "no RDB found at s3://lomash-wood-backups/redis/; check the bucket and prefix (npm run backup:redis writes them); the restored cache would start empty: take one (npm run backup:redis -- --to s3://lomash-wood-backups/redis/)",
    ]);
  });

  it("fails an RDB older than its tier's RPO, with the age and the tier", async () => {
    await build({ rdbAgeMinutes: 2 * 24 * 60 });
    const sessions = item(await check(), "cache", "sessions");
    assert.equal(sessions.status, "fail");
    assert.equal(sessions.achievableRpoMinutes, 2880);
    assert.deepEqual(sessions.problems, [
      "achievable RPO 2880 min exceeds the non-critical tier's 1440 min; the newest RDB under s3://lomash-wood-backups/redis/ is too old: check the backup:redis schedule of redis-master",
    ]);
  });

  it("fails an RDB whose size is not its manifest's: the restore would refuse it", async () => {
    await build();
    const newest = (await s3().send(new ListObjectVersionsCommand({ Bucket: "lomash-wood-backups", Prefix: "redis/" }))).Versions!.map((v) => v.Key!).filter((k) => k.endsWith(".rdb")).sort().at(-1)!;
    await s3().send(new (await import("@aws-sdk/client-s3")).PutObjectCommand({ Bucket: "lomash-wood-backups", Key: newest, Body: "REDIS0010 truncated" }));
    const sessions = item(await check(), "cache", "sessions");
    assert.equal(sessions.status, "fail");
    assert.match(sessions.problems[0], new RegExp(`^s3://lomash-wood-backups/${newest.replace(/\./g, "\\.")} is 19 bytes, its manifest says \\d+, so the restore would refuse it; take a new backup \\(npm run backup:redis -- --to s3://lomash-wood-backups/redis/\\)$`));
  });

  it("fails an RDB newer than the restored Redis can load", async () => {
    await build();
    await putRdb("lomash-wood-backups", "redis/", new Date(Date.now() - 5 * 60_000), { rdbVersion: 11, redisVersion: "7.2.4" });
    const sessions = item(await check(), "cache", "sessions");
    assert.equal(sessions.status, "fail");
    assert.match(sessions.problems[0], /^s3:\/\/lomash-wood-backups\/redis\/redis-dump-\d{8}T\d{6}Z\.rdb is RDB version 11 \(from Redis 7\.2\.4\), newer than the restored Redis 7\.0 loads \(10\), so the restore would refuse it; set redisImage and redisVersion to Redis 7\.2 or later$/);
  });

  it("fails an ElastiCache cache without snapshots: it would start empty", async () => {
    await buildElastiCache({ cacheSnapshots: false });
    const sessions = item(await check(), "cache", "sessions");
    assert.equal(sessions.status, "fail");
    assert.deepEqual(sessions.problems, [
      "lomash-wood-redis-prod has no snapshot, so the restored cache would start empty; turn on automatic snapshots (aws elasticache modify-replication-group --replication-group-id lomash-wood-redis-prod --snapshot-retention-limit 5) or take one (aws elasticache create-snapshot)",
    ]);
  });

  it("warns when the ElastiCache group is being deleted but its snapshot is still there", async () => {
    await buildElastiCache();
    await elastiCache().send(new DeleteReplicationGroupCommand({ ReplicationGroupId: "lomash-wood-redis-prod" }));
    const sessions = item(await check(), "cache", "sessions");
    assert.equal(sessions.status, "warn");
    assert.equal(sessions.restoredFrom, "snapshot lomash-wood-redis-prod-nightly");
    assert.equal(sessions.problems[0], "replication group lomash-wood-redis-prod is being deleted; the restore still has its snapshots until they expire: find out why it was deleted");
  });

  it("finds no parameter-group drift when production's group is the inventory's", async () => {
    await buildElastiCache();
    assert.deepEqual(item(await check(), "cache", "sessions").problems, [CACHE_AGE_UNKNOWN]);
  });

  it("reports drift when production's parameter group changed and the inventory never learned it", async () => {
    await buildElastiCache({ cacheParameterGroup: "lomash-wood-redis7-tuned" });
    const sessions = item(await check(), "cache", "sessions");
    assert.equal(sessions.status, "warn");
    assert.deepEqual(sessions.problems, [
      CACHE_AGE_UNKNOWN,
      "lomash-wood-redis-prod uses parameter group lomash-wood-redis7-tuned (snapshot lomash-wood-redis-prod-nightly), the inventory says lomash-wood-redis7; set parameterGroup: lomash-wood-redis7-tuned on this cache in the inventory, or set production back",
    ]);
  });

  it("reports a custom parameter group the inventory does not record: the restore would get the default", async () => {
    await buildElastiCache({}, (files) => delete (files.prod.config["recovery:caches"] as Record<string, unknown>[])[0].parameterGroup);
    assert.deepEqual(item(await check(), "cache", "sessions").problems, [
      CACHE_AGE_UNKNOWN,
      "lomash-wood-redis-prod uses parameter group lomash-wood-redis7 (snapshot lomash-wood-redis-prod-nightly), which the inventory does not record, so the restore would get the engine's default; add parameterGroup: lomash-wood-redis7 to this cache in the inventory",
    ]);
  });

  it("fails a bucket whose replica is missing: nothing to rebuild from", async () => {
    await build();
    const replica = s3("eu-west-1");
    for (const v of (await replica.send(new ListObjectVersionsCommand({ Bucket: "lomash-wood-media-prod-replica" }))).Versions ?? [])
      await replica.send(new DeleteObjectCommand({ Bucket: "lomash-wood-media-prod-replica", Key: v.Key, VersionId: v.VersionId }));
    await replica.send(new DeleteBucketCommand({ Bucket: "lomash-wood-media-prod-replica" }));
    const media = item(await check(), "bucket", "media");
    assert.equal(media.status, "fail");
    assert.deepEqual(media.problems, [
      "replica bucket lomash-wood-media-prod-replica does not exist in eu-west-1, so there is nothing to rebuild lomash-wood-media-prod from; recreate it and the replication rule, then copy the source into it while it still exists",
    ]);
    assert.equal(item(await check(), "bucket", "uploads").status, "ok");
  });

  it("measures replication lag from recent source objects missing in the replica", async () => {
    await build();
    await s3().send(new (await import("@aws-sdk/client-s3")).PutObjectCommand({ Bucket: "lomash-wood-uploads-prod", Key: "uploads/new.pdf", Body: "new" }));
    const uploads = item(await check(), "bucket", "uploads");
    assert.equal(uploads.status, "ok");
    assert.equal(uploads.achievableRpoMinutes, 0);
    assert.match(uploads.notes[0], /^1 of the 4 newest objects of lomash-wood-uploads-prod are not in lomash-wood-uploads-prod-replica yet \(oldest uploads\/new\.pdf, /);
  });

  it("fails a secret that was deleted", async () => {
    await build();
    await secrets().send(new DeleteSecretCommand({ SecretId: "lomash-wood/production/sendgrid-api-key", ForceDeleteWithoutRecovery: true }));
    const sendgrid = item(await check(), "secret", "sendgrid");
    assert.equal(sendgrid.status, "fail");
    assert.deepEqual(sendgrid.problems, [
      "secret lomash-wood/production/sendgrid-api-key does not exist; recreate it from its owner's copy (the restore has no version to read)",
    ]);
  });

  it("fails a secret scheduled for deletion, with the command that restores it", async () => {
    await build();
    await secrets().send(new DeleteSecretCommand({ SecretId: "lomash-wood/production/jwt-secret", RecoveryWindowInDays: 7 }));
    const jwt = item(await check(), "secret", "jwt");
    assert.equal(jwt.status, "fail");
    assert.match(jwt.problems[0], /^secret lomash-wood\/production\/jwt-secret is scheduled for deletion \(\S+\) and cannot be read; aws secretsmanager restore-secret --secret-id lomash-wood\/production\/jwt-secret$/);
  });

  it("fails a secret without the stage the stack restores: jwt's AWSPREVIOUS, never rotated", async () => {
    await build();
    await secrets().send(new DeleteSecretCommand({ SecretId: "lomash-wood/production/jwt-secret", ForceDeleteWithoutRecovery: true }));
    await secrets().send(new CreateSecretCommand({ Name: "lomash-wood/production/jwt-secret", SecretString: "only-one-version" }));
    const jwt = item(await check(), "secret", "jwt");
    assert.equal(jwt.status, "fail");
    assert.deepEqual(jwt.problems, [
      "secret lomash-wood/production/jwt-secret has no version in stage AWSPREVIOUS (it has AWSCURRENT), it was never rotated; set recovery:secrets.jwt.versionStage to AWSCURRENT, or rotate it once",
    ]);
  });

  it("passes a secret with one version when the stack restores AWSCURRENT, its default", async () => {
    await build();
    await secrets().send(new DeleteSecretCommand({ SecretId: "lomash-wood/production/stripe-webhook-secret", ForceDeleteWithoutRecovery: true }));
    await secrets().send(new CreateSecretCommand({ Name: "lomash-wood/production/stripe-webhook-secret", SecretString: "only-one-version" }));
    const webhook = item(await check(), "secret", "stripe-webhook");
    assert.equal(webhook.restoredFrom, "lomash-wood/production/stripe-webhook-secret (stage AWSCURRENT)");
    assert.equal(webhook.status, "ok");
  });

  it("gives the drill's preflight one check naming what fails, with the whole report", async () => {
    await build();
    await secrets().send(new DeleteSecretCommand({ SecretId: "lomash-wood/production/sendgrid-api-key", ForceDeleteWithoutRecovery: true }));
    const drill = await fleetStack("drill");
    const check = await readinessPreflight(drill.config, { root: drill.root, aws: awsClients(10_000) }).finally(drill.cleanup);
    assert.equal(check.result, "warn");
    assert.equal(check.detail, "7 ok, 4 warn, 1 fail, 0 not checked, 0 uncovered: secret:sendgrid");
    assert.equal(check.report.stack, "drill");
  });

  it("lists what the account has that the inventory does not cover, and none of this project's own resources", async () => {
    await build();
    await createDatabase("lomash-search-prod");
    await createDatabase("lomash-orders-prod-recovery"); // what the recovery stack restored
    await createDatabase("lomash-catalog-prod-drill"); // what a drill left
    await createBucket("lomash-wood-exports-prod", "eu-west-2", false);
    await createBucket("lomash-wood-media-prod-drill", "eu-west-2", false);
    await createBucket("someone-elses-bucket", "us-west-2", false); // another region
    await secrets().send(new CreateSecretCommand({ Name: "lomash-wood/production/algolia-key", SecretString: "x" }));
    const report = await check();
    assert.deepEqual(report.uncovered, [
      { kind: "database", id: "lomash-search-prod", region: "eu-west-2" },
      { kind: "bucket", id: "lomash-wood-exports-prod", region: "eu-west-2" },
      { kind: "secret", id: "lomash-wood/production/algolia-key", region: "eu-west-2" },
    ]);
    assert.equal(report.ready, false);
  });

  it("leaves out what the inventory's coverage rules exclude", async () => {
    await buildFleet(recovery);
    await createDatabase("lomash-search-prod");
    await createBucket("lomash-wood-exports-prod", "eu-west-2", false);
    await secrets().send(new CreateSecretCommand({ Name: "ci/deploy-token", SecretString: "x", Tags: [{ Key: "recovery", Value: "ignore" }] }));
    await fleet.files((files) => {
      files.prod.config["recovery:coverage"] = { exclude: [{ kind: "database", name: "lomash-search-*" }, { tag: "recovery=ignore" }, { name: "*-exports-*" }] };
    });
    const report = await check();
    assert.deepEqual(report.uncovered, []);
    assert.equal(report.ready, true);
  });
});
