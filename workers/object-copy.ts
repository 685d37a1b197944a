import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { withRetry, type RetryOptions } from "./retry";
import type { ListedObject } from "./bucket-listing";

/**
 * Metadata key that records which source ETag a multipart copy came from. When the copy's own
 * ETag differs from the source's (different part layout), this is how a rerun knows the object is
 * already identical and must not be copied twice.
 */
export const SOURCE_ETAG_METADATA = "recovery-source-etag";

const MIN_PART = 5 * 1024 * 1024;
const FALLBACK_PART = 64 * 1024 * 1024;

export function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replace(/%2F/g, "/")}`;
}

/** Part boundaries that reproduce the source's own layout, so the copy gets the same ETag. */
export function partRanges(size: number, partSize: number): { start: number; end: number }[] {
  const ranges = [];
  for (let start = 0; start < size; start += partSize) ranges.push({ start, end: Math.min(size, start + partSize) - 1 });
  return ranges;
}

/**
 * Server-side copy of one object: the bytes never pass through this machine. Single-part objects
 * use CopyObject (the ETag, an MD5, carries over); multipart ones use UploadPartCopy with the
 * source's part size, so their ETag carries over too. `CopySourceIfMatch` pins the version we
 * planned: a source object replaced mid-sync fails loudly rather than copying something else.
 */
export async function copyObject(
  s3: S3Client,
  from: { bucket: string; object: ListedObject },
  to: { bucket: string; key: string },
  retry: RetryOptions,
): Promise<void> {
  const { object } = from;
  const source = copySource(from.bucket, object.key);
  if (!/-\d+"?$/.test(object.etag)) {
    await withRetry(
      () =>
        s3.send(
          new CopyObjectCommand({
            Bucket: to.bucket,
            Key: to.key,
            CopySource: source,
            CopySourceIfMatch: object.etag,
            MetadataDirective: "COPY",
          }),
        ),
      retry,
    );
    return;
  }
  // Two HEADs: the whole object for its headers and metadata (a part HEAD may omit them), and
  // part 1 for the part size that reproduces the source's ETag.
  const [head, part]: HeadObjectCommandOutput[] = await Promise.all([
    withRetry(() => s3.send(new HeadObjectCommand({ Bucket: from.bucket, Key: object.key, IfMatch: object.etag })), retry),
    withRetry(() => s3.send(new HeadObjectCommand({ Bucket: from.bucket, Key: object.key, PartNumber: 1 })), retry),
  ]);
  const firstPart = part.ContentLength ?? 0;
  let partSize = firstPart >= MIN_PART ? firstPart : FALLBACK_PART;
  if (part.PartsCount !== undefined && partRanges(object.size, partSize).length !== part.PartsCount) partSize = FALLBACK_PART;
  const ranges = partRanges(object.size, partSize);
  const created = await withRetry(
    () =>
      s3.send(
        new CreateMultipartUploadCommand({
          Bucket: to.bucket,
          Key: to.key,
          ContentType: head.ContentType,
          ContentEncoding: head.ContentEncoding,
          ContentDisposition: head.ContentDisposition,
          ContentLanguage: head.ContentLanguage,
          CacheControl: head.CacheControl,
          Expires: head.Expires,
          Metadata: { ...head.Metadata, [SOURCE_ETAG_METADATA]: object.etag.replace(/"/g, "") },
        }),
      ),
    retry,
  );
  const uploadId = created.UploadId!;
  try {
    const parts = pLimit(4);
    const etags = await Promise.all(
      ranges.map((range, index) =>
        parts(async () => {
          const res = await withRetry(
            () =>
              s3.send(
                new UploadPartCopyCommand({
                  Bucket: to.bucket,
                  Key: to.key,
                  UploadId: uploadId,
                  PartNumber: index + 1,
                  CopySource: source,
                  CopySourceIfMatch: object.etag,
                  CopySourceRange: `bytes=${range.start}-${range.end}`,
                }),
              ),
            retry,
          );
          return { PartNumber: index + 1, ETag: res.CopyPartResult?.ETag };
        }),
      ),
    );
    await withRetry(
      () =>
        s3.send(
          new CompleteMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId: uploadId, MultipartUpload: { Parts: etags } }),
        ),
      retry,
    );
  } catch (error) {
    // An abandoned upload holds storage and hides nothing useful; drop it before reporting.
    await s3.send(new AbortMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId: uploadId })).catch(() => undefined);
    throw error;
  }
}

/** True when a target object whose ETag differs was nonetheless copied from this source ETag. */
export async function copiedFrom(s3: S3Client, bucket: string, key: string, sourceEtag: string, retry: RetryOptions): Promise<boolean> {
  const head = await withRetry(() => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), retry);
  return head.Metadata?.[SOURCE_ETAG_METADATA] === sourceEtag.replace(/"/g, "");
}
