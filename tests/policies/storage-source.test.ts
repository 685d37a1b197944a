import { strict as assert } from "node:assert";
import { TYPES } from "../../policies/resources";
import { restoreNeverTargetsSource } from "../../policies/source";
import { backupsAreReadOnly, bucketsPrivate } from "../../policies/storage";
import {
  createResourceValidationArgs as args,
  policyResource,
  resourceViolations as check,
  stackViolations,
} from "../support/policy-args";

const SOURCE = { sourceNames: ["lomash-orders-prod", "lomash-wood-media-prod", "lomash-wood-media-prod-replica", "lomash-wood", "lomash-wood/production/jwt-secret"] };
const READ_ONLY = { readOnlyBuckets: ["lomash-wood-backups", "lomash-wood-media-prod-replica", "lomash-wood-media-prod"], readOnlySnapshots: ["lomash-orders-prod-pre-deploy"] };
const syncJob = (to: string) => ({
  metadata: { name: "bucket-media-sync", namespace: "lomash-wood-recovery" },
  spec: { template: { spec: { containers: [{ name: "sync", command: ["npm", "run", "sync", "--"], args: ["--from", "s3://lomash-wood-media-prod-replica", "--to", to] }] } } },
});

describe("policies: the source and the backups", () => {
  describe("restore-never-targets-source", () => {
    it("passes a restore under a new identifier", async () => {
      assert.deepEqual(await check(restoreNeverTargetsSource, args(TYPES.rdsInstance, { identifier: "lomash-orders-prod-recovery" }, SOURCE)), []);
    });
    it("reports its missing config instead of passing while checking nothing", async () => {
      assert.deepEqual(await check(restoreNeverTargetsSource, args(TYPES.rdsInstance, { identifier: "lomash-orders-prod" })), [
        "sourceNames is not in the pack config, so nothing could be checked; pass --policy-pack-config policies/config/<stack>.json (npm run policy:config writes it)",
      ]);
    });
    it("refuses a database restored under its source's identifier", async () => {
      assert.deepEqual(await check(restoreNeverTargetsSource, args(TYPES.rdsInstance, { identifier: "lomash-orders-prod" }, SOURCE)), [
        'identifier "lomash-orders-prod" belongs to the source inventory; a restore must use a new name (add the stack\'s suffix)',
      ]);
    });
    it("refuses a bucket named after the replica", async () => {
      assert.equal((await check(restoreNeverTargetsSource, args(TYPES.bucketV2, { bucket: "lomash-wood-media-prod-replica" }, SOURCE))).length, 1);
    });
    it("refuses a secret version written into a production secret", async () => {
      assert.deepEqual(
        await check(restoreNeverTargetsSource, args(TYPES.secretVersion, { secretId: "lomash-wood/production/jwt-secret" }, SOURCE)),
        ['secretId "lomash-wood/production/jwt-secret" belongs to the source inventory; a restore must use a new name (add the stack\'s suffix)'],
      );
    });
    it("refuses a Kubernetes resource in production's namespace", async () => {
      assert.deepEqual(
        await check(restoreNeverTargetsSource, args(TYPES.deployment, { metadata: { name: "auth", namespace: "lomash-wood" } }, SOURCE)),
        ['metadata.namespace "lomash-wood" belongs to the source inventory; a restore must use a new name (add the stack\'s suffix)'],
      );
    });
  });

  describe("backups-are-read-only", () => {
    it("passes a sync Job that writes the restored bucket", async () => {
      assert.deepEqual(await check(backupsAreReadOnly, args(TYPES.job, syncJob("s3://lomash-wood-media-prod-recovery"), READ_ONLY)), []);
    });
    it("reports its missing config instead of passing while checking nothing", async () => {
      assert.deepEqual(await check(backupsAreReadOnly, args(TYPES.job, syncJob("s3://lomash-wood-media-prod-replica"))), [
        "readOnlyBuckets is not in the pack config, so nothing could be checked; pass --policy-pack-config policies/config/<stack>.json (npm run policy:config writes it)",
      ]);
    });
    it("refuses a sync Job that writes into the replica", async () => {
      assert.deepEqual(await check(backupsAreReadOnly, args(TYPES.job, syncJob("s3://lomash-wood-media-prod-replica/"), READ_ONLY)), [
        "this Job writes to s3://lomash-wood-media-prod-replica, which is read-only (a backup, replica or source); sync --to the restored bucket instead",
      ]);
    });
    it("refuses a lifecycle rule on the backup bucket", async () => {
      const type = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2";
      assert.deepEqual(await check(backupsAreReadOnly, args(type, { bucket: "lomash-wood-backups", rules: [] }, READ_ONLY)), [
        `${type} targets bucket "lomash-wood-backups", which is read-only (a backup, replica or source); write to the restored bucket instead`,
      ]);
    });
    it("refuses an object written into the source bucket", async () => {
      assert.equal((await check(backupsAreReadOnly, args("aws:s3/bucketObjectv2:BucketObjectv2", { bucket: "lomash-wood-media-prod", key: "x" }, READ_ONLY))).length, 1);
    });
    it("refuses a final snapshot named after a backup snapshot", async () => {
      assert.deepEqual(await check(backupsAreReadOnly, args(TYPES.rdsInstance, { finalSnapshotIdentifier: "lomash-orders-prod-pre-deploy" }, READ_ONLY)), [
        'snapshot "lomash-orders-prod-pre-deploy" is a read-only backup; name new snapshots after the restored resource',
      ]);
    });
  });

  describe("buckets-private", () => {
    const bucketSet = (change: (r: Record<string, Record<string, unknown>>) => void = () => undefined) => {
      const props = {
        bucket: { bucket: "lomash-wood-media-prod-recovery" },
        pab: { bucket: "lomash-wood-media-prod-recovery", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        versioning: { bucket: "lomash-wood-media-prod-recovery", versioningConfiguration: { status: "Enabled" } },
        sse: { bucket: "lomash-wood-media-prod-recovery", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
      };
      change(props);
      return [
        policyResource(TYPES.bucketV2, "bucket-media-bucket", props.bucket),
        policyResource(TYPES.publicAccessBlock, "bucket-media-pab", props.pab),
        policyResource(TYPES.versioning, "bucket-media-versioning", props.versioning),
        policyResource(TYPES.encryption, "bucket-media-sse", props.sse),
      ];
    };
    it("passes a private, versioned, encrypted bucket", async () => {
      assert.deepEqual(await stackViolations(bucketsPrivate, bucketSet()), []);
    });
    it("matches the settings to their bucket through property dependencies when names are unknown", async () => {
      const [bucket, ...rest] = bucketSet((p) => {
        delete p.pab.bucket;
        delete p.versioning.bucket;
        delete p.sse.bucket;
      });
      const linked = rest.map((r) => ({ ...r, propertyDependencies: { bucket: [bucket] } }));
      assert.deepEqual(await stackViolations(bucketsPrivate, [bucket, ...linked]), []);
    });
    it("refuses a bucket that does not block public policies", async () => {
      assert.deepEqual(await stackViolations(bucketsPrivate, bucketSet((p) => (p.pab.blockPublicPolicy = false))), [
        "bucket lomash-wood-media-prod-recovery must block public access: a BucketPublicAccessBlock with all four settings true",
      ]);
    });
    it("refuses a bucket whose versioning is suspended", async () => {
      assert.deepEqual(await stackViolations(bucketsPrivate, bucketSet((p) => (p.versioning.versioningConfiguration = { status: "Suspended" }))), [
        "bucket lomash-wood-media-prod-recovery must be versioned: a BucketVersioningV2 with status Enabled",
      ]);
    });
    it("refuses a bucket without encryption", async () => {
      const resources = bucketSet().filter((r) => r.type !== TYPES.encryption);
      assert.deepEqual(await stackViolations(bucketsPrivate, resources), [
        "bucket lomash-wood-media-prod-recovery must be encrypted: a BucketServerSideEncryptionConfigurationV2",
      ]);
    });
    it("refuses a bucket with no public access block at all", async () => {
      const resources = bucketSet().filter((r) => r.type !== TYPES.publicAccessBlock);
      assert.equal((await stackViolations(bucketsPrivate, resources)).length, 1);
    });
  });
});
