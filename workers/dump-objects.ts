import { constants, createWriteStream, mkdirSync, mkdtempSync, open as openCallback, openSync, closeSync, rmSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import type { S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { runForOutput, start } from "./child-process";
import { dumpFileKey, type DumpFile, type DumpManifest } from "./dump-manifest";
import { RefusedError } from "./errors";
import { HashingCounter } from "./hashing-counter";
import { objectStream } from "./s3-download";
import { formatS3 } from "./s3-location";

/**
 * The `objects` layout (a `pg_dump -Fd` directory stored one object per file) restored while it
 * downloads. pg_restore reads a directory archive's `toc.dat` first and then each table's data
 * file once, from start to end, when a job starts on that table; it never seeks in one. So the
 * data files are named pipes, and each is fed from S3 at the moment pg_restore launches the item
 * that reads it (its `--verbose` line), hashed on the way: the download hides behind the restore
 * and `pg_restore -j N` keeps its parallelism. The checksums are known only once a file has been
 * read, which is why the restore goes into a staging database (staging-database.ts). A pg_restore
 * that opens only regular files (pgRestoreReadsPipes) gets the data files downloaded first instead.
 */

const where = (manifest: DumpManifest, name: string): string => formatS3({ bucket: manifest.dump.bucket, key: dumpFileKey(manifest.dump.key, name) });

/** A file whose bytes differ from the manifest: the dump is corrupt or was replaced. */
export function mismatchMessage(manifest: DumpManifest, name: string, what: string): string {
  return `--from: ${where(manifest, name)} ${what}; the dump is corrupt, nothing was restored; use another backup`;
}

/**
 * Passes bytes on to `out`; if `out` fails (pg_restore stopped reading), keeps accepting and
 * dropping them, so the file is still hashed to its end: a restore that died on a damaged file
 * is then reported as the damaged file, not as pg_restore's reading error.
 */
/** pg_restore stopped reading a pipe: a consequence of its failure, never the cause. */
export class PipeClosedError extends Error {
  constructor(readonly cause: unknown) {
    super(`pg_restore stopped reading (${(cause as Error).message ?? String(cause)})`);
    this.name = "PipeClosedError";
  }
}

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
async function fetchVerified(
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

/**
 * Whether the pg_restore on PATH reads a directory archive's files from named pipes. Some builds
 * refuse to open anything but a regular file: PostgreSQL 15.20 (Debian 15.20-0+deb12u1, the
 * worker image's) checks in compress_io.c's cfopen, before it opens a file for reading,
 * `lstat(path) == 0 && !S_ISREG(st_mode)` → `pg_fatal("\"%s\" is not a regular file")`, while
 * 15.18 opens the pipe. With such a pg_restore the data files are downloaded before the restore.
 *
 * The probe: a directory archive whose `toc.dat` is a named pipe holding five bytes that are not
 * pg_dump's magic string. A pg_restore that opens the pipe reads them and says "did not find magic
 * string in file header"; one that refuses it says "is not a regular file". Anything else (an
 * error of another kind, no answer within the timeout) counts as "no": downloading first is
 * slower but always works.
 */
export async function pgRestoreReadsPipes(workDir: string, timeoutMs = 15_000): Promise<boolean> {
  const dir = mkdtempSync(join(workDir, "pipe-probe-"));
  let fd: number | undefined;
  try {
    const toc = join(dir, "toc.dat");
    await runForOutput("mkfifo", ["-m", "600", toc]);
    // O_RDWR on a FIFO opens at once on Linux and keeps a writer, so pg_restore's open never waits.
    fd = openSync(toc, constants.O_RDWR | constants.O_NONBLOCK);
    writeSync(fd, Buffer.from("NOTPG"));
    const lines: string[] = [];
    const run = start("pg_restore", ["--format=directory", "--list", dir], { onStderrLine: (line) => lines.push(line) });
    const timer = setTimeout(() => run.child.kill("SIGKILL"), timeoutMs);
    await run.done.catch(() => undefined);
    clearTimeout(timer);
    return lines.some((line) => /did not find magic string/.test(line));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

const openFile = promisify(openCallback);

/**
 * Feeds the named pipes as pg_restore asks for them. `feed` is called on the line that launches
 * a TABLE DATA item; the pipe's open waits for pg_restore's worker to open it, and the object is
 * streamed through a non-blocking pipe socket (no thread of Node's pool waits on a full pipe).
 */
export class DataFeeder {
  private readonly feeds = new Map<number, Promise<number>>();
  private readonly opened = new Set<number>();
  private readonly streams = new Set<{ destroy(): void }>();
  /** The first file found to differ from the manifest. */
  mismatch: RefusedError | undefined;
  /** The first file that could not be fetched (S3 refused it, the connection could not be resumed). */
  failure: Error | undefined;
  bytes = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly manifest: DumpManifest,
    private readonly archive: string,
    private readonly files: ReadonlyMap<number, DumpFile>,
    private readonly onBytes: (total: number) => void,
    private readonly onFailure: (error: Error) => void,
    private readonly progress?: { stop(): void },
  ) {}

  stopProgress(): void {
    this.progress?.stop();
  }

  /** Creates the named pipes, one per table data file. */
  async makePipes(): Promise<void> {
    const paths = [...this.files.values()].map((f) => join(this.archive, f.name));
    // mkfifo(1): Node has no mkfifo; a few hundred paths per call keeps within the argument limit.
    for (let i = 0; i < paths.length; i += 500) await runForOutput("mkfifo", ["-m", "600", ...paths.slice(i, i + 500)]);
  }

  feed(dumpId: number): void {
    const file = this.files.get(dumpId);
    if (file === undefined || this.feeds.has(dumpId)) return;
    const path = join(this.archive, file.name);
    const sink = async (): Promise<NodeJS.WritableStream> => {
      const fd = await openFile(path, constants.O_WRONLY);
      this.opened.add(dumpId);
      return new Socket({ fd, readable: false, writable: true });
    };
    const fed = fetchVerified(this.s3, this.manifest, file, sink, (n) => this.onBytes((this.bytes += n)), (stream) => this.streams.add(stream)).catch((error: unknown) => {
      const first = this.mismatch === undefined && this.failure === undefined;
      if (error instanceof RefusedError && this.mismatch === undefined) this.mismatch = error;
      else if (!(error instanceof PipeClosedError) && this.failure === undefined) this.failure = error instanceof Error ? error : new Error(String(error));
      if (first && (this.mismatch ?? this.failure) !== undefined) {
        // pg_restore cannot finish without this file: stop it, and read no other file to its end.
        this.onFailure((this.mismatch ?? this.failure)!);
        for (const other of this.streams) other.destroy();
      }
      throw error;
    });
    fed.catch(() => undefined);
    this.feeds.set(dumpId, fed);
  }

  /** Ids whose data was fed whole and matched the manifest. */
  async settle(): Promise<{ verified: Set<number>; failed: Map<number, unknown> }> {
    // pg_restore is gone: a pipe nobody opened would hold our open forever; open its other end.
    for (const [id, file] of this.files) {
      if (!this.feeds.has(id) || this.opened.has(id)) continue;
      try {
        closeSync(openSync(join(this.archive, file.name), constants.O_RDONLY | constants.O_NONBLOCK));
      } catch {
        // already released
      }
    }
    const verified = new Set<number>();
    const failed = new Map<number, unknown>();
    for (const [id, fed] of this.feeds) {
      await fed.then(
        () => verified.add(id),
        (error: unknown) => failed.set(id, error),
      );
    }
    return { verified, failed };
  }
}
