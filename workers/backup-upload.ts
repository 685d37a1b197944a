import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { RefusedError } from "./errors";
import { HashingCounter } from "./hashing-counter";
import { withRetry } from "./retry";
import { formatS3 } from "./s3-location";

/** What the backups (pg_dump, Redis RDB) share on the way into S3. */
const PART_SIZE = 16 * 1024 * 1024;

/** Seed 000: never overwrite a backup artefact. Two backups in the same second get the same key. */
export async function refuseIfTaken(s3: S3Client, bucket: string, key: string): Promise<void> {
  const taken = await s3
    .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    .then(() => true)
    .catch((error: unknown) => {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      if ((error as { name?: string }).name === "NotFound") return false;
      throw error;
    });
  if (taken) throw new RefusedError(`--to: ${formatS3({ bucket, key })} already exists; backups are never overwritten, retry in a second`);
}

/**
 * Uploads `body` with its sha256 and size counted in flight, while `producers` (the process
 * writing it) finish. On any failure the partial object is removed: it never gets a manifest, so
 * restore would refuse it anyway, and nobody has to ask what it is.
 */
export async function uploadHashed(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Readable,
  onBytes: (bytes: number) => void,
  producers: readonly Promise<unknown>[] = [],
): Promise<HashingCounter> {
  const hashed = new HashingCounter(onBytes);
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: hashed, ContentType: "application/octet-stream" },
    partSize: PART_SIZE,
    queueSize: 4,
    leavePartsOnError: false,
  });
  const uploaded = upload.done();
  try {
    await Promise.all([pipeline(body, hashed), ...producers, uploaded]);
  } catch (error) {
    await upload.abort().catch(() => undefined);
    await uploaded.catch(() => undefined);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    if ((error as { name?: string }).name === "NoSuchBucket") {
      throw new RefusedError(`--to: bucket "${bucket}" does not exist; check the name (backup never creates buckets)`);
    }
    throw error;
  }
  return hashed;
}

/** The manifest goes last: its presence is what tells restore the backup beside it is complete. */
export async function putManifest(s3: S3Client, bucket: string, key: string, manifest: unknown): Promise<void> {
  await withRetry(() =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(manifest, null, 2), ContentType: "application/json" })),
  );
}
