import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { RefusedError, UsageError } from "./errors";
import { parseRedisManifest, RDB_MANIFEST_SUFFIX, rdbManifestKeyFor, type RedisManifest } from "./redis-manifest";
import { withRetry } from "./retry";
import { asPrefix, formatS3, type S3Location } from "./s3-location";

export interface LocatedRdb {
  readonly manifest: RedisManifest;
  readonly manifestKey: string;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
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

async function loadManifest(s3: S3Client, bucket: string, manifestKey: string): Promise<RedisManifest> {
  const where = formatS3({ bucket, key: manifestKey });
  let text: string;
  try {
    const res = await withRetry(() => s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey })));
    text = await res.Body!.transformToString("utf8");
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    throw new RefusedError(
      `--from: no manifest at ${where}; restore refuses an RDB it cannot verify (take a new backup with \`npm run backup:redis\`, which writes the manifest)`,
    );
  }
  try {
    return parseRedisManifest(text, where);
  } catch (error) {
    throw new RefusedError(`--from: ${(error as Error).message}; restore refuses an RDB it cannot verify`);
  }
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await withRetry(() => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * Finds the RDB `--from` names: an RDB key, or a prefix holding exactly one, or with `--latest`
 * the newest by the manifest's save time (the data's age, not the upload's).
 */
export async function locateRdb(s3: S3Client, from: S3Location, latest: boolean): Promise<LocatedRdb> {
  const { bucket, key } = from;
  if (key !== "" && !key.endsWith("/")) {
    const manifestKey = key.endsWith(RDB_MANIFEST_SUFFIX) ? key : rdbManifestKeyFor(key);
    const rdbKey = manifestKey.slice(0, -RDB_MANIFEST_SUFFIX.length);
    if (await exists(s3, bucket, rdbKey)) {
      const manifest = await loadManifest(s3, bucket, manifestKey);
      if (manifest.rdb.key !== rdbKey || manifest.rdb.bucket !== bucket) {
        throw new RefusedError(
          `--from: manifest ${formatS3({ bucket, key: manifestKey })} describes ${formatS3({ bucket: manifest.rdb.bucket, key: manifest.rdb.key })}, ` +
            "not the RDB beside it; restore refuses an RDB it cannot verify",
        );
      }
      return { manifest, manifestKey };
    }
  }
  const prefix = asPrefix(key);
  const keys = await listKeys(s3, bucket, prefix);
  const manifestKeys = keys.filter((k) => k.endsWith(`.rdb${RDB_MANIFEST_SUFFIX}`));
  if (manifestKeys.length === 0) {
    const rdbs = keys.filter((k) => k.endsWith(".rdb"));
    if (rdbs.length > 0) {
      throw new RefusedError(
        `--from: ${rdbs.length} RDB file(s) under ${formatS3({ bucket, key: prefix })} but no manifest beside any ` +
          `(expected e.g. ${formatS3({ bucket, key: rdbManifestKeyFor(rdbs[0]) })}); restore refuses an RDB it cannot verify`,
      );
    }
    throw new RefusedError(`--from: no RDB found at ${formatS3(from)}; check the bucket and prefix (npm run backup:redis writes them)`);
  }
  const limit = pLimit(8);
  const manifests = await Promise.all(
    manifestKeys.map((k) => limit(async () => ({ manifestKey: k, manifest: await loadManifest(s3, bucket, k) }))),
  );
  if (manifests.length > 1 && !latest) {
    const names = manifests.map((m) => m.manifest.rdb.key).sort();
    throw new UsageError(
      "--from",
      `${formatS3({ bucket, key: prefix })} holds ${manifests.length} RDB files (${names.slice(-3).join(", ")}${names.length > 3 ? ", …" : ""}); ` +
        "name one RDB key, or add --latest for the newest",
    );
  }
  manifests.sort((a, b) => Date.parse(b.manifest.source.savedAt) - Date.parse(a.manifest.source.savedAt));
  return manifests[0];
}
