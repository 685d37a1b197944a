import {
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { corsFromS3, lifecycleFromS3 } from "../stacks/bucket-documents";

/** A bucket's configuration as S3 answers it, in the inventory's spelling; absent: S3 has none. */
export interface LiveBucketSettings {
  readonly policy?: Record<string, unknown>;
  readonly cors?: unknown[];
  readonly lifecycle?: unknown[];
  readonly logging?: { readonly targetBucket: string; readonly targetPrefix: string };
  readonly ownership?: string;
}

/** S3's "there is none" answer per API, which is an answer, not a failure. */
const NONE = new Set(["NoSuchBucketPolicy", "NoSuchCORSConfiguration", "NoSuchLifecycleConfiguration", "OwnershipControlsNotFoundError"]);

async function orNone<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    const code = (error as { name?: string; Code?: string }).Code ?? (error as { name?: string }).name;
    if (code !== undefined && NONE.has(code)) return undefined;
    throw error;
  }
}

/**
 * Reads a bucket's policy, CORS, lifecycle, logging and ownership (Get calls only). Verify reads a
 * rebuilt bucket with it, readiness production's.
 */
export async function readBucketSettings(s3: S3Client, bucket: string, options: () => { abortSignal?: AbortSignal } = () => ({})): Promise<LiveBucketSettings> {
  const [policy, cors, lifecycle, logging, ownership] = await Promise.all([
    orNone(s3.send(new GetBucketPolicyCommand({ Bucket: bucket }), options())),
    orNone(s3.send(new GetBucketCorsCommand({ Bucket: bucket }), options())),
    orNone(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), options())),
    s3.send(new GetBucketLoggingCommand({ Bucket: bucket }), options()),
    orNone(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }), options())),
  ]);
  const enabled = logging.LoggingEnabled;
  return {
    policy: policy?.Policy === undefined ? undefined : (JSON.parse(policy.Policy) as Record<string, unknown>),
    cors: cors?.CORSRules === undefined ? undefined : corsFromS3(cors.CORSRules),
    lifecycle: lifecycle?.Rules === undefined ? undefined : lifecycleFromS3(lifecycle.Rules),
    logging: enabled?.TargetBucket === undefined ? undefined : { targetBucket: enabled.TargetBucket, targetPrefix: enabled.TargetPrefix ?? "" },
    ownership: ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership,
  };
}
