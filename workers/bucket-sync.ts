import {
  AbortMultipartUploadCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { listObjects, isMultipartEtag, type ListedObject } from "./bucket-listing";
import { RefusedError, UsageError, messageOf } from "./errors";
import { copiedFrom, copyObject } from "./object-copy";
import { createProgress, silentProgress } from "./progress";
import { withRetry, type RetryOptions } from "./retry";
import { asPrefix, formatS3, type S3Location } from "./s3-location";

export interface SyncOptions {
  readonly from: S3Location;
  readonly to: S3Location;
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly showProgress: boolean;
  /** Retry tuning (tests shorten the backoff). */
  readonly retry?: RetryOptions;
}

export interface ParityReport {
  exact: boolean;
  source: { objects: number; bytes: number };
  target: { objects: number; bytes: number };
  missingInTarget: { count: number; keys: string[] };
  differentInTarget: { count: number; keys: string[] };
  /** Objects only in the target: reported, never deleted (the target may hold newer data). */
  onlyInTarget: { count: number; keys: string[] };
}

export interface SyncRecord {
  ok: boolean;
  dryRun: boolean;
  from: string;
  to: string;
  concurrency: number;
  toCopy: { objects: number; bytes: number; keys?: string[] };
  copied: { objects: number; bytes: number };
  skippedIdentical: { objects: number; bytes: number };
  failed: { key: string; error: string }[];
  retries: number;
  leftoverUploadsAborted: number;
  parity: ParityReport;
  durationsMs: Record<string, number>;
}

const SAMPLE = 20;

export function validateSyncLocations(from: S3Location, to: S3Location): void {
  if (from.bucket === to.bucket) {
    throw new UsageError(
      "--to",
      `"${formatS3(to)}" is the same bucket as --from; give a different target bucket (the replica is only ever read)`,
    );
  }
}

async function requireBucket(s3: S3Client, argument: string, bucket: string, retry: RetryOptions): Promise<void> {
  try {
    await withRetry(() => s3.send(new HeadBucketCommand({ Bucket: bucket })), retry);
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) throw new RefusedError(`${argument}: bucket "${bucket}" does not exist; check the name (the sync never creates buckets)`);
    if (status === 403) throw new RefusedError(`${argument}: access to bucket "${bucket}" is denied; check the credentials' permissions`);
    throw new RefusedError(`${argument}: bucket "${bucket}" cannot be reached: ${messageOf(error)}`);
  }
}

type Comparison = "same" | "missing" | "different";

/** Size plus ETag, or the recorded source ETag for multipart copies whose own ETag differs. */
async function compare(
  s3: S3Client,
  source: ListedObject,
  target: ListedObject | undefined,
  targetBucket: string,
  retry: RetryOptions,
): Promise<Comparison> {
  if (!target) return "missing";
  if (target.size !== source.size) return "different";
  if (target.etag === source.etag) return "same";
  if (isMultipartEtag(source.etag) || isMultipartEtag(target.etag)) {
    return (await copiedFrom(s3, targetBucket, target.key, source.etag, retry)) ? "same" : "different";
  }
  return "different";
}

async function compareAll(
  s3: S3Client,
  sources: Map<string, ListedObject>,
  targets: Map<string, ListedObject>,
  mapKey: (k: string) => string,
  targetBucket: string,
  retry: RetryOptions,
): Promise<Map<string, Comparison>> {
  const limit = pLimit(16);
  const results = new Map<string, Comparison>();
  await Promise.all(
    [...sources.values()].map((o) =>
      limit(async () => results.set(o.key, await compare(s3, o, targets.get(mapKey(o.key)), targetBucket, retry))),
    ),
  );
  return results;
}

function parityOf(
  sources: Map<string, ListedObject>,
  targets: Map<string, ListedObject>,
  comparisons: Map<string, Comparison>,
  mapKey: (k: string) => string,
): ParityReport {
  const mapped = new Set([...sources.keys()].map(mapKey));
  const missing = [...comparisons].filter(([, c]) => c === "missing").map(([k]) => k);
  const different = [...comparisons].filter(([, c]) => c === "different").map(([k]) => k);
  const only = [...targets.keys()].filter((k) => !mapped.has(k));
  const present = [...targets.values()].filter((o) => mapped.has(o.key));
  return {
    exact: missing.length === 0 && different.length === 0,
    source: { objects: sources.size, bytes: [...sources.values()].reduce((s, o) => s + o.size, 0) },
    target: { objects: present.length, bytes: present.reduce((s, o) => s + o.size, 0) },
    missingInTarget: { count: missing.length, keys: missing.slice(0, SAMPLE) },
    differentInTarget: { count: different.length, keys: different.slice(0, SAMPLE) },
    onlyInTarget: { count: only.length, keys: only.slice(0, SAMPLE) },
  };
}

/**
 * A multipart copy cut off by a crash or Ctrl-C leaves an upload behind; the object itself was
 * never completed, so the rerun copies it again. Only uploads for keys we are about to copy and
 * started before this run are aborted.
 */
async function abortLeftoverUploads(
  s3: S3Client,
  bucket: string,
  prefix: string,
  keys: Set<string>,
  before: Date,
  dryRun: boolean,
  retry: RetryOptions,
): Promise<number> {
  let aborted = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await withRetry(
      () =>
        s3.send(
          new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix || undefined, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
        ),
      retry,
    );
    for (const u of page.Uploads ?? []) {
      if (!u.Key || !u.UploadId || !keys.has(u.Key)) continue;
      if (u.Initiated && u.Initiated > before) continue;
      if (!dryRun) {
        await withRetry(() => s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId })), retry);
      }
      aborted += 1;
    }
    if (!page.IsTruncated) return aborted;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/**
 * Seed 004 Restore 3B as a worker: copies what differs from the replica into the target, server
 * side, and proves parity at the end. The replica (--from) is only ever listed and read.
 */
export async function syncBuckets(s3: S3Client, options: SyncOptions): Promise<SyncRecord> {
  const t0 = Date.now();
  const runStarted = new Date();
  validateSyncLocations(options.from, options.to);
  let retries = 0;
  const retry: RetryOptions = { ...options.retry, onRetry: () => (retries += 1) };
  const durationsMs: Record<string, number> = {};
  const fromPrefix = options.from.key === "" ? "" : asPrefix(options.from.key);
  const toPrefix = options.to.key === "" ? "" : asPrefix(options.to.key);
  const mapKey = (key: string): string => toPrefix + key.slice(fromPrefix.length);

  await Promise.all([requireBucket(s3, "--from", options.from.bucket, retry), requireBucket(s3, "--to", options.to.bucket, retry)]);

  const tPlan = Date.now();
  const [sources, targets] = await Promise.all([
    listObjects(s3, options.from.bucket, fromPrefix, retry),
    listObjects(s3, options.to.bucket, toPrefix, retry),
  ]);
  const comparisons = await compareAll(s3, sources, targets, mapKey, options.to.bucket, retry);
  const toCopy = [...sources.values()].filter((o) => comparisons.get(o.key) !== "same");
  const identical = [...sources.values()].filter((o) => comparisons.get(o.key) === "same");
  durationsMs.plan = Date.now() - tPlan;

  const record: SyncRecord = {
    ok: false,
    dryRun: options.dryRun,
    from: formatS3(options.from),
    to: formatS3(options.to),
    concurrency: options.concurrency,
    toCopy: { objects: toCopy.length, bytes: toCopy.reduce((s, o) => s + o.size, 0) },
    copied: { objects: 0, bytes: 0 },
    skippedIdentical: { objects: identical.length, bytes: identical.reduce((s, o) => s + o.size, 0) },
    failed: [],
    retries: 0,
    leftoverUploadsAborted: 0,
    parity: parityOf(sources, targets, comparisons, mapKey),
    durationsMs,
  };
  const targetKeys = new Set(toCopy.map((o) => mapKey(o.key)));
  if (toCopy.length > 0) {
    record.leftoverUploadsAborted = await abortLeftoverUploads(s3, options.to.bucket, toPrefix, targetKeys, runStarted, options.dryRun, retry);
  }

  if (options.dryRun) {
    record.toCopy.keys = toCopy.map((o) => o.key);
    record.ok = true;
    record.retries = retries;
    durationsMs.total = Date.now() - t0;
    return record;
  }

  const tCopy = Date.now();
  const progress = options.showProgress && toCopy.length > 0 ? createProgress("sync", "items", toCopy.length) : silentProgress;
  const limit = pLimit(options.concurrency);
  let done = 0;
  await Promise.all(
    toCopy.map((object) =>
      limit(async () => {
        try {
          await copyObject(s3, { bucket: options.from.bucket, object }, { bucket: options.to.bucket, key: mapKey(object.key) }, retry);
          record.copied.objects += 1;
          record.copied.bytes += object.size;
        } catch (error) {
          // One bad object must not stop the other thousands, nor vanish: it is in the summary
          // and makes the exit code 1.
          record.failed.push({ key: object.key, error: messageOf(error) });
        }
        progress.update(++done);
      }),
    ),
  );
  progress.stop();
  durationsMs.copy = Date.now() - tCopy;

  const tParity = Date.now();
  // Parity compares the source as listed at the start of this run with the target as it is now.
  // The source is a read-only replica, so listing it again would only double the slowest part of
  // a rerun; when nothing was copied, the target listing taken above is already current.
  if (record.copied.objects > 0 || record.failed.length > 0) {
    const targetsAfter = await listObjects(s3, options.to.bucket, toPrefix, retry);
    const after = await compareAll(s3, sources, targetsAfter, mapKey, options.to.bucket, retry);
    record.parity = parityOf(sources, targetsAfter, after, mapKey);
  }
  durationsMs.parity = Date.now() - tParity;
  record.failed.sort((a, b) => a.key.localeCompare(b.key));
  record.retries = retries;
  record.ok = record.failed.length === 0 && record.parity.exact;
  durationsMs.total = Date.now() - t0;
  return record;
}
