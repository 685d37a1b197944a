import { strict as assert } from "node:assert";
import { loadStack } from "../../stacks";
import { publicStatements, rewritePolicy, type BucketPolicy, type PolicyStatement } from "../../stacks/bucket-settings";
import { repoStackFiles, writeStackFiles } from "../support/stack-files";

const statement = (o: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: "Allow",
  Principal: { Service: "cloudfront.amazonaws.com" },
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::lomash-wood-media-prod/*",
  Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E2LOMASHMEDIA01" } },
  ...o,
});
const policy = (...s: PolicyStatement[]): BucketPolicy => ({ Version: "2012-10-17", Statement: s });

describe("bucket settings: the policy's name rewrite", () => {
  it("rewrites the source bucket's ARN in every Resource to the rebuilt bucket's, objects and bucket alike", () => {
    const out = rewritePolicy(
      policy(statement({ Resource: ["arn:aws:s3:::lomash-wood-media-prod", "arn:aws:s3:::lomash-wood-media-prod/*"] }), statement({ Resource: undefined, NotResource: "arn:aws:s3:::lomash-wood-media-prod/private/*" })),
      "lomash-wood-media-prod",
      "lomash-wood-media-prod-recovery",
    );
    assert.deepEqual(out.Statement[0].Resource, ["arn:aws:s3:::lomash-wood-media-prod-recovery", "arn:aws:s3:::lomash-wood-media-prod-recovery/*"]);
    assert.equal(out.Statement[1].NotResource, "arn:aws:s3:::lomash-wood-media-prod-recovery/private/*");
  });

  it("leaves conditions and a bucket whose name merely starts with the source's alone", () => {
    const out = rewritePolicy(policy(statement({ Resource: "arn:aws:s3:::lomash-wood-media-prod-old/*" })), "lomash-wood-media-prod", "x-recovery");
    assert.equal(out.Statement[0].Resource, "arn:aws:s3:::lomash-wood-media-prod-old/*");
    assert.deepEqual(out.Statement[0].Condition, statement().Condition);
  });
});

describe("bucket settings: what counts as public", () => {
  it("counts a CloudFront origin-access statement (a service principal with aws:SourceArn) as not public", () => {
    assert.deepEqual(publicStatements(policy(statement())), []);
  });

  it('counts {AWS: "*"} as public when its only condition has a wildcard', () => {
    assert.deepEqual(publicStatements(policy(statement({ Principal: { AWS: "*" }, Condition: { StringLike: { "aws:SourceArn": "arn:aws:cloudfront::*" } } }))), [0]);
  });

  it('counts Principal "*" fixed to one account by aws:SourceAccount as not public', () => {
    assert.deepEqual(publicStatements(policy(statement({ Principal: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }))), []);
  });

  it("counts a restricting key under an IfExists operator as public (a caller without the key passes)", () => {
    assert.deepEqual(publicStatements(policy(statement({ Principal: "*", Condition: { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } } }))), [0]);
  });

  it("never counts a Deny to everyone as public", () => {
    assert.deepEqual(publicStatements(policy(statement({ Effect: "Deny", Principal: "*", Condition: undefined }))), []);
  });

  it("loads a public statement when the inventory marks the bucket public: true", () => {
    const files = repoStackFiles();
    const media = (files.prod.config as Record<string, Array<Record<string, unknown>>>)["recovery:buckets"][0];
    media.public = true;
    const s = (media.policy as BucketPolicy).Statement[0] as Record<string, unknown>;
    s.Principal = "*";
    delete s.Condition;
    const { root, cleanup } = writeStackFiles(files);
    try {
      const media2 = loadStack("recovery", { root }).buckets[0];
      assert.equal(media2.public, true);
      assert.equal(media2.policy?.Statement[0].Principal, "*");
    } finally {
      cleanup();
    }
  });
});

describe("bucket settings: what a restore stack gets", () => {
  it("gives a rebuilt bucket production's policy under its own name, and a log bucket of the stack's own", () => {
    const media = loadStack("recovery").buckets[0];
    assert.deepEqual(media.policy?.Statement[0].Resource, "arn:aws:s3:::lomash-wood-media-prod-recovery/*");
    assert.deepEqual(media.logging, { targetBucket: "lomash-wood-media-prod-recovery-logs", targetPrefix: "media/" });
    assert.equal(media.ownership, "BucketOwnerEnforced");
  });

  it("takes the drill's own log bucket from Pulumi.drill.yaml", () => {
    assert.deepEqual(loadStack("drill").buckets.map((b) => b.logging), [
      { targetBucket: "lomash-wood-drill-media-access-logs", targetPrefix: "drill/media/" },
      { targetBucket: "lomash-wood-drill-uploads-access-logs", targetPrefix: "drill/uploads/" },
    ]);
  });

  it("counts the log bucket among the names the stack creates, and production's among the source's", () => {
    const config = loadStack("recovery");
    assert.ok(config.targetNames.includes("lomash-wood-media-prod-recovery-logs"));
    assert.ok(config.sourceNames.includes("lomash-wood-access-logs-prod"));
  });
});
