import { workerCommand } from "./worker-command";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  foreignResources,
  publicStatements,
  type BucketPolicy,
  type CorsRule,
  type LifecycleRule,
  type Ownership,
} from "../stacks/bucket-settings";
import { promoteProblems, rebuiltBucketProblems, type BucketContext } from "../stacks/checks/bucket";
import { describeProblem } from "../stacks/problems";
import { AccessLogBucket } from "./access-log-bucket";
import { throwIfProblems } from "./arg-checks";
import { DEFAULT_JOB_SERVICE_ACCOUNT, DEFAULT_WORKER_IMAGE, job, jobTimeout } from "./kubernetes-job";
import { modeProblems, type RecoveryMode } from "./mode";
import { recoveryTags } from "./tags";
import { isBucketName } from "../workers/s3-location";
import { COMPONENT_TYPES } from "./names";

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
  /** rebuild: production's bucket policy, already naming the rebuilt bucket. Defaults to no policy. */
  readonly policy?: BucketPolicy;
  /**
   * rebuild: the inventory marks the bucket public, so the policy may grant public access and the
   * public-access block leaves public policies alone (public ACLs stay blocked). Defaults to `false`.
   */
  readonly public?: boolean;
  /** rebuild: production's CORS rules. Defaults to none. */
  readonly cors?: readonly CorsRule[];
  /** rebuild: production's lifecycle rules. Defaults to none. */
  readonly lifecycle?: readonly LifecycleRule[];
  /** rebuild: S3 Object Ownership. Defaults to S3's own default for a new bucket, BucketOwnerEnforced. */
  readonly ownership?: Ownership;
  /**
   * rebuild: S3 server access logging into a new log bucket of this bucket's own (an
   * AccessLogBucket child: production's log bucket accepts only production's logs), under the
   * prefix. Defaults to no logging.
   */
  readonly logging?: { readonly targetBucket: string; readonly targetPrefix: string };
}

const SETTINGS = ["policy", "cors", "lifecycle", "ownership", "logging"] as const;

/** Pure checks of ReplicaBucketSyncArgs; an empty list means valid. */
export function validateReplicaBucketSyncArgs(args: ReplicaBucketSyncArgs): string[] {
  const problems = [...modeProblems(args.mode)];
  if (args.strategy !== "promote" && args.strategy !== "rebuild")
    problems.push(`strategy must be "promote" or "rebuild" (got "${String(args.strategy)}")`);
  const checks: BucketContext = {
    field: "strategy",
    drill: args.mode === "drill",
    sourceBucket: args.sourceBucket,
    replicaBucket: args.replica.bucket,
    sourceNames: args.sourceNames,
    suggestion: `${args.sourceBucket}-recovery`,
  };
  if (args.strategy === "promote") {
    problems.push(...promoteProblems(args.bucket, checks).map(describeProblem));
    const given = SETTINGS.filter((k) => args[k] !== undefined);
    if (given.length > 0) problems.push(`a promoted bucket is the replica itself, configured as it is; remove ${given.join(", ")} or use strategy rebuild`);
  }
  if (args.strategy === "rebuild") {
    const b = args.bucket;
    if (b === undefined) problems.push("bucket is required for strategy rebuild: the new bucket to fill from the replica");
    else {
      problems.push(...rebuiltBucketProblems(b, checks).map(describeProblem));
      if (!isBucketName(b)) problems.push(`bucket "${b}" is not a valid S3 bucket name (3 to 63 lowercase letters, digits, dots, hyphens)`);
    }
    if (args.namespace === undefined) problems.push("namespace is required for strategy rebuild: the sync Job runs in the cluster");
    if (args.policy !== undefined && b !== undefined) {
      for (const { statement, resource } of foreignResources(args.policy, b))
        problems.push(`policy statement ${statement} names "${resource}", not the rebuilt bucket ${b}; rewrite the source's name to the new bucket's (S3 refuses a policy for another bucket)`);
      if (args.public !== true)
        for (const i of publicStatements(args.policy))
          problems.push(`policy statement ${i} grants public access; restrict it to a principal or a condition such as aws:SourceArn, or set public: true`);
    }
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
    super(COMPONENT_TYPES.ReplicaBucketSync, name, {}, opts);
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
        tags:
          args.public === true
            ? // What the buckets-private policy reads: this bucket's public policy is the inventory's, on purpose.
              pulumi.output(recoveryTags(args.stack, args.sourceBucket, `replica:${args.replica.bucket}`, "sync-at-restore")).apply((t) => ({ ...t, "recovery:public": "true" }))
            : recoveryTags(args.stack, args.sourceBucket, `replica:${args.replica.bucket}`, "sync-at-restore"),
      },
      { parent: this },
    );
    const settings: pulumi.CustomResource[] = [
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
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          // A bucket the inventory marks public keeps its public policy; public ACLs stay blocked.
          blockPublicPolicy: args.public !== true,
          ignorePublicAcls: true,
          restrictPublicBuckets: args.public !== true,
        },
        { parent: this },
      ),
    ];
    const [versioning, , publicAccess] = settings;
    if (args.ownership !== undefined)
      settings.push(
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: args.ownership } }, { parent: this }),
      );
    if (args.policy !== undefined)
      settings.push(
        // S3 checks a policy against the public-access block in force when it is put (a public
        // one is refused with AccessDenied, which the provider does not retry): block first.
        new aws.s3.BucketPolicy(`${name}-policy`, { bucket: bucket.id, policy: JSON.stringify(args.policy) }, { parent: this, dependsOn: [publicAccess] }),
      );
    if (args.cors !== undefined)
      settings.push(new aws.s3.BucketCorsConfiguration(`${name}-cors`, { bucket: bucket.id, corsRules: args.cors.map((r) => ({ ...r })) }, { parent: this }));
    if (args.lifecycle !== undefined)
      settings.push(
        new aws.s3.BucketLifecycleConfiguration(
          `${name}-lifecycle`,
          { bucket: bucket.id, rules: args.lifecycle.map((r) => ({ ...r, filter: r.filter ?? {} })) },
          // Noncurrent-version rules act on a versioned bucket: versioning first, as the provider's docs advise.
          { parent: this, dependsOn: [versioning] },
        ),
      );
    if (args.logging !== undefined) {
      const logs = new AccessLogBucket(
        `${name}-logs`,
        {
          stack: args.stack,
          mode: args.mode,
          bucket: args.logging.targetBucket,
          sourceBucket: args.sourceBucket,
          sources: [{ bucket: target, prefix: args.logging.targetPrefix }],
          sourceNames: args.sourceNames,
        },
        { parent: this },
      );
      // The log bucket's name resolves after its log-delivery policy: S3 refuses PutBucketLogging
      // (InvalidTargetBucketForLogging) while the target does not let the logging service write.
      settings.push(
        new aws.s3.BucketLogging(`${name}-logging`, { bucket: bucket.id, targetBucket: logs.bucketName, targetPrefix: args.logging.targetPrefix }, { parent: this }),
      );
    }

    // The sync starts once the bucket is configured like production's, so no object lands
    // unversioned, unencrypted or outside its lifecycle.
    const sync = job(
      `${name}-sync`,
      {
        namespace: args.namespace as pulumi.Input<string>,
        image: args.image ?? DEFAULT_WORKER_IMAGE,
        command: workerCommand("sync", "--from", `s3://${args.replica.bucket}`, "--to", `s3://${target}`),
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
