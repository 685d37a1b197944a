import { strict as assert } from "node:assert";
import { ReplicaBucketSync, validateReplicaBucketSyncArgs } from "../../components";
import { AccessLogBucket, validateAccessLogBucketArgs } from "../../components/access-log-bucket";
import { startMocks } from "../../mocked-program/pulumi-mocks";
import type { BucketPolicy } from "../../stacks/bucket-settings";
import { cloudFrontReadPolicy } from "../support/bucket-settings";
import { bucketArgs } from "./fixtures";

const OAC = cloudFrontReadPolicy("lomash-wood-media-prod-recovery");
const CORS = [{ allowedOrigins: ["https://www.lomashwood.co.uk"], allowedMethods: ["GET" as const, "HEAD" as const], allowedHeaders: ["*"], maxAgeSeconds: 3600 }];
const LIFECYCLE = [
  { id: "expire-noncurrent-versions", status: "Enabled" as const, noncurrentVersionExpiration: { noncurrentDays: 90 } },
  { id: "tmp", status: "Enabled" as const, filter: { prefix: "tmp/" }, expiration: { days: 7 } },
];
const configured = () =>
  bucketArgs({ policy: OAC, cors: CORS, lifecycle: LIFECYCLE, ownership: "BucketOwnerEnforced", logging: { targetBucket: "lomash-wood-media-prod-recovery-logs", targetPrefix: "media/" } });

describe("ReplicaBucketSync: production's bucket configuration", () => {
  it("puts the policy document, as given, on the rebuilt bucket", async () => {
    const rec = await startMocks();
    new ReplicaBucketSync("bucket-media", configured());
    await rec.settle();
    const policy = rec.one("aws:s3/bucketPolicy:BucketPolicy", "bucket-media-policy");
    assert.equal(policy.inputs.bucket, "lomash-wood-media-prod-recovery");
    assert.deepEqual(JSON.parse(policy.inputs.policy as string), OAC);
  });

  it("puts the policy only after the public-access block, which S3 checks a policy against", async () => {
    const rec = await startMocks();
    new ReplicaBucketSync("bucket-media", configured());
    await rec.settle();
    const policy = rec.one("aws:s3/bucketPolicy:BucketPolicy", "bucket-media-policy");
    assert.ok(rec.dependsOn(policy.urn, rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket-media-public-access").urn));
  });

  it("carries CORS, lifecycle (every object without a filter, after versioning), ownership and logging", async () => {
    const rec = await startMocks();
    new ReplicaBucketSync("bucket-media", configured());
    await rec.settle();
    assert.deepEqual(rec.one("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", "bucket-media-cors").inputs.corsRules, CORS);
    const lifecycle = rec.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucket-media-lifecycle");
    assert.deepEqual(lifecycle.inputs.rules, [{ ...LIFECYCLE[0], filter: {} }, LIFECYCLE[1]]);
    assert.ok(rec.dependsOn(lifecycle.urn, rec.one("aws:s3/bucketVersioning:BucketVersioning", "bucket-media-versioning").urn));
    assert.deepEqual(rec.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bucket-media-ownership").inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    const logging = rec.one("aws:s3/bucketLogging:BucketLogging", "bucket-media-logging");
    assert.deepEqual(logging.inputs, { bucket: "lomash-wood-media-prod-recovery", targetBucket: "lomash-wood-media-prod-recovery-logs", targetPrefix: "media/" });
    assert.equal(rec.one("aws:s3/bucket:Bucket", "bucket-media-logs-bucket").inputs.bucket, "lomash-wood-media-prod-recovery-logs");
  });

  it("starts the sync only once the bucket is configured like production's", async () => {
    const rec = await startMocks();
    new ReplicaBucketSync("bucket-media", configured());
    await rec.settle();
    const job = rec.one("kubernetes:batch/v1:Job", "bucket-media-sync");
    for (const [type, name] of [
      ["aws:s3/bucketPolicy:BucketPolicy", "bucket-media-policy"],
      ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucket-media-lifecycle"],
      ["aws:s3/bucketLogging:BucketLogging", "bucket-media-logging"],
    ])
      assert.ok(rec.dependsOn(job.urn, rec.one(type, name).urn), `the sync waits for ${name}`);
  });

  it("creates none of them when the inventory records none", async () => {
    const rec = await startMocks();
    new ReplicaBucketSync("bucket-media", bucketArgs());
    await rec.settle();
    for (const t of ["bucketPolicy:BucketPolicy", "bucketCorsConfiguration:BucketCorsConfiguration", "bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucketLogging:BucketLogging", "bucketOwnershipControls:BucketOwnershipControls"])
      assert.equal(rec.ofType(`aws:s3/${t}`).length, 0, t);
  });

  it("leaves public policies alone in the public-access block of a bucket the inventory marks public, ACLs still blocked", async () => {
    const rec = await startMocks();
    const open: BucketPolicy = { Version: "2012-10-17", Statement: [{ ...OAC.Statement[0], Principal: "*", Condition: undefined }] };
    new ReplicaBucketSync("bucket-media", bucketArgs({ policy: open, public: true }));
    await rec.settle();
    const pab = rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket-media-public-access");
    assert.deepEqual(
      { acls: pab.inputs.blockPublicAcls, ignore: pab.inputs.ignorePublicAcls, policy: pab.inputs.blockPublicPolicy, restrict: pab.inputs.restrictPublicBuckets },
      { acls: true, ignore: true, policy: false, restrict: false },
    );
    assert.equal(rec.one("aws:s3/bucket:Bucket", "bucket-media-bucket").inputs.tags && (rec.one("aws:s3/bucket:Bucket", "bucket-media-bucket").inputs.tags as Record<string, string>)["recovery:public"], "true");
  });

  it("refuses a public statement on a bucket not marked public", () => {
    const open: BucketPolicy = { Version: "2012-10-17", Statement: [{ ...OAC.Statement[0], Principal: { AWS: "*" }, Condition: undefined }] };
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ policy: open })), [
      "policy statement 0 grants public access; restrict it to a principal or a condition such as aws:SourceArn, or set public: true",
    ]);
  });

  it("refuses a policy still naming the source bucket", () => {
    const stale: BucketPolicy = { Version: "2012-10-17", Statement: [{ ...OAC.Statement[0], Resource: "arn:aws:s3:::lomash-wood-media-prod/*" }] };
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ policy: stale })), [
      'policy statement 0 names "arn:aws:s3:::lomash-wood-media-prod/*", not the rebuilt bucket lomash-wood-media-prod-recovery; rewrite the source\'s name to the new bucket\'s (S3 refuses a policy for another bucket)',
    ]);
  });

  it("refuses configuration on a promoted replica, which is used as it is", () => {
    assert.deepEqual(validateReplicaBucketSyncArgs(bucketArgs({ strategy: "promote", bucket: undefined, namespace: undefined, cors: CORS, lifecycle: LIFECYCLE })), [
      "a promoted bucket is the replica itself, configured as it is; remove cors, lifecycle or use strategy rebuild",
    ]);
  });
});

describe("AccessLogBucket", () => {
  const args = () => ({
    stack: "recovery",
    mode: "recovery" as const,
    bucket: "lomash-wood-access-logs-prod-recovery",
    sourceBucket: "lomash-wood-media-prod",
    sources: [
      { bucket: "lomash-wood-media-prod-recovery", prefix: "media/" },
      { bucket: "lomash-wood-uploads-prod-recovery", prefix: "uploads/" },
    ],
    sourceNames: ["lomash-wood-access-logs-prod"],
  });

  it("disables ACLs and lets S3's logging service write each source's prefix, for that source only", async () => {
    const rec = await startMocks();
    new AccessLogBucket("access-logs", args());
    await rec.settle();
    assert.deepEqual(rec.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "access-logs-ownership").inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    const policy = JSON.parse(rec.one("aws:s3/bucketPolicy:BucketPolicy", "access-logs-policy").inputs.policy as string);
    assert.deepEqual(policy.Statement, [
      {
        Sid: "S3ServerAccessLogs0",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::lomash-wood-access-logs-prod-recovery/media/*",
        Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::lomash-wood-media-prod-recovery" } },
      },
      {
        Sid: "S3ServerAccessLogs1",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::lomash-wood-access-logs-prod-recovery/uploads/*",
        Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::lomash-wood-uploads-prod-recovery" } },
      },
    ]);
  });

  it("encrypts with SSE-S3, since S3 delivers no access logs into an SSE-KMS bucket", async () => {
    const rec = await startMocks();
    new AccessLogBucket("access-logs", args());
    await rec.settle();
    assert.deepEqual(
      rec.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "access-logs-encryption").inputs.rules,
      [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    );
  });

  it("hands out its name only once the log-delivery policy is in place, so the rebuilt bucket's BucketLogging waits for it", async () => {
    const rec = await startMocks();
    new ReplicaBucketSync("bucket-media", configured());
    await rec.settle();
    const logging = rec.one("aws:s3/bucketLogging:BucketLogging", "bucket-media-logging");
    assert.ok(rec.dependsOn(logging.urn, rec.one("aws:s3/bucketPolicy:BucketPolicy", "bucket-media-logs-policy").urn));
  });

  it("refuses production's log bucket and a source logging into itself", () => {
    assert.deepEqual(validateAccessLogBucketArgs({ ...args(), bucket: "lomash-wood-access-logs-prod", sources: [{ bucket: "lomash-wood-access-logs-prod", prefix: "" }] }), [
      'bucket: "lomash-wood-access-logs-prod" is a production bucket; a restore writes its access logs to a log bucket of its own, like "lomash-wood-access-logs-prod-logs"',
      'bucket: "lomash-wood-access-logs-prod" is the rebuilt bucket itself; its logs go to a separate log bucket, like "lomash-wood-access-logs-prod-logs"',
    ]);
  });
});
