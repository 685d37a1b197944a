import { DeleteObjectCommand, GetBucketVersioningCommand, type S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { paginateListObjectVersions } from "./bucket-listing";
import { errorMessage, RefusedError } from "./errors";
import { withRetry, type RetryOptions } from "./retry";
import { formatS3, type S3Location } from "./s3-location";

export interface UndeleteOptions {
  readonly bucket: S3Location;
  readonly after: Date;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly retry?: RetryOptions;
}

export interface UndeleteRecord {
  ok: boolean;
  dryRun: boolean;
  bucket: string;
  after: string;
  /** Objects that are back (or would be, in a dry run), with the version that is current again. */
  restored: { key: string; versionId: string; deletedAt: string }[];
  deleteMarkersRemoved: number;
  /** Deleted after T, but with no earlier version to come back to: left as they are. */
  noEarlierVersion: string[];
  failed: { key: string; error: string }[];
}

interface VersionEntry {
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: Date;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
}

async function listVersions(s3: S3Client, location: S3Location, retry: RetryOptions): Promise<Map<string, VersionEntry[]>> {
  const byKey = new Map<string, VersionEntry[]>();
  const add = (e: VersionEntry): void => {
    const list = byKey.get(e.key) ?? [];
    list.push(e);
    byKey.set(e.key, list);
  };
  for await (const page of paginateListObjectVersions(s3, { Bucket: location.bucket, Prefix: location.key || undefined }, retry)) {
    for (const v of page.Versions ?? []) {
      add({ key: v.Key!, versionId: v.VersionId!, lastModified: v.LastModified!, isLatest: Boolean(v.IsLatest), deleteMarker: false });
    }
    for (const m of page.DeleteMarkers ?? []) {
      add({ key: m.Key!, versionId: m.VersionId!, lastModified: m.LastModified!, isLatest: Boolean(m.IsLatest), deleteMarker: true });
    }
  }
  return byKey;
}

/**
 * Seed 004 Restore 3A in bulk: an object whose current version is a delete marker placed after
 * T comes back by removing the markers placed after T. Objects deleted before T stay deleted,
 * live objects and their history are not touched, and no object version is ever deleted.
 */
export function planUndelete(
  byKey: Map<string, VersionEntry[]>,
  after: Date,
): { markers: VersionEntry[]; restored: { key: string; versionId: string; deletedAt: string }[]; noEarlierVersion: string[] } {
  const markers: VersionEntry[] = [];
  const restored = [];
  const noEarlierVersion: string[] = [];
  for (const [key, entries] of byKey) {
    // Newest first; the latest entry wins ties so the head of the list is the current version.
    entries.sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime() || Number(b.isLatest) - Number(a.isLatest));
    const head = entries[0];
    if (!head.deleteMarker || !head.isLatest || head.lastModified <= after) continue;
    let i = 0;
    while (i < entries.length && entries[i].deleteMarker && entries[i].lastModified > after) i += 1;
    const comesBack = entries[i];
    if (!comesBack || comesBack.deleteMarker) {
      noEarlierVersion.push(key);
      continue;
    }
    markers.push(...entries.slice(0, i));
    restored.push({ key, versionId: comesBack.versionId, deletedAt: head.lastModified.toISOString() });
  }
  restored.sort((a, b) => a.key.localeCompare(b.key));
  return { markers, restored, noEarlierVersion: noEarlierVersion.sort() };
}

export async function undelete(s3: S3Client, options: UndeleteOptions): Promise<UndeleteRecord> {
  const retry = options.retry ?? {};
  const versioning = await withRetry(() => s3.send(new GetBucketVersioningCommand({ Bucket: options.bucket.bucket })), retry);
  if (versioning.Status !== "Enabled" && versioning.Status !== "Suspended") {
    throw new RefusedError(
      `--to: bucket "${options.bucket.bucket}" is not versioned, so deleted objects have no versions to come back from; sync them from the replica instead (--from)`,
    );
  }
  const plan = planUndelete(await listVersions(s3, options.bucket, retry), options.after);
  const record: UndeleteRecord = {
    ok: true,
    dryRun: options.dryRun,
    bucket: formatS3(options.bucket),
    after: options.after.toISOString(),
    restored: plan.restored,
    deleteMarkersRemoved: 0,
    noEarlierVersion: plan.noEarlierVersion,
    failed: [],
  };
  if (options.dryRun) return record;
  const limit = pLimit(options.concurrency);
  const failedKeys = new Set<string>();
  await Promise.all(
    plan.markers.map((m) =>
      limit(async () => {
        try {
          // Deleting a delete marker by its version id is the documented undelete (seed 004 step 2).
          await withRetry(() => s3.send(new DeleteObjectCommand({ Bucket: options.bucket.bucket, Key: m.key, VersionId: m.versionId })), retry);
          record.deleteMarkersRemoved += 1;
        } catch (error) {
          failedKeys.add(m.key);
          record.failed.push({ key: m.key, error: errorMessage(error) });
        }
      }),
    ),
  );
  record.restored = record.restored.filter((r) => !failedKeys.has(r.key));
  record.ok = record.failed.length === 0;
  return record;
}
