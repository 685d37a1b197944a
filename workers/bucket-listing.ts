import {
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  paginateListObjectsV2,
  type ListMultipartUploadsCommandInput,
  type ListMultipartUploadsCommandOutput,
  type ListObjectsV2CommandOutput,
  type ListObjectVersionsCommandInput,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { withRetry, type RetryOptions } from "./retry";

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** One page of a listing, in the order S3 returns it (ascending keys, up to 1,000). */
export type ListingPage = readonly ListedObject[];

/**
 * Every current object under a prefix, one page at a time: a bucket of millions of keys is never
 * held whole (the sync compares two listings page by page). A transient error on a page resumes
 * the paginator from the last continuation token instead of listing the bucket again.
 */
export async function* listPages(
  s3: S3Client,
  bucket: string,
  prefix: string,
  retry: RetryOptions = {},
): AsyncGenerator<ListingPage> {
  let token: string | undefined;
  let pages: AsyncIterator<ListObjectsV2CommandOutput> | undefined;
  for (;;) {
    const next = await withRetry(async () => {
      pages ??= paginateListObjectsV2({ client: s3, startingToken: token }, { Bucket: bucket, Prefix: prefix || undefined })[
        Symbol.asyncIterator
      ]();
      try {
        return await pages.next();
      } catch (error) {
        pages = undefined;
        throw error;
      }
    }, retry);
    if (next.done) return;
    token = next.value.NextContinuationToken;
    const page: ListedObject[] = [];
    for (const o of next.value.Contents ?? []) {
      if (o.Key !== undefined) page.push({ key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? "" });
    }
    yield page;
  }
}

/**
 * S3 lists keys in ascending order of their UTF-8 bytes. JavaScript compares UTF-16 code units,
 * which agrees except between a surrogate (U+D800–DFFF, a character above U+FFFF) and a
 * character in U+E000–FFFF: there UTF-8 puts the surrogate pair last.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** An ETag of the form "<md5>-<parts>" means the object was uploaded in parts. */
export function isMultipartEtag(etag: string): boolean {
  return /-\d+"?$/.test(etag);
}

/**
 * The SDK's paginators follow one token; ListObjectVersions and ListMultipartUploads page by two
 * markers each and have none (client-s3 3.11xx), so this follows both markers the same way, one
 * retried request per page. `next` reads the markers a truncated page gives for the next request.
 */
async function* pagesByMarkers<I extends object, O extends { IsTruncated?: boolean }>(
  request: (input: I) => Promise<O>,
  input: I,
  next: (page: O) => Partial<I>,
  retry: RetryOptions,
): AsyncGenerator<O> {
  let markers: Partial<I> = {};
  for (;;) {
    const page = await withRetry(() => request({ ...input, ...markers }), retry);
    yield page;
    if (!page.IsTruncated) return;
    markers = next(page);
  }
}

/** Every page of ListObjectVersions (versions and delete markers), in S3's order. */
export function paginateListObjectVersions(
  s3: S3Client,
  input: ListObjectVersionsCommandInput,
  retry: RetryOptions = {},
): AsyncGenerator<ListObjectVersionsCommandOutput> {
  return pagesByMarkers(
    (i: ListObjectVersionsCommandInput) => s3.send(new ListObjectVersionsCommand(i)),
    input,
    (page) => ({ KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker }),
    retry,
  );
}

/** Every page of ListMultipartUploads (uploads begun and neither completed nor aborted). */
export function paginateListMultipartUploads(
  s3: S3Client,
  input: ListMultipartUploadsCommandInput,
  retry: RetryOptions = {},
): AsyncGenerator<ListMultipartUploadsCommandOutput> {
  return pagesByMarkers(
    (i: ListMultipartUploadsCommandInput) => s3.send(new ListMultipartUploadsCommand(i)),
    input,
    (page) => ({ KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker }),
    retry,
  );
}
