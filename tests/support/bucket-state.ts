import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash } from "node:crypto";
import pLimit from "p-limit";
import { paginateListObjectVersions } from "../../workers/bucket-listing";

export async function createBucket(s3: S3Client, name: string, versioned = false): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: "eu-west-2" } }));
  if (versioned) await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }));
}

/** Deterministic content for object `i`, so a test can tell any two objects apart. */
export function contentFor(i: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(`object-${i}`).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

/** Fills a bucket with `count` small objects and `large` multipart ones (5 MB parts). */
export async function fillBucket(s3: S3Client, bucket: string, count: number, large: number, largeSize = 12 * 1024 * 1024): Promise<void> {
  const limit = pLimit(16);
  await Promise.all([
    ...Array.from({ length: count }, (_, i) =>
      limit(() =>
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `media/${String(i).padStart(5, "0")}.bin`,
            Body: contentFor(i, 1024 + ((i * 7919) % 8192)),
            ContentType: "application/octet-stream",
            Metadata: { origin: `n${i}` },
          }),
        ),
      ),
    ),
    ...Array.from({ length: large }, (_, i) =>
      limit(() =>
        new Upload({
          client: s3,
          params: { Bucket: bucket, Key: `video/big-${i}.mp4`, Body: contentFor(100_000 + i, largeSize), ContentType: "video/mp4" },
          partSize: 5 * 1024 * 1024,
        }).done(),
      ),
    ),
  ]);
}

/** Every version and delete marker of a bucket: compared before and after to prove it was not touched. */
export async function versionSnapshot(s3: S3Client, bucket: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const page of paginateListObjectVersions(s3, { Bucket: bucket })) {
    for (const v of page.Versions ?? []) lines.push(`v ${v.Key} ${v.VersionId} ${v.ETag} ${v.Size} ${v.IsLatest} ${v.LastModified?.toISOString()}`);
    for (const m of page.DeleteMarkers ?? []) lines.push(`d ${m.Key} ${m.VersionId} ${m.IsLatest} ${m.LastModified?.toISOString()}`);
  }
  return lines.sort();
}
