import { strict as assert } from "node:assert";
import { DeleteBucketPolicyCommand, PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { awsClients } from "../../readiness/aws";
import { runReadiness } from "../../readiness/run";
import { suggestYaml } from "../../readiness/suggest";
import { loadStack, type RecoveryConfig } from "../../stacks";
import { buildFleet, createBucket, itemOf, s3, useMotoFleet } from "../support/fleet";

describe("readiness against moto: production's bucket configuration against the inventory's", function () {
  this.timeout(120_000);
  useMotoFleet();
  let recovery: RecoveryConfig;

  before(() => {
    recovery = loadStack("recovery");
  });
  beforeEach(async () => {
    await buildFleet(recovery);
  });

  const media = async () => itemOf((await runReadiness({ config: recovery, aws: awsClients(10_000) })).report, "bucket", "media");

  it("finds no drift when production is configured as the inventory records it", async () => {
    const item = await media();
    assert.equal(item.status, "ok", item.problems.join("\n"));
    assert.deepEqual(item.problems, []);
  });

  it("warns about a CORS origin production added that the inventory never learned, naming the key to update", async () => {
    await s3().send(
      new PutBucketCorsCommand({
        Bucket: "lomash-wood-media-prod",
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["https://www.lomashwood.co.uk", "https://lomashwood.co.uk", "https://shop.lomashwood.co.uk"], AllowedMethods: ["GET", "HEAD"], AllowedHeaders: ["*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 3600 }] },
      }),
    );
    const item = await media();
    assert.equal(item.status, "warn");
    assert.deepEqual(item.problems, [
      `production's CORS of lomash-wood-media-prod differs from what the inventory records ([0].allowedOrigins: ["https://lomashwood.co.uk","https://shop.lomashwood.co.uk","https://www.lomashwood.co.uk"], want ["https://lomashwood.co.uk","https://www.lomashwood.co.uk"]), so a rebuild would not carry it; update recovery:buckets "media".cors (npm run readiness -- --suggest prints production's)`,
    ]);
  });

  it("warns when production's bucket policy is gone", async () => {
    await s3().send(new DeleteBucketPolicyCommand({ Bucket: "lomash-wood-media-prod" }));
    const item = await media();
    assert.equal(item.status, "warn");
    assert.equal(item.problems.length, 1);
    assert.match(item.problems[0], /^production's bucket policy of lomash-wood-media-prod differs from what the inventory records \(document: absent, want \{/);
  });

  it("--suggest prints production's current CORS for the drifted bucket", async () => {
    await s3().send(new PutBucketCorsCommand({ Bucket: "lomash-wood-media-prod", CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["https://shop.lomashwood.co.uk"], AllowedMethods: ["GET"] }] } }));
    const yaml = await suggestYaml([], awsClients(10_000), [], { buckets: recovery.buckets, region: recovery.region });
    assert.ok(
      yaml.endsWith(
        "recovery:buckets (update):\n" +
          "  # Buckets production has reconfigured since the inventory recorded them: replace these keys of their\n" +
          "  # recovery:buckets entries (null: production has none now, remove the key)\n" +
          "  - name: media\n    bucket: lomash-wood-media-prod\n    cors:\n      - allowedMethods:\n          - GET\n        allowedOrigins:\n          - https://shop.lomashwood.co.uk\n",
      ),
      yaml,
    );
  });

  it("--suggest fills an uncovered bucket's entry with its configuration from the account", async () => {
    await createBucket("lomash-wood-exports-prod", "eu-west-2", true);
    await s3().send(new PutBucketCorsCommand({ Bucket: "lomash-wood-exports-prod", CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["https://admin.lomashwood.co.uk"], AllowedMethods: ["GET"] }] } }));
    const yaml = await suggestYaml([{ kind: "bucket", id: "lomash-wood-exports-prod", region: "eu-west-2", detail: { name: "lomash-wood-exports-prod" } }], awsClients(10_000));
    assert.match(yaml, /- name: exports\n {4}bucket: lomash-wood-exports-prod\n {4}replica:\n {6}bucket: null\n {6}region: null\n {4}cors:\n {6}- allowedMethods:\n {10}- GET\n {8}allowedOrigins:\n {10}- https:\/\/admin\.lomashwood\.co\.uk\n/);
  });
});
