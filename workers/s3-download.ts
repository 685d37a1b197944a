import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { isTransient, withRetry } from "./retry";
import type { S3Location } from "./s3-location";

/**
 * The bytes of one object as a stream. A dropped connection resumes from the last byte received
 * (a Range request pinned to the same ETag), so a 300 MB download never restarts from zero and
 * never mixes two versions of the object.
 */
export async function objectStream(
  s3: S3Client,
  location: S3Location,
): Promise<{ stream: Readable; sizeBytes: number; etag: string | undefined }> {
  const head = await withRetry(() => s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key })));
  const sizeBytes = head.ContentLength ?? 0;
  const etag = head.ETag;
  async function* bytes(): AsyncGenerator<Buffer> {
    let offset = 0;
    let failures = 0;
    for (;;) {
      try {
        const res = await withRetry(() =>
          s3.send(
            new GetObjectCommand({
              Bucket: location.bucket,
              Key: location.key,
              IfMatch: etag,
              Range: offset > 0 ? `bytes=${offset}-` : undefined,
            }),
          ),
        );
        for await (const chunk of res.Body as AsyncIterable<Buffer>) {
          offset += chunk.length;
          yield chunk;
        }
        return;
      } catch (error) {
        failures += 1;
        if (!isTransient(error) || failures > 5) throw error;
        await new Promise((r) => setTimeout(r, 500 * failures));
      }
    }
  }
  return { stream: Readable.from(bytes(), { objectMode: false }), sizeBytes, etag };
}
