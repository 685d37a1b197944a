import {
  AbortMultipartUploadCommand,
  HeadBucketCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { isMultipartEtag, listPages, paginateListMultipartUploads, type ListedObject } from "./bucket-listing";
import { mergeJoin, type JoinedPair } from "./listing-join";
import { errorMessage, RefusedError, UsageError } from "./errors";
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
    throw new RefusedError(`${argument}: bucket "${bucket}" cannot be reached: ${errorMessage(error)}`);
  }
}

type Comparison = "same" | "missing" | "different";

/** Size plus ETag, or the recorded source ETag for multipart copies whose own ETag differs. */
async function compare(s3: S3Client, pair: JoinedPair, targetBucket: string, retry: RetryOptions): Promise<Comparison> {
  const { source, target } = pair;
  if (!target) return "missing";
  if (!source || target.size !== source.size) return "different";
  if (target.etag === source.etag) return "same";
  // Only here does the sync HEAD an object: a multipart copy whose part layout could not be
  // reproduced. A rerun over objects this sync copied compares by listing alone.
  if (isMultipartEtag(source.etag) || isMultipartEtag(target.etag)) {
    return (await copiedFrom(s3, targetBucket, target.key, source.etag, retry)) ? "same" : "different";
  }
  return "different";
}

/** Counts for the parity report, kept while the listings stream past (the keys are samples). */
class ParityTally {
  readonly report: ParityReport = {
    exact: true,
    source: { objects: 0, bytes: 0 },
    target: { objects: 0, bytes: 0 },
    missingInTarget: { count: 0, keys: [] },
    differentInTarget: { count: 0, keys: [] },
    onlyInTarget: { count: 0, keys: [] },
  };

  private static note(bucket: { count: number; keys: string[] }, key: string): void {
    bucket.count += 1;
    if (bucket.keys.length < SAMPLE) bucket.keys.push(key);
  }

  seen(pair: JoinedPair): void {
    if (pair.source) {
      this.report.source.objects += 1;
      this.report.source.bytes += pair.source.size;
      if (pair.target) {
        this.report.target.objects += 1;
        this.report.target.bytes += pair.target.size;
      }
    } else if (pair.target) {
      ParityTally.note(this.report.onlyInTarget, pair.key);
    }
  }

  /** A source key's verdict; the sample keys are the source's, as the summary prints them. */
  compared(sourceKey: string, comparison: Comparison): void {
    if (comparison === "missing") ParityTally.note(this.report.missingInTarget, sourceKey);
    if (comparison === "different") ParityTally.note(this.report.differentInTarget, sourceKey);
    if (comparison !== "same") this.report.exact = false;
  }

  finish(): ParityReport {
    for (const b of [this.report.missingInTarget, this.report.differentInTarget, this.report.onlyInTarget]) {
      b.keys.sort((x, y) => x.localeCompare(y));
    }
    return this.report;
  }
}

/**
 * A bounded pool: at most `size` tasks run, and `add` waits for a free slot, so the listing is
 * read only as fast as the copies keep up (memory stays flat on any bucket).
 */
class Pool {
  private readonly running = new Set<Promise<void>>();
  /** The first task that failed; kept here so no failure is an unhandled rejection meanwhile. */
  private failure: { error: unknown } | undefined;
  constructor(private readonly size: number) {}

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }

  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.size) await Promise.race(this.running);
    this.rethrow();
    const p: Promise<void> = task()
      .catch((error: unknown) => void (this.failure ??= { error }))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    this.rethrow();
  }
}

/**
 * Multipart uploads left behind by a crash or Ctrl-C, by key: the objects were never completed, so
 * the rerun copies them again, and drops the leftover first. Only uploads started before this run.
 */
async function leftoverUploads(
  s3: S3Client,
  bucket: string,
  prefix: string,
  before: Date,
  retry: RetryOptions,
): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  for await (const page of paginateListMultipartUploads(s3, { Bucket: bucket, Prefix: prefix || undefined }, retry)) {
    for (const u of page.Uploads ?? []) {
      if (!u.Key || !u.UploadId || (u.Initiated && u.Initiated > before)) continue;
      byKey.set(u.Key, [...(byKey.get(u.Key) ?? []), u.UploadId]);
    }
  }
  return byKey;
}

interface Pass {
  parity: ParityReport;
}

/**
 * One streamed pass over both listings: each key is compared as its pages arrive and, unless this
 * is only a check, handed to `act` (which copies) when it is missing or different.
 */
async function streamedPass(
  s3: S3Client,
  options: SyncOptions,
  prefixes: { from: string; to: string },
  retry: RetryOptions,
  act: ((pair: JoinedPair & { source: ListedObject }) => Promise<void>) | undefined,
  onIdentical: (object: ListedObject) => void,
): Promise<Pass> {
  const tally = new ParityTally();
  const pool = new Pool(options.concurrency);
  const pairs = mergeJoin(
    { pages: listPages(s3, options.from.bucket, prefixes.from, retry), label: formatS3(options.from) },
    { pages: listPages(s3, options.to.bucket, prefixes.to, retry), label: formatS3(options.to) },
    (key) => prefixes.to + key.slice(prefixes.from.length),
  );
  for await (const pair of pairs) {
    tally.seen(pair);
    const { source } = pair;
    if (!source) continue;
    // The common cases (absent, or same size and ETag) are decided without a request.
    const quick: Comparison | undefined = !pair.target
      ? "missing"
      : pair.target.size !== source.size
        ? "different"
        : pair.target.etag === source.etag
          ? "same"
          : undefined;
    if (quick === "same") {
      tally.compared(source.key, quick);
      onIdentical(source);
      continue;
    }
    await pool.add(async () => {
      const comparison = quick ?? (await compare(s3, pair, options.to.bucket, retry));
      tally.compared(source.key, comparison);
      if (comparison === "same") onIdentical(source);
      else if (act) await act({ ...pair, source });
    });
  }
  await pool.drain();
  return { parity: tally.finish() };
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
  const prefixes = {
    from: options.from.key === "" ? "" : asPrefix(options.from.key),
    to: options.to.key === "" ? "" : asPrefix(options.to.key),
  };

  // The leftover-upload listing is one request on a healthy bucket; it runs beside the bucket
  // checks so a rerun pays no round trip for it.
  const leftovers = leftoverUploads(s3, options.to.bucket, prefixes.to, runStarted, retry);
  leftovers.catch(() => undefined);
  await Promise.all([requireBucket(s3, "--from", options.from.bucket, retry), requireBucket(s3, "--to", options.to.bucket, retry)]);
  const leftoverByKey = await leftovers;

  const record: SyncRecord = {
    ok: false,
    dryRun: options.dryRun,
    from: formatS3(options.from),
    to: formatS3(options.to),
    concurrency: options.concurrency,
    toCopy: { objects: 0, bytes: 0, ...(options.dryRun ? { keys: [] } : {}) },
    copied: { objects: 0, bytes: 0 },
    skippedIdentical: { objects: 0, bytes: 0 },
    failed: [],
    retries: 0,
    leftoverUploadsAborted: 0,
    parity: new ParityTally().finish(),
    durationsMs,
  };

  const tCopy = Date.now();
  let progress = silentProgress;
  let done = 0;
  const copyOne = async (pair: JoinedPair & { source: ListedObject }): Promise<void> => {
    const object = pair.source;
    record.toCopy.objects += 1;
    record.toCopy.bytes += object.size;
    if (options.dryRun) {
      record.toCopy.keys?.push(object.key);
      record.leftoverUploadsAborted += leftoverByKey.get(pair.key)?.length ?? 0;
      return;
    }
    if (options.showProgress && progress === silentProgress) progress = createProgress("sync", "items", 1);
    try {
      for (const uploadId of leftoverByKey.get(pair.key) ?? []) {
        await withRetry(() => s3.send(new AbortMultipartUploadCommand({ Bucket: options.to.bucket, Key: pair.key, UploadId: uploadId })), retry);
        record.leftoverUploadsAborted += 1;
      }
      await copyObject(s3, { bucket: options.from.bucket, object }, { bucket: options.to.bucket, key: pair.key }, retry);
      record.copied.objects += 1;
      record.copied.bytes += object.size;
    } catch (error) {
      // One bad object must not stop the other thousands, nor vanish: it is in the summary
      // and makes the exit code 1.
      record.failed.push({ key: object.key, error: errorMessage(error) });
    }
    progress.update(++done, record.toCopy.objects);
  };
  const first = await streamedPass(s3, options, prefixes, retry, copyOne, (o) => {
    record.skippedIdentical.objects += 1;
    record.skippedIdentical.bytes += o.size;
  });
  progress.stop();
  record.parity = first.parity;
  durationsMs.copy = Date.now() - tCopy;

  const tParity = Date.now();
  // Parity is proved by listing both sides again once anything was copied (or failed): the first
  // pass only saw the target as it was before. When nothing was copied that pass is already it.
  if (!options.dryRun && (record.copied.objects > 0 || record.failed.length > 0)) {
    record.parity = (await streamedPass(s3, options, prefixes, retry, undefined, () => undefined)).parity;
  }
  durationsMs.parity = Date.now() - tParity;
  record.failed.sort((a, b) => a.key.localeCompare(b.key));
  record.retries = retries;
  record.ok = options.dryRun ? record.failed.length === 0 : record.failed.length === 0 && record.parity.exact;
  durationsMs.total = Date.now() - t0;
  return record;
}
