import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { withRetry, type RetryOptions } from "./retry";

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** Every current object under a prefix (paged, retried); the unit the sync plans and compares. */
export async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  retry: RetryOptions = {},
): Promise<Map<string, ListedObject>> {
  const objects = new Map<string, ListedObject>();
  let token: string | undefined;
  do {
    const page = await withRetry(
      () => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token })),
      retry,
    );
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      objects.set(o.Key, { key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? "" });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** An ETag of the form "<md5>-<parts>" means the object was uploaded in parts. */
export function isMultipartEtag(etag: string): boolean {
  return /-\d+"?$/.test(etag);
}
