// The bench's S3 server: s3rver 3.7.1 (Node, answers requests concurrently, ~1 ms of CPU each)
// plus the five things the sync and `aws s3 sync` use that it lacks, filled in here with its own
// store. Run as a child process so its CPU is its own: node --require tsx/cjs bench/s3/s3rver-main.ts DIR
//
// What s3rver 3.7.1 lacks (read from node_modules/s3rver/lib/routes.js and controllers/object.js):
// 1. UploadPartCopy: PUT ?partNumber&uploadId with x-amz-copy-source answers NotImplemented
//    (the AWS CLI multipart-copies every object over 8 MB; ours copies multipart objects so).
// 2. ListMultipartUploads (GET ?uploads) answers NotImplemented (the sync looks for leftovers).
// 3. AbortMultipartUpload (DELETE ?uploadId) is MethodNotAllowed.
// 4. A completed multipart upload gets the MD5 of the whole object as its ETag, not S3's
//    md5-of-part-md5s "-N"; and HEAD ?partNumber=N ignores the part (no x-amz-mp-parts-count).
// 5. x-amz-copy-source-if-match is ignored (a copy of a changed source would not fail with 412).
// 6. ListObjectsV2 pagination: its continuation tokens are DES-encrypted, and OpenSSL 3 (Node 17+)
//    has DES only in its legacy provider, so every listing past 1,000 keys answers 500 unless
//    node runs with --openssl-legacy-provider (s3-server.ts starts it so).
// CopyObject with x-amz-copy-source, HeadObject and HeadBucket work as they are.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

/* eslint-disable @typescript-eslint/no-require-imports -- s3rver ships no types */
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => S3rverApp;
const S3Error = require("s3rver/lib/models/error") as new (code: string, message: string) => Error;
/* eslint-enable @typescript-eslint/no-require-imports */

interface Store {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  getObject(bucket: string, key: string, options: { start?: number; end?: number }): Promise<{ content: NodeJS.ReadableStream } | null>;
  putPart(bucket: string, uploadId: string, partNumber: string, content: NodeJS.ReadableStream): Promise<{ md5: string }>;
  putObjectMultipart(bucket: string, uploadId: string, parts: { number: number; etag: string }[]): Promise<{ md5: string; size: number }>;
}
interface Ctx {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  status: number;
  length: number;
  body: unknown;
  set(name: string, value: string): void;
}
type Middleware = (ctx: Ctx, next: () => Promise<void>) => Promise<void>;
interface S3rverApp {
  store: Store;
  middleware: Middleware[];
  run(): Promise<{ port: number }>;
}

const directory = process.argv[2];
const app = new S3rver({ directory, address: "127.0.0.1", port: 0, silent: true, allowMismatchedSignatures: true });
const store = app.store;
const uploadsDir = (bucket: string): string => store.getResourcePath(bucket, undefined, "uploads");
const unquote = (etag: string | undefined): string => (etag ?? "").replace(/"/g, "");

// 4. S3's multipart ETag, and the part sizes HEAD ?partNumber answers with.
const completeMultipart = store.putObjectMultipart.bind(store);
store.putObjectMultipart = async (bucket, uploadId, parts) => {
  const dir = path.join(uploadsDir(bucket), uploadId);
  const key = await fs.readFile(path.join(dir, "key"), "utf8");
  const ordered = [...parts].sort((a, b) => a.number - b.number);
  const md5s = await Promise.all(ordered.map((p) => fs.readFile(path.join(dir, `${p.number}.md5`), "utf8")));
  const sizes = await Promise.all(ordered.map(async (p) => (await fs.stat(path.join(dir, String(p.number)))).size));
  const etag = `${createHash("md5").update(Buffer.concat(md5s.map((h) => Buffer.from(h, "hex")))).digest("hex")}-${ordered.length}`;
  const result = await completeMultipart(bucket, uploadId, parts);
  await fs.writeFile(store.getResourcePath(bucket, key, "object.md5"), etag);
  await fs.writeFile(store.getResourcePath(bucket, key, "parts.json"), JSON.stringify(sizes));
  return { md5: etag, size: result.size };
};

function copySourceOf(ctx: Ctx): { bucket: string; key: string } {
  const raw = decodeURIComponent((ctx.headers["x-amz-copy-source"] ?? "").split("?")[0]).replace(/^\//, "");
  const slash = raw.indexOf("/");
  return { bucket: raw.slice(0, slash), key: raw.slice(slash + 1) };
}

async function sourceEtag(bucket: string, key: string): Promise<string> {
  try {
    return unquote((await store.getMetadata(bucket, key)).etag);
  } catch {
    throw new S3Error("NoSuchKey", "The specified key does not exist.");
  }
}

const gaps: Middleware = async (ctx, next) => {
  const [bucket, ...rest] = ctx.path.slice(1).split("/");
  const key = decodeURIComponent(rest.join("/"));
  const q = ctx.query;
  const copying = ctx.headers["x-amz-copy-source"] !== undefined;
  if (ctx.method === "PUT" && copying) {
    // 5. the copy's precondition
    const source = copySourceOf(ctx);
    const etag = await sourceEtag(source.bucket, source.key);
    const expected = ctx.headers["x-amz-copy-source-if-match"];
    if (expected !== undefined && unquote(expected) !== etag) throw new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    if (q.uploadId !== undefined && q.partNumber !== undefined) {
      // 1. UploadPartCopy: the range read from the store straight into the part
      const range = /^bytes=(\d+)-(\d+)$/.exec(ctx.headers["x-amz-copy-source-range"] ?? "");
      const object = await store.getObject(source.bucket, source.key, range ? { start: Number(range[1]), end: Number(range[2]) } : {});
      if (!object) throw new S3Error("NoSuchKey", "The specified key does not exist.");
      const { md5 } = await store.putPart(bucket, q.uploadId, q.partNumber, object.content);
      ctx.body = { CopyPartResult: { LastModified: new Date().toISOString(), ETag: JSON.stringify(md5) } };
      return;
    }
    return next();
  }
  if (ctx.method === "GET" && key === "" && q.uploads !== undefined) {
    // 2. ListMultipartUploads (one page: the bench never leaves a thousand behind)
    const ids = await fs.readdir(uploadsDir(bucket)).catch(() => [] as string[]);
    const uploads = await Promise.all(
      ids.map(async (id) => {
        const dir = path.join(uploadsDir(bucket), id);
        return { Key: await fs.readFile(path.join(dir, "key"), "utf8"), UploadId: id, Initiated: (await fs.stat(dir)).mtime.toISOString() };
      }),
    );
    const prefix = q.prefix ?? "";
    ctx.body = {
      ListMultipartUploadsResult: {
        Bucket: bucket,
        KeyMarker: "",
        UploadIdMarker: "",
        MaxUploads: 1000,
        IsTruncated: false,
        Upload: uploads.filter((u) => u.Key.startsWith(prefix)),
      },
    };
    return;
  }
  if (ctx.method === "DELETE" && key !== "" && q.uploadId !== undefined) {
    // 3. AbortMultipartUpload
    await fs.rm(path.join(uploadsDir(bucket), path.basename(q.uploadId)), { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.method === "HEAD" && key !== "" && q.partNumber !== undefined && ctx.status < 300) {
    // 4. HEAD ?partNumber=N: the part's length and the object's part count
    const sizes = JSON.parse(await fs.readFile(store.getResourcePath(bucket, key, "parts.json"), "utf8").catch(() => "null")) as number[] | null;
    if (!sizes) return;
    const n = Number(q.partNumber);
    const start = sizes.slice(0, n - 1).reduce((s, x) => s + x, 0);
    const total = sizes.reduce((s, x) => s + x, 0);
    ctx.status = 206;
    ctx.length = sizes[n - 1];
    ctx.set("Content-Range", `bytes ${start}-${start + sizes[n - 1] - 1}/${total}`);
    ctx.set("x-amz-mp-parts-count", String(sizes.length));
  }
};

// Before s3rver's router (the last middleware), after its logger, XML encoder and error handling.
app.middleware.splice(app.middleware.length - 1, 0, gaps);
void app.run().then(({ port }) => process.stdout.write(`ready ${port}\n`));
// A normal exit on SIGTERM, so `node --cpu-prof` can write its profile when asked where the time goes.
process.on("SIGTERM", () => process.exit(0));
