import { strict as assert } from "node:assert";
import { TYPES } from "../../policies/resources";
import { restoreNeverTargetsSource } from "../../policies/source";
import { bucketsLogged, bucketsPrivate } from "../../policies/storage";
import { createResourceValidationArgs as args, policyResource, resourceViolations, stackViolations } from "../support/policy-args";

const REBUILT = "lomash-wood-media-prod-recovery";
const LOGS = "lomash-wood-media-prod-recovery-logs";

/** A rebuilt bucket logging into its own log bucket, as ReplicaBucketSync registers them. */
const logged = (change: (p: Record<string, Record<string, unknown>>) => void = () => undefined) => {
  const props: Record<string, Record<string, unknown>> = {
    bucket: { bucket: REBUILT },
    logs: { bucket: LOGS },
    logging: { bucket: REBUILT, targetBucket: LOGS, targetPrefix: "media/" },
  };
  change(props);
  return [
    policyResource(TYPES.bucket, "bucket-media-bucket", props.bucket),
    policyResource(TYPES.bucket, "bucket-media-logs-bucket", props.logs),
    policyResource(TYPES.logging, "bucket-media-logging", props.logging),
  ];
};

describe("policies: buckets-logged (awsguard's s3-bucket-logging-enabled, for BucketLogging resources too)", () => {
  it("passes a rebuilt bucket with a BucketLogging, and its log bucket as a log target", async () => {
    assert.deepEqual(await stackViolations(bucketsLogged, logged()), []);
  });

  it("refuses a rebuilt bucket without logging, naming it", async () => {
    const resources = logged().filter((r) => r.type !== TYPES.logging);
    assert.deepEqual(await stackViolations(bucketsLogged, resources), [
      `bucket ${REBUILT} must log access (a BucketLogging); record production's logging in the inventory (recovery:buckets[].logging) and the rebuild logs into a log bucket of its own`,
      `bucket ${LOGS} must log access (a BucketLogging); record production's logging in the inventory (recovery:buckets[].logging) and the rebuild logs into a log bucket of its own`,
    ]);
  });

  it("accepts the bucket's inline loggings, as awsguard reads them", async () => {
    const resources = [policyResource(TYPES.bucket, "b", { bucket: REBUILT, loggings: [{ targetBucket: LOGS, targetPrefix: "" }] }), policyResource(TYPES.bucket, "l", { bucket: LOGS })];
    assert.deepEqual(await stackViolations(bucketsLogged, resources), []);
  });

  it("matches the BucketLogging to its buckets through property dependencies when names are unknown", async () => {
    const [bucket, logs, logging] = logged((p) => {
      delete p.logging.bucket;
      delete p.logging.targetBucket;
    });
    const linked = { ...logging, propertyDependencies: { bucket: [bucket], targetBucket: [logs] } };
    assert.deepEqual(await stackViolations(bucketsLogged, [bucket, logs, linked]), []);
  });
});

describe("policies: buckets-private for a bucket the inventory marks public", () => {
  const set = (tags: Record<string, string>, pab: Record<string, boolean>) => [
    policyResource(TYPES.bucket, "bucket-media-bucket", { bucket: REBUILT, tags }),
    policyResource(TYPES.publicAccessBlock, "pab", { bucket: REBUILT, ...pab }),
    policyResource(TYPES.versioningV1, "v", { bucket: REBUILT, versioningConfiguration: { status: "Enabled" } }),
    policyResource(TYPES.encryptionV1, "e", { bucket: REBUILT, rules: [] }),
  ];
  const publicPolicy = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false };

  it("lets a bucket tagged recovery:public keep a public policy", async () => {
    assert.deepEqual(await stackViolations(bucketsPrivate, set({ "recovery:public": "true" }, publicPolicy)), []);
  });

  it("still refuses public ACLs on it", async () => {
    assert.deepEqual(await stackViolations(bucketsPrivate, set({ "recovery:public": "true" }, { ...publicPolicy, blockPublicAcls: false })), [
      `bucket ${REBUILT} must block public ACLs: a BucketPublicAccessBlock with blockPublicAcls and ignorePublicAcls true`,
    ]);
  });

  it("refuses a public policy on a bucket without the tag", async () => {
    assert.deepEqual(await stackViolations(bucketsPrivate, set({}, publicPolicy)), [
      `bucket ${REBUILT} must block public access: a BucketPublicAccessBlock with all four settings true`,
    ]);
  });
});

describe("policies: restore-never-targets-source for access logs", () => {
  it("refuses a BucketLogging that writes into production's log bucket", async () => {
    assert.deepEqual(
      await resourceViolations(restoreNeverTargetsSource, args(TYPES.logging, { bucket: REBUILT, targetBucket: "lomash-wood-access-logs-prod", targetPrefix: "media/" }, { sourceNames: ["lomash-wood-access-logs-prod"] })),
      ['targetBucket "lomash-wood-access-logs-prod" belongs to the source inventory; a restore must use a new name (add the stack\'s suffix)'],
    );
  });
});
