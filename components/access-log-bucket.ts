import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logDeliveryPolicy } from "../stacks/bucket-settings";
import { throwIfProblems } from "./arg-checks";
import { modeProblems, type RecoveryMode } from "./mode";
import { recoveryTags } from "./tags";
import { COMPONENT_TYPES } from "./names";
import { logBucketProblems } from "../stacks/checks/bucket";
import { describeProblem, under } from "../stacks/problems";

export interface AccessLogBucketArgs {
  readonly stack: string;
  readonly mode: RecoveryMode;
  /** The new log bucket's name: never production's log bucket (it accepts only production's logs). */
  readonly bucket: string;
  /** The production bucket whose rebuild logs here (for the tags a teardown finds strays by). */
  readonly sourceBucket: string;
  /** The rebuilt buckets that log here, each under its own prefix. At least one. */
  readonly sources: ReadonlyArray<{ readonly bucket: string; readonly prefix: string }>;
  /** Production's names, none of which the log bucket may take. Defaults to none. */
  readonly sourceNames?: readonly string[];
}

/** Pure checks of AccessLogBucketArgs; an empty list means valid. */
export function validateAccessLogBucketArgs(args: AccessLogBucketArgs): string[] {
  const problems = [...modeProblems(args.mode)];
  if (args.sources.length === 0) problems.push("sources must name at least one rebuilt bucket that logs here");
  // The loader's check of logging.targetBucket.
  const rebuilt = args.sources.map((s) => s.bucket);
  problems.push(...under(["bucket"], logBucketProblems(args.bucket, rebuilt, args.sourceNames ?? [])).map(describeProblem));
  return problems;
}

/**
 * The log bucket a restore's rebuilt buckets write their S3 server access logs to. ACLs are
 * disabled (BucketOwnerEnforced), so S3's log delivery is allowed by a bucket policy for
 * `logging.s3.amazonaws.com`, restricted to the rebuilt buckets (`aws:SourceArn`): the old
 * log-delivery group ACL is refused on such a bucket, and PutBucketLogging is refused
 * (InvalidTargetBucketForLogging) until the target grants the logging service access.
 * Default encryption is SSE-S3: S3 does not deliver server access logs into a bucket whose
 * default encryption is SSE-KMS.
 */
export class AccessLogBucket extends pulumi.ComponentResource {
  /**
   * The log bucket's name, resolved only once its log-delivery policy is in place, so a
   * BucketLogging that takes it as its target waits for that policy.
   */
  public readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.AccessLogBucket, name, {}, opts);
    throwIfProblems("AccessLogBucket", validateAccessLogBucketArgs(args), this);

    const bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      {
        bucket: args.bucket,
        // A drill is destroyed with its logs; a recovery's logs are kept.
        forceDestroy: args.mode === "drill",
        tags: recoveryTags(args.stack, args.sourceBucket, `access-logs:${args.sources.map((s) => s.bucket).join(",")}`, "none"),
      },
      { parent: this },
    );
    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      { parent: this },
    );
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent: this });
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { parent: this },
    );
    // After the block: S3 evaluates a policy against the block in force when it is put.
    const policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket: bucket.id, policy: JSON.stringify(logDeliveryPolicy(args.bucket, args.sources)) },
      { parent: this, dependsOn: [publicAccess, ownership] },
    );

    this.bucketName = pulumi.all([bucket.bucket, policy.id]).apply(([b]) => b);
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
