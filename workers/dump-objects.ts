import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { dumpFileKey, type DumpFile, type DumpManifest } from "./dump-manifest";
import { errorMessage, RefusedError } from "./errors";
import { HashingCounter } from "./hashing-counter";
import { objectStream } from "./s3-download";
import { formatS3 } from "./s3-location";

/**
 * The `objects` layout's files (a `pg_dump -Fd` directory stored one object per file), each
 * fetched from S3 with its size and sha256 compared with the manifest's: into a file, into a
 * reader (streamed-restore.ts streams table data into COPY), or nowhere (`--dry-run`).
 */

const where = (manifest: DumpManifest, name: string): string => formatS3({ bucket: manifest.dump.bucket, key: dumpFileKey(manifest.dump.key, name) });

/** A file whose bytes differ from the manifest: the dump is corrupt or was replaced. */
export function mismatchMessage(manifest: DumpManifest, name: string, what: string): string {
  return `--from: ${where(manifest, name)} ${what}; the dump is corrupt, nothing was restored; use another backup`;
}

/** The reader (a COPY, pg_restore) stopped reading: a consequence of its failure, never the cause. */
export class PipeClosedError extends Error {
  constructor(readonly cause: unknown) {
    super(`the reader stopped reading (${errorMessage(cause)})`);
    this.name = "PipeClosedError";
  }
}

/**
 * Passes bytes on to `out`; if `out` fails (its reader stopped), keeps accepting and dropping
 * them, so the file is still hashed to its end: a restore that died on a damaged file is then
 * reported as the damaged file, not as the reader's error.
 */
class ForgivingSink extends Writable {
  error: unknown;
  private waiting: (() => void) | undefined;

  constructor(private readonly out: NodeJS.WritableStream) {
    super({ highWaterMark: 1024 * 1024 });
    out.on("error", (error: unknown) => {
      this.error ??= error;
      this.release();
    });
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.error !== undefined || this.out.write(chunk)) return done();
    this.waiting = done;
    this.out.once("drain", () => this.release());
  }

  override _final(done: () => void): void {
    if (this.error !== undefined) return done();
    this.waiting = done;
    this.out.end(() => this.release());
  }
}

/** One file from S3 into `sink`, its size and sha256 compared with the manifest's. */
export async function fetchVerified(
  s3: S3Client,
  manifest: DumpManifest,
  file: DumpFile,
  sink: () => Promise<NodeJS.WritableStream>,
  onBytes: (n: number) => void,
  onStream: (stream: NodeJS.ReadableStream & { destroy(): void }) => void = () => undefined,
): Promise<number> {
  const location = { bucket: manifest.dump.bucket, key: dumpFileKey(manifest.dump.key, file.name) };
  const opening = sink();
  const { stream, sizeBytes } = await objectStream(s3, location).catch((error: unknown) => {
    // The reader must not wait forever on a pipe nobody will write: close it once it is open.
    opening.then((out) => (out as Writable).destroy?.(), () => undefined);
    throw error;
  });
  const out = await opening;
  onStream(stream);
  const forgiving = new ForgivingSink(out);
  if (sizeBytes !== file.sizeBytes) {
    stream.destroy();
    forgiving.end();
    throw new RefusedError(mismatchMessage(manifest, file.name, `is ${sizeBytes} bytes but its manifest says ${file.sizeBytes}`));
  }
  let last = 0;
  const hashed = new HashingCounter((n) => {
    onBytes(n - last);
    last = n;
  });
  await pipeline(stream, hashed, forgiving);
  const sha256 = hashed.digest();
  if (hashed.bytes !== file.sizeBytes) throw new RefusedError(mismatchMessage(manifest, file.name, `ended after ${hashed.bytes} of ${file.sizeBytes} bytes`));
  if (sha256 !== file.sha256) throw new RefusedError(mismatchMessage(manifest, file.name, `fails its checksum (sha256 ${sha256}, manifest says ${file.sha256})`));
  if (forgiving.error !== undefined) throw new PipeClosedError(forgiving.error);
  return hashed.bytes;
}

const fileSink = (path: string) => async () => createWriteStream(path, { highWaterMark: 1024 * 1024 });
const nullSink = async (): Promise<NodeJS.WritableStream> => new Writable({ write: (_c, _e, done) => done() });

/** The manifest's data file for each TABLE DATA entry of the archive's list (`3343.dat.gz` for id 3343). */
export function tableDataFiles(list: string, manifest: DumpManifest): Map<number, DumpFile> {
  const byName = new Map((manifest.dump.files ?? []).map((f) => [f.name, f]));
  const files = new Map<number, DumpFile>();
  for (const m of list.matchAll(/^(\d+); \d+ \d+ TABLE DATA /gm)) {
    const file = byName.get(`${m[1]}.dat.gz`) ?? byName.get(`${m[1]}.dat`);
    if (file) files.set(Number(m[1]), file);
  }
  return files;
}

/** Downloads the files that are not table data (large objects: `blobs.toc`, `blob_*.dat.gz`) as plain files. */
export async function fetchOtherFiles(s3: S3Client, manifest: DumpManifest, archive: string, data: ReadonlyMap<number, DumpFile>, onBytes: (n: number) => void): Promise<number> {
  const dataNames = new Set([...data.values()].map((f) => f.name));
  const limit = pLimit(4);
  const others = (manifest.dump.files ?? []).filter((f) => !dataNames.has(f.name));
  const sizes = await Promise.all(others.map((f) => limit(() => fetchVerified(s3, manifest, f, fileSink(join(archive, f.name)), onBytes))));
  return sizes.reduce((a, b) => a + b, 0);
}

/** Every data file downloaded before anything is written (a partial restore into an existing database). */
export async function fetchDataFiles(s3: S3Client, manifest: DumpManifest, archive: string, data: ReadonlyMap<number, DumpFile>, onBytes: (n: number) => void): Promise<number> {
  const limit = pLimit(4);
  const sizes = await Promise.all([...data.values()].map((f) => limit(() => fetchVerified(s3, manifest, f, fileSink(join(archive, f.name)), onBytes))));
  return sizes.reduce((a, b) => a + b, 0);
}

/** `--dry-run`: every file hashed and dropped, nothing written. */
export async function verifyFiles(s3: S3Client, manifest: DumpManifest, onBytes: (n: number) => void): Promise<number> {
  const limit = pLimit(4);
  const sizes = await Promise.all((manifest.dump.files ?? []).map((f) => limit(() => fetchVerified(s3, manifest, f, nullSink, onBytes))));
  return sizes.reduce((a, b) => a + b, 0);
}

/** The archive directory with its toc.dat, checked against the manifest. */
export async function fetchToc(s3: S3Client, manifest: DumpManifest, dir: string): Promise<{ archive: string; bytes: number }> {
  const archive = join(dir, "archive");
  mkdirSync(archive);
  const toc: DumpFile = { name: "toc.dat", sizeBytes: manifest.dump.sizeBytes, sha256: manifest.dump.sha256 };
  const bytes = await fetchVerified(s3, manifest, toc, fileSink(join(archive, "toc.dat")), () => undefined);
  return { archive, bytes };
}
