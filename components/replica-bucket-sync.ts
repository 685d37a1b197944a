import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  DEFAULT_JOB_SERVICE_ACCOUNT,
  DEFAULT_WORKER_IMAGE,
  job,
  jobTimeout,
  modeProblems,
  recoveryTags,
  throwIfProblems,
  type RecoveryMode,
} from "./shared";

export interface ReplicaBucketSyncArgs {
  readonly stack: string;
  /** A drill never promotes production's replica (its services would write to it). */
  readonly mode: RecoveryMode;
  /**
   * `promote`: services use the replica, read-only to us; nothing is created or written.
   * `rebuild`: a NEW bucket (versioned, encrypted, public access blocked) filled from the replica
   * by a sync Job (runbook 3B, without writing back into the damaged source).
   */
  readonly strategy: "promote" | "rebuild";
  /** The damaged production bucket: never written. */
  readonly sourceBucket: string;
  /** The replica: read only. */
  readonly replica: { readonly bucket: string; readonly region: string };
  /** rebuild: the new bucket's name. Required for rebuild, refused for promote. */
  readonly bucket?: string;
  /** rebuild: the namespace the sync Job runs in. Required for rebuild. */
  readonly namespace?: pulumi.Input<string>;
  /** rebuild: this project's image (it holds `npm run sync`). Defaults to DEFAULT_WORKER_IMAGE. */
  readonly image?: string;
  /** rebuild: the service account the Job runs as. Defaults to `recovery-worker`. */
  readonly serviceAccountName?: string;
  /** rebuild: a KMS key for SSE-KMS. Defaults to SSE-S3 (AES256). */
  readonly kmsKeyId?: string;
  /** rebuild: the plan's estimate; the Job may take three times as long. Defaults to `30`. */
  readonly estimateMinutes?: number;
  /** Production's names, none of which a rebuilt bucket may take. Defaults to none. */
  readonly sourceNames?: readonly string[];
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Pure checks of ReplicaBucketSyncArgs; an empty list means valid. */
export function validateReplicaBucketSyncArgs(args: ReplicaBucketSyncArgs): string[] {
  const problems = [...modeProblems(args.mode)];
  if (args.strategy !== "promote" && args.strategy !== "rebuild")
    problems.push(`strategy must be "promote" or "rebuild" (got "${String(args.strategy)}")`);
  if (args.strategy === "promote") {
    if (args.mode === "drill") problems.push("a drill never points services at production's replica (they would write to it); use strategy rebuild");
    if (args.bucket !== undefined) problems.push("a promoted bucket is the replica itself; remove bucket or use strategy rebuild");
  }
  if (args.strategy === "rebuild") {
    const b = args.bucket;
    if (b === undefined) problems.push("bucket is required for strategy rebuild: the new bucket to fill from the replica");
    else {
      if (b === args.sourceBucket || b === args.replica.bucket)
        problems.push(`bucket "${b}" is the ${b === args.sourceBucket ? "source" : "replica"} bucket; a rebuild writes a new bucket, like "${args.sourceBucket}-recovery"`);
      else if ((args.sourceNames ?? []).includes(b)) problems.push(`bucket "${b}" is a production bucket; choose a new name`);
      if (!BUCKET_NAME.test(b)) problems.push(`bucket "${b}" is not a valid S3 bucket name (3 to 63 lowercase letters, digits, dots, hyphens)`);
    }
    if (args.namespace === undefined) problems.push("namespace is required for strategy rebuild: the sync Job runs in the cluster");
  }
  return problems;
}

/** A `bucket` step: the bucket services use after the restore. */
export class ReplicaBucketSync extends pulumi.ComponentResource {
  /** The bucket services use: the replica (promote) or the new bucket (rebuild). */
  public readonly bucketName: pulumi.Output<string>;
  /** True when services must treat the bucket as read-only (a promoted replica). */
  public readonly readOnly: boolean;
  /**
   * rebuild: when the sync Job started (`status.startTime` of the live Job, which the Kubernetes
   * provider reads back after awaiting its completion); the worker lists the replica after it.
   * Undefined for promote (nothing is synced).
   */
  public readonly syncStartedAt?: pulumi.Output<string | undefined>;

  constructor(name: string, args: ReplicaBucketSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("recovery:storage:ReplicaBucketSync", name, {}, opts);
    throwIfProblems("ReplicaBucketSync", validateReplicaBucketSyncArgs(args), this);

    this.readOnly = args.strategy === "promote";
    if (args.strategy === "promote") {
      this.bucketName = pulumi.output(args.replica.bucket);
      this.registerOutputs({ bucketName: this.bucketName });
      return;
    }

    const target = args.bucket as string;
    const bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      {
        bucket: target,
        // A drill must always be destroyable, objects and all; a recovery's bucket never is by accident.
        forceDestroy: args.mode === "drill",
        tags: recoveryTags(args.stack, args.sourceBucket, `replica:${args.replica.bucket}`, "sync-at-restore"),
      },
      { parent: this },
    );
    const settings = [
      new aws.s3.BucketVersioning(
        `${name}-versioning`,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        { parent: this },
      ),
      new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-encryption`,
        {
          bucket: bucket.id,
          rules: [
            {
              applyServerSideEncryptionByDefault:
                args.kmsKeyId === undefined ? { sseAlgorithm: "AES256" } : { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyId },
              bucketKeyEnabled: args.kmsKeyId !== undefined,
            },
          ],
        },
        { parent: this },
      ),
      new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access`,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        { parent: this },
      ),
    ];

    // The sync starts once the bucket is locked down, so no object lands unversioned or unencrypted.
    const sync = job(
      `${name}-sync`,
      {
        namespace: args.namespace as pulumi.Input<string>,
        image: args.image ?? DEFAULT_WORKER_IMAGE,
        command: ["npm", "run", "sync", "--", "--from", `s3://${args.replica.bucket}`, "--to", `s3://${target}`],
        env: { SOURCE_REGION: args.replica.region },
        serviceAccountName: args.serviceAccountName ?? DEFAULT_JOB_SERVICE_ACCOUNT,
        labels: { "recovery/step": name },
        timeoutMinutes: jobTimeout(args.estimateMinutes ?? 30),
        // Safe to run again (the sync skips identical objects): a transient failure is fixed by
        // the next `pulumi up` instead of being awaited forever.
        replaceUnready: true,
      },
      { parent: this, dependsOn: settings },
    );

    this.bucketName = bucket.bucket;
    this.syncStartedAt = sync.status.apply((status) => status?.startTime);
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
