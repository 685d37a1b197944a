import { strict as assert } from "node:assert";
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { CorsRule, LifecycleRule } from "../../stacks/bucket-settings";
import { bucketChecks } from "../../verification/checks/buckets";
import { cloudFrontReadPolicy } from "../support/bucket-settings";
import { startMoto, type LocalAws } from "../support/moto";

const BUCKET = "lomash-wood-media-prod-recovery";
const POLICY = cloudFrontReadPolicy(BUCKET);
const CORS: CorsRule[] = [{ allowedOrigins: ["https://www.lomashwood.co.uk", "https://lomashwood.co.uk"], allowedMethods: ["GET", "HEAD"], allowedHeaders: ["*"], exposeHeaders: ["ETag"], maxAgeSeconds: 3600 }];
const LIFECYCLE: LifecycleRule[] = [
  { id: "expire-noncurrent-versions", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 90 } },
  { id: "abort-incomplete-uploads", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
];

describe("verify: a rebuilt bucket's configuration against the inventory's (moto)", function () {
  this.timeout(60_000);
  let aws: LocalAws | undefined;
  let s3: S3Client;

  before(async () => {
    aws = await startMoto();
    s3 = new S3Client({ region: "eu-west-2" });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: "eu-west-2" } }));
  });
  after(async () => {
    s3?.destroy();
    await aws?.stop();
  });

  // Written the way S3 is often given it, not the inventory's way: lists of one, other key case and order.
  beforeEach(async () => {
    const written = { Statement: [{ Condition: { StringEquals: { "aws:sourcearn": ["arn:aws:cloudfront::123456789012:distribution/E2LOMASHMEDIA01"] } }, Resource: [`arn:aws:s3:::${BUCKET}/*`], Action: ["s3:GetObject"], Principal: { Service: "cloudfront.amazonaws.com" }, Effect: "Allow", Sid: "AllowCloudFrontServicePrincipalReadOnly" }], Version: "2012-10-17" };
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(written) }));
    await s3.send(new PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [{ AllowedMethods: ["HEAD", "GET"], AllowedOrigins: ["https://lomashwood.co.uk", "https://www.lomashwood.co.uk"], AllowedHeaders: ["*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 3600 }] } }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: {
          Rules: [
            { ID: "abort-incomplete-uploads", Status: "Enabled", Filter: {}, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
            { ID: "expire-noncurrent-versions", Status: "Enabled", Filter: { Prefix: "" }, NoncurrentVersionExpiration: { NoncurrentDays: 90 } },
          ],
        },
      }),
    );
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: BUCKET, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }));
  });

  const configuration = (settings = { policy: POLICY, cors: CORS, lifecycle: LIFECYCLE, ownership: "BucketOwnerEnforced" }) =>
    bucketChecks({ name: "media", bucket: BUCKET, mode: "rebuild", replica: "r", s3, replicaS3: s3, sampleSize: 0, tolerance: 0, settings }).find((c) => c.name === "bucket.configuration")!;

  it("passes when policy, CORS, lifecycle and ownership equal the inventory's, however S3 spells them", async () => {
    assert.deepEqual(await configuration().run(AbortSignal.timeout(10_000)), {
      ok: true,
      detail: `${BUCKET}: bucket policy, CORS, lifecycle rules, object ownership as the inventory records them`,
    });
  });

  it("fails naming the CORS origin that differs", async () => {
    await s3.send(new PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [{ AllowedMethods: ["GET", "HEAD"], AllowedOrigins: ["https://www.lomashwood.co.uk"], AllowedHeaders: ["*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 3600 }] } }));
    assert.deepEqual(await configuration().run(AbortSignal.timeout(10_000)), {
      ok: false,
      detail: `${BUCKET}: CORS differs from the inventory's ([0].allowedOrigins: ["https://www.lomashwood.co.uk"], want ["https://lomashwood.co.uk","https://www.lomashwood.co.uk"])`,
    });
  });

  it("fails naming the policy statement's field that differs", async () => {
    const other = { ...POLICY, Statement: [{ ...POLICY.Statement[0], Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/EOTHER" } } }] };
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(other) }));
    assert.deepEqual(await configuration().run(AbortSignal.timeout(10_000)), {
      ok: false,
      detail: `${BUCKET}: bucket policy differs from the inventory's (Statement[0].Condition.StringEquals.aws:sourcearn[0]: "arn:aws:cloudfront::123456789012:distribution/EOTHER", want "arn:aws:cloudfront::123456789012:distribution/E2LOMASHMEDIA01")`,
    });
  });

  it("fails when the rebuild has no CORS at all", async () => {
    await s3.send(new DeleteBucketCorsCommand({ Bucket: BUCKET }));
    const result = await configuration().run(AbortSignal.timeout(10_000));
    assert.equal(result.ok, false);
    assert.match(result.detail, /^lomash-wood-media-prod-recovery: CORS differs from the inventory's \(document: absent, want \[/);
  });
});
