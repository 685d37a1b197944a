import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { MANIFEST_SUFFIX, manifestKeyFor, parseManifest, type DumpManifest } from "./dump-manifest";
import { RefusedError, UsageError } from "./errors";
import { asPrefix, formatS3, type S3Location } from "./s3-location";
import { withRetry } from "./retry";

export interface LocatedDump {
  readonly manifest: DumpManifest;
  readonly manifestKey: string;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const res = await withRetry(() => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    return await res.Body!.transformToString("utf8");
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await withRetry(() => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await withRetry(() =>
      s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function loadManifest(s3: S3Client, bucket: string, manifestKey: string): Promise<DumpManifest> {
  const text = await readText(s3, bucket, manifestKey);
  if (text === undefined) {
    throw new RefusedError(
      `--from: no manifest at ${formatS3({ bucket, key: manifestKey })}; restore refuses a dump it cannot verify ` +
        "(take a new backup with `npm run backup`, which writes the manifest)",
    );
  }
  try {
    return parseManifest(text, formatS3({ bucket, key: manifestKey }));
  } catch (error) {
    throw new RefusedError(`--from: ${(error as Error).message}; restore refuses a dump it cannot verify`);
  }
}

/**
 * Finds the dump `--from` names: a dump key, or a prefix holding exactly one dump, or with
 * `--latest` the newest by the manifest's snapshot time (the data's age, not the upload's).
 */
export async function locateDump(s3: S3Client, from: S3Location, latest: boolean): Promise<LocatedDump> {
  const { bucket, key } = from;
  if (key !== "" && !key.endsWith("/")) {
    const manifestKey = key.endsWith(MANIFEST_SUFFIX) ? key : manifestKeyFor(key);
    const dumpKey = manifestKey.slice(0, -MANIFEST_SUFFIX.length);
    if (await exists(s3, bucket, dumpKey)) {
      const manifest = await loadManifest(s3, bucket, manifestKey);
      if (manifest.dump.key !== dumpKey || manifest.dump.bucket !== bucket) {
        throw new RefusedError(
          `--from: manifest ${formatS3({ bucket, key: manifestKey })} describes ${formatS3({ bucket: manifest.dump.bucket, key: manifest.dump.key })}, ` +
            "not the dump beside it; restore refuses a dump it cannot verify",
        );
      }
      return { manifest, manifestKey };
    }
  }
  const prefix = asPrefix(key);
  const keys = await listKeys(s3, bucket, prefix);
  const manifestKeys = keys.filter((k) => k.endsWith(MANIFEST_SUFFIX));
  if (manifestKeys.length === 0) {
    const dumps = keys.filter((k) => /\.(dump|dump\.gz|dir\.tar|dir\.tar\.gz)$/.test(k));
    if (dumps.length > 0) {
      throw new RefusedError(
        `--from: ${dumps.length} dump(s) under ${formatS3({ bucket, key: prefix })} but no manifest beside any ` +
          `(expected e.g. ${formatS3({ bucket, key: manifestKeyFor(dumps[0]) })}); restore refuses a dump it cannot verify`,
      );
    }
    throw new RefusedError(`--from: no dump found at ${formatS3(from)}; check the bucket and prefix (npm run backup writes them)`);
  }
  const limit = pLimit(8);
  const manifests = await Promise.all(
    manifestKeys.map((k) => limit(async () => ({ manifestKey: k, manifest: await loadManifest(s3, bucket, k) }))),
  );
  if (manifests.length > 1 && !latest) {
    const names = manifests.map((m) => m.manifest.dump.key).sort();
    throw new UsageError(
      "--from",
      `${formatS3({ bucket, key: prefix })} holds ${manifests.length} dumps (${names.slice(-3).join(", ")}${names.length > 3 ? ", …" : ""}); ` +
        "name one dump key, or add --latest for the newest",
    );
  }
  manifests.sort((a, b) => Date.parse(b.manifest.source.serverTime) - Date.parse(a.manifest.source.serverTime));
  return manifests[0];
}
