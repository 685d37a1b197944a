import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { Writable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { locateDump } from "./dump-locator";
import type { DumpManifest } from "./dump-manifest";
import { RefusedError, UsageError } from "./errors";
import { HashingCounter } from "./hashing-counter";
import { maskUrl } from "./mask-url";
import { readToc, runPgRestore } from "./pg-restore";
import { RowCountCheck, tableDataIds, type RowCheck } from "./row-count-check";
import { createProgress, silentProgress, type Progress } from "./progress";
import { createTargetDatabase, inspectTarget, refuseIfNotEmpty, refuseIfSource } from "./restore-target";
import { formatS3, type S3Location } from "./s3-location";
import { objectStream } from "./s3-download";
import { start } from "./child-process";
import { writeSelection } from "./restore-selection";

export interface RestoreOptions {
  readonly from: S3Location;
  readonly to: URL;
  readonly latest: boolean;
  readonly jobs: number;
  readonly tables: readonly string[];
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly role?: string;
  readonly showProgress: boolean;
  /** Where the dump is staged; defaults to the OS temp dir. */
  readonly workDir?: string;
}

export type { RowCheck } from "./row-count-check";

export interface RestoreRecord {
  ok: boolean;
  dryRun: boolean;
  dump: string;
  manifest: string;
  sha256: string;
  format: string;
  compression: string;
  dumpTakenAt: string;
  source: string;
  target: string;
  targetCreated: boolean;
  forced: boolean;
  jobs: number;
  tables: readonly string[];
  sizes: { downloadedBytes: number; stagedBytes: number };
  durationsMs: Record<string, number>;
  rowCounts: RowCheck[];
  /** With --tables: foreign keys to tables not restored, left out so the partial restore succeeds. */
  skippedForeignKeys: string[];
  problems: string[];
}

/** Downloads the dump into `dir`, hashing the stored bytes in flight; returns the archive path. */
async function stageDump(s3: S3Client, manifest: DumpManifest, dir: string, progress: Progress) {
  const { stream, sizeBytes } = await objectStream(s3, { bucket: manifest.dump.bucket, key: manifest.dump.key });
  if (sizeBytes !== manifest.dump.sizeBytes) {
    stream.destroy();
    throw new RefusedError(
      `--from: ${formatS3({ bucket: manifest.dump.bucket, key: manifest.dump.key })} is ${sizeBytes} bytes but its manifest says ` +
        `${manifest.dump.sizeBytes}; the dump is damaged or was replaced, nothing was restored`,
    );
  }
  progress.update(0, sizeBytes);
  const hashed = new HashingCounter((n) => progress.update(n));
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [stream, hashed];
  if (manifest.dump.compression === "gzip") stages.push(createGunzip());
  let archive: string;
  let extractor: Promise<void> | undefined;
  if (manifest.dump.format === "custom") {
    archive = join(dir, "archive.dump");
    // Big writes: the default 16 KB buffer costs a third more time than the network itself.
    stages.push(createWriteStream(archive, { highWaterMark: 1024 * 1024 }));
  } else {
    archive = join(dir, "archive");
    mkdirSync(archive);
    const tar = start("tar", ["-C", archive, "-xf", "-"], { stdio: ["pipe", "ignore", "pipe"] });
    stages.push(tar.child.stdin as Writable);
    extractor = tar.done;
  }
  try {
    await (pipeline as (...s: unknown[]) => Promise<void>)(...stages);
    await extractor;
  } catch (error) {
    if ((error as { $metadata?: unknown }).$metadata !== undefined) throw error;
    // gunzip or tar choked on the bytes: the stored dump is damaged, whatever its checksum says.
    throw new RefusedError(
      `--from: ${formatS3({ bucket: manifest.dump.bucket, key: manifest.dump.key })} could not be unpacked ` +
        `(${(error as Error).message}); the dump is corrupt, nothing was restored; use another backup`,
    );
  }
  progress.stop();
  return { archive, downloadedBytes: hashed.bytes, sha256: hashed.digest() };
}

function stagedSize(path: string): number {
  const s = statSync(path);
  if (s.isFile()) return s.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += statSync(join(path, entry)).size;
  return total;
}

/**
 * A restore killed outright (a pod evicted, SIGKILL) cannot delete its staged dump; the next run
 * does, so repeated attempts in a disaster do not fill the disk with copies of the dump.
 */
function removeStaleStaging(workDir: string): void {
  for (const name of readdirSync(workDir)) {
    const m = /^recovery-restore-(\d+)-/.exec(name);
    if (m && !isRunning(Number(m[1]))) rmSync(join(workDir, name), { recursive: true, force: true });
  }
}

/** Whether a process still runs; a killed process nobody reaped (a zombie, in a container) does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/**
 * Seed 003 §C and seed 000 §3-4 as one command: find the dump, verify it while downloading,
 * refuse anything unsafe before touching the target, restore in parallel, then check row counts.
 */
export async function restore(s3: S3Client, options: RestoreOptions): Promise<RestoreRecord> {
  const t0 = Date.now();
  const durationsMs: Record<string, number> = {};
  const lap = (phase: string, since: number): number => (durationsMs[phase] = Date.now() - since);

  const { manifest, manifestKey } = await locateDump(s3, options.from, options.latest).catch((error: unknown) => {
    if (error instanceof RefusedError || error instanceof UsageError) throw error;
    // An unreachable S3 or missing credentials: name the argument and what to check, not a bare socket error.
    throw new Error(`--from ${formatS3(options.from)}: ${(error as Error).message}; check the AWS credentials, region and endpoint, and that the bucket exists`);
  });
  lap("locate", t0);
  const record: RestoreRecord = {
    ok: false,
    dryRun: options.dryRun,
    dump: formatS3({ bucket: manifest.dump.bucket, key: manifest.dump.key }),
    manifest: formatS3({ bucket: options.from.bucket, key: manifestKey }),
    sha256: manifest.dump.sha256,
    format: manifest.dump.format,
    compression: manifest.dump.compression,
    dumpTakenAt: manifest.source.serverTime,
    source: `${manifest.source.host}:${manifest.source.port}/${manifest.source.database}`,
    target: maskUrl(options.to.toString()),
    targetCreated: false,
    forced: options.force,
    jobs: options.jobs,
    tables: options.tables,
    sizes: { downloadedBytes: 0, stagedBytes: 0 },
    durationsMs,
    rowCounts: [],
    skippedForeignKeys: [],
    problems: [],
  };

  const known = new Set(manifest.tables.map((t) => t.name));
  const unknown = options.tables.filter((t) => !known.has(t));
  if (unknown.length > 0) {
    throw new RefusedError(`--tables: ${unknown.join(", ")} not in this dump (it has ${[...known].slice(0, 10).join(", ")}); check the names`, record);
  }

  const tCheck = Date.now();
  const state = await inspectTarget(options.to);
  refuseIfSource(options.to, state, manifest);
  refuseIfNotEmpty(options.to, state, options.force);
  lap("checkTarget", tCheck);

  const workDir = options.workDir ?? tmpdir();
  removeStaleStaging(workDir);
  const dir = mkdtempSync(join(workDir, `recovery-restore-${process.pid}-`));
  let rowCheck: RowCountCheck | undefined;
  try {
    const tDownload = Date.now();
    const progress = options.showProgress ? createProgress("download", "bytes", manifest.dump.sizeBytes) : silentProgress;
    const staged = await stageDump(s3, manifest, dir, progress);
    lap("download", tDownload);
    record.sizes = { downloadedBytes: staged.downloadedBytes, stagedBytes: stagedSize(staged.archive) };
    record.sha256 = staged.sha256;
    if (staged.sha256 !== manifest.dump.sha256) {
      record.problems.push(`sha256 mismatch: downloaded ${staged.sha256}, manifest ${manifest.dump.sha256}`);
      throw new RefusedError(
        `--from: ${record.dump} fails its checksum (sha256 ${staged.sha256}, manifest says ${manifest.dump.sha256}); ` +
          "the dump is corrupt, nothing was restored; use another backup",
        record,
      );
    }
    // A readable table of contents proves pg_restore can parse the archive before any write.
    const toc = await readToc(staged.archive);
    let total = toc.entries;
    let listFile: string | undefined;
    if (options.tables.length > 0) {
      listFile = join(dir, "selection.list");
      const selection = await writeSelection(staged.archive, options.tables, listFile);
      total = selection.entries;
      record.skippedForeignKeys = selection.skippedForeignKeys;
    }

    if (options.dryRun) {
      record.ok = true;
      durationsMs.total = Date.now() - t0;
      return record;
    }

    const tRestore = Date.now();
    if (!state.exists) {
      await createTargetDatabase(options.to);
      record.targetCreated = true;
    }
    const restoreProgress = options.showProgress ? createProgress("pg_restore", "items", total) : silentProgress;
    const wanted = manifest.tables.filter((t) => options.tables.length === 0 || options.tables.includes(t.name));
    rowCheck = new RowCountCheck(options.to, wanted, options.jobs);
    const dataItems = tableDataIds(toc.list, wanted);
    const counting = rowCheck;
    await runPgRestore(
      { archive: staged.archive, target: options.to, jobs: options.jobs, listFile, clean: options.force, role: options.role },
      total,
      restoreProgress,
      (dumpId) => {
        const table = dataItems.get(dumpId);
        if (table) void counting.loaded(table);
      },
    );
    restoreProgress.stop();
    lap("restore", tRestore);
  } catch (error) {
    await rowCheck?.abandon();
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Most tables were counted while the indexes were being built; this counts the rest.
  const tVerify = Date.now();
  record.rowCounts = await rowCheck!.finish();
  lap("verify", tVerify);
  for (const check of record.rowCounts) {
    if (!check.ok) record.problems.push(`${check.table}: ${check.actual ?? "missing"} rows, manifest says ${check.expected}`);
  }
  record.ok = record.problems.length === 0;
  durationsMs.total = Date.now() - t0;
  return record;
}
