import { strict as assert } from "node:assert";
import {
  recoveryDbDeletionProtection,
  restoredDbEncrypted,
  restoredDbNotPublic,
  restorePointWithinRetention,
} from "../../policies/database";
import { TYPES } from "../../policies/resources";
import { createResourceValidationArgs as args, resourceViolations as check, withProp } from "../support/policy-args";

/** A restored database as the components register it in a recovery stack: compliant. */
const restoredDb = () => ({
  identifier: "lomash-orders-prod-recovery",
  instanceClass: "db.r6g.large",
  publiclyAccessible: false,
  storageEncrypted: true,
  kmsKeyId: "arn:aws:kms:eu-west-2:123456789012:key/k",
  deletionProtection: true,
  skipFinalSnapshot: false,
  finalSnapshotIdentifier: "lomash-orders-prod-recovery-final",
  restoreToPointInTime: { sourceDbInstanceIdentifier: "lomash-orders-prod", restoreTime: "2026-11-24T10:00:00Z" },
});
const cache = () => ({ replicationGroupId: "lomash-wood-redis-prod-recovery", atRestEncryptionEnabled: true, transitEncryptionEnabled: true });
const RETENTION = { retentionDays: { "lomash-orders-prod": 7 }, now: "2026-11-25T12:00:00Z" };

describe("policies: databases", () => {
  describe("restored-db-not-public", () => {
    it("passes a private restored database", async () => {
      assert.deepEqual(await check(restoredDbNotPublic, args(TYPES.rdsInstance, restoredDb())), []);
    });
    it("refuses a publicly accessible database", async () => {
      assert.deepEqual(await check(restoredDbNotPublic, args(TYPES.rdsInstance, withProp(restoredDb(), "publiclyAccessible", true))), [
        "restored databases must set publiclyAccessible: false; restore into the source's private subnet group",
      ]);
    });
    it("refuses a database that leaves publiclyAccessible unset", async () => {
      assert.equal((await check(restoredDbNotPublic, args(TYPES.rdsInstance, withProp(restoredDb(), "publiclyAccessible", undefined)))).length, 1);
    });
    it("ignores resources that are not RDS instances", async () => {
      assert.deepEqual(await check(restoredDbNotPublic, args(TYPES.bucketV2, { publiclyAccessible: true })), []);
    });
  });

  describe("restored-db-encrypted", () => {
    it("passes an encrypted database and an encrypted cache", async () => {
      assert.deepEqual(await check(restoredDbEncrypted, args(TYPES.rdsInstance, restoredDb())), []);
      assert.deepEqual(await check(restoredDbEncrypted, args(TYPES.cacheGroup, cache())), []);
    });
    it("refuses an unencrypted database", async () => {
      assert.deepEqual(await check(restoredDbEncrypted, args(TYPES.rdsInstance, withProp(restoredDb(), "storageEncrypted", false))), [
        "restored databases must set storageEncrypted: true (with the source's KMS key)",
      ]);
    });
    it("refuses a database with storageEncrypted missing", async () => {
      assert.equal((await check(restoredDbEncrypted, args(TYPES.rdsInstance, withProp(restoredDb(), "storageEncrypted", undefined)))).length, 1);
    });
    it("refuses a cache without encryption at rest", async () => {
      assert.deepEqual(await check(restoredDbEncrypted, args(TYPES.cacheGroup, withProp(cache(), "atRestEncryptionEnabled", undefined))), [
        "restored caches must set atRestEncryptionEnabled: true",
      ]);
    });
    it("refuses a cache without encryption in transit", async () => {
      assert.deepEqual(await check(restoredDbEncrypted, args(TYPES.cacheGroup, withProp(cache(), "transitEncryptionEnabled", false))), [
        "restored caches must set transitEncryptionEnabled: true",
      ]);
    });
  });

  describe("recovery-db-deletion-protection", () => {
    it("passes a protected database with a named final snapshot", async () => {
      assert.deepEqual(await check(recoveryDbDeletionProtection, args(TYPES.rdsInstance, restoredDb())), []);
    });
    it("refuses a database without deletion protection", async () => {
      assert.deepEqual(
        await check(recoveryDbDeletionProtection, args(TYPES.rdsInstance, withProp(restoredDb(), "deletionProtection", undefined))),
        ["recovery databases must set deletionProtection: true"],
      );
    });
    it("refuses a database that skips its final snapshot", async () => {
      assert.deepEqual(await check(recoveryDbDeletionProtection, args(TYPES.rdsInstance, withProp(restoredDb(), "skipFinalSnapshot", true))), [
        "recovery databases must keep a final snapshot: skipFinalSnapshot: false and a finalSnapshotIdentifier",
      ]);
    });
    it("refuses a database without a final snapshot name", async () => {
      assert.equal(
        (await check(recoveryDbDeletionProtection, args(TYPES.rdsInstance, withProp(restoredDb(), "finalSnapshotIdentifier", undefined)))).length,
        1,
      );
    });
  });

  describe("restore-point-within-retention", () => {
    it("passes a restore time inside the retention", async () => {
      assert.deepEqual(await check(restorePointWithinRetention, args(TYPES.rdsInstance, restoredDb(), RETENTION)), []);
    });
    it("passes the latest restorable time", async () => {
      const props = withProp(restoredDb(), "restoreToPointInTime", { sourceDbInstanceIdentifier: "lomash-orders-prod", useLatestRestorableTime: true });
      assert.deepEqual(await check(restorePointWithinRetention, args(TYPES.rdsInstance, props, RETENTION)), []);
    });
    it("refuses a restore time older than the retention", async () => {
      const props = withProp(restoredDb(), "restoreToPointInTime.restoreTime", "2026-11-10T00:00:00Z");
      assert.deepEqual(await check(restorePointWithinRetention, args(TYPES.rdsInstance, props, RETENTION)), [
        "restoreTime 2026-11-10T00:00:00Z is older than lomash-orders-prod's 7-day backup retention; pick a later time or restore from a snapshot",
      ]);
    });
    it("refuses a restore time in the future", async () => {
      const props = withProp(restoredDb(), "restoreToPointInTime.restoreTime", "2026-12-01T00:00:00Z");
      assert.deepEqual(await check(restorePointWithinRetention, args(TYPES.rdsInstance, props, RETENTION)), [
        "restoreTime 2026-12-01T00:00:00Z is in the future; use a time before now or useLatestRestorableTime",
      ]);
    });
    it("checks a restore named by the source's DbiResourceId against that id's retention", async () => {
      const props = withProp(restoredDb(), "restoreToPointInTime", { sourceDbiResourceId: "db-H6TZP3QK8XW2NR5MJ7CBV4YLDF", restoreTime: "2026-11-10T00:00:00Z" });
      const config = { ...RETENTION, retentionDays: { "db-H6TZP3QK8XW2NR5MJ7CBV4YLDF": 7 } };
      assert.deepEqual(await check(restorePointWithinRetention, args(TYPES.rdsInstance, props, config)), [
        "restoreTime 2026-11-10T00:00:00Z is older than db-H6TZP3QK8XW2NR5MJ7CBV4YLDF's 7-day backup retention; pick a later time or restore from a snapshot",
      ]);
    });
    it("refuses a source the pack config has no retention for", async () => {
      const props = withProp(restoredDb(), "restoreToPointInTime.sourceDbInstanceIdentifier", "lomash-other-prod");
      assert.deepEqual(await check(restorePointWithinRetention, args(TYPES.rdsInstance, props, RETENTION)), [
        "restore source lomash-other-prod has no backup retention in the pack config; add it to retentionDays",
      ]);
    });
  });
});
