import { UsageError } from "./errors";

/** A bucket plus a key or prefix, parsed from `s3://bucket/rest`. */
export interface S3Location {
  readonly bucket: string;
  /** Key or prefix without a leading slash; "" for the whole bucket. */
  readonly key: string;
}

// The rules S3 itself enforces on bucket names, so a typo is caught before any request.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket[/key]`; `argument` names the flag in the error message. */
export function parseS3Location(argument: string, value: unknown): S3Location {
  if (typeof value !== "string" || value === "") {
    throw new UsageError(argument, "is required; give an S3 location like s3://bucket/prefix");
  }
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(value);
  if (!match) {
    throw new UsageError(argument, `"${value}" is not an S3 location; write it as s3://bucket/prefix`);
  }
  const [, bucket, key] = match;
  if (!BUCKET_NAME.test(bucket)) {
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
