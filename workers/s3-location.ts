import { UsageError } from "./errors";

/** A bucket plus a key or prefix, parsed from `s3://bucket/rest`. */
export interface S3Location {
  readonly bucket: string;
  /** Key or prefix without a leading slash; "" for the whole bucket. */
  readonly key: string;
}

// The rules S3 itself enforces on bucket names (3 to 63 lowercase letters, digits, dots and
// hyphens, a letter or digit at each end), so a typo is caught before any request.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Whether S3 accepts `name` as a bucket name. The one copy: components, loader and CLIs use it. */
export function isBucketName(name: string): boolean {
  return BUCKET_NAME.test(name);
}

/**
 * `s3://bucket[/key]` split into its bucket and key, or undefined when it is not an S3 URL. No
 * check of the bucket name: for readers (policies, benches) that only need to know which bucket.
 */
export function splitS3Url(value: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(value);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

/** Parses `s3://bucket[/key]`; `argument` names the flag in the error message. */
export function parseS3Location(argument: string, value: unknown): S3Location {
  if (typeof value !== "string" || value === "") {
    throw new UsageError(argument, "is required; give an S3 location like s3://bucket/prefix");
  }
  const split = splitS3Url(value);
  if (!split) {
    throw new UsageError(argument, `"${value}" is not an S3 location; write it as s3://bucket/prefix`);
  }
  const { bucket, key } = split;
  if (!isBucketName(bucket)) {
    throw new UsageError(
      argument,
      `"${bucket}" is not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens); check the spelling`,
    );
  }
  return { bucket, key: key.replace(/\/{2,}/g, "/") };
}

export function formatS3(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** A prefix that only matches whole path segments (`a/b` must not match `a/bc`). */
export function asPrefix(key: string): string {
  return key === "" || key.endsWith("/") ? key : `${key}/`;
}
