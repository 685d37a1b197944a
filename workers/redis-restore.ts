import { createWriteStream, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { runForOutput } from "./child-process";
import { errorMessage, RefusedError, UsageError } from "./errors";
import { HashingCounter } from "./hashing-counter";
import { createProgress, silentProgress } from "./progress";
import { locateRdb } from "./redis-locate";
import type { RedisManifest } from "./redis-manifest";
import { maxRdbVersionFor, oldestRedisFor, rdbVersionOfHeader, readRdbVersion } from "./redis-rdb";
import { objectStream } from "./s3-download";
import { formatS3, type S3Location } from "./s3-location";

export interface RedisRestoreOptions {
  readonly from: S3Location;
  readonly latest: boolean;
  /** The Redis data dir (`--dir` of the server that will load `dump.rdb`). */
  readonly toDir: string;
  /** The version of the Redis that will load the file, and where that came from. */
  readonly target: TargetRedis;
  readonly force: boolean;
  /** A data dir that is not empty is left alone and the run succeeds (a restarted pod keeps what Redis saved since). */
  readonly ifEmpty?: boolean;
  readonly dryRun: boolean;
  readonly showProgress: boolean;
}

export interface TargetRedis {
  readonly version: string;
  readonly from: "--redis-version" | "redis-server --version";
}

export interface RedisRestoreRecord {
  ok: boolean;
  dryRun: boolean;
  rdb: string;
  manifest: string;
  sha256: string;
  sizeBytes: number;
  rdbVersion: number;
  savedAt: string;
  source: string;
  targetRedisVersion: string;
  targetRedisVersionFrom: TargetRedis["from"];
  maxRdbVersion: number;
  toDir: string;
  /** The file Redis will read, once written (null in a dry run or on a refusal). */
  written: string | null;
  replacedExisting: boolean;
  /** With --if-empty: the data dir already held data, so nothing was downloaded or written. */
  skipped: boolean;
  forced: boolean;
  keys: number;
  databases: RedisManifest["databases"];
  durationsMs: Record<string, number>;
  problems: string[];
}

const DUMP = "dump.rdb";
const TEMP = /^\.dump\.rdb\.restore-(\d+)\.tmp$/;
/** A fresh ext4 volume (an EBS-backed PVC) holds lost+found: it is not Redis data. */
const NOT_DATA = new Set(["lost+found"]);

/**
 * The version of the Redis that will load the file: `--redis-version` when given (an init
 * container restores for the Redis image next to it, not for anything installed in its own
 * image), else the `redis-server` on PATH, else bad usage.
 */
export async function resolveTargetRedis(argument: unknown): Promise<TargetRedis> {
  if (typeof argument === "string" && argument !== "") {
    if (!/^\d+\.\d+(\.\d+)?$/.test(argument) || maxRdbVersionFor(argument) === undefined) {
      throw new UsageError("--redis-version", `"${argument}" is not a Redis version this tool knows (2.6 or later); write it like 7.0 or 7.2.4`);
    }
    return { version: argument, from: "--redis-version" };
  }
  const out = await runForOutput("redis-server", ["--version"], { timeout: 10_000 }).catch(() => undefined);
  const version = out === undefined ? undefined : /\bv=(\d+\.\d+\.\d+)/.exec(out)?.[1];
  if (version === undefined) {
    throw new UsageError(
      "--redis-version",
      "is required when no redis-server is on PATH; give the version of the Redis that will load dump.rdb, e.g. --redis-version 7.0",
    );
  }
  return { version, from: "redis-server --version" };
}

function isStaleTemp(name: string): boolean {
  const m = TEMP.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === "ESRCH";
  }
}

/** What the data dir holds that Redis would read or that a restore would overwrite. */
function inspectDataDir(dir: string): { exists: boolean; entries: string[]; staleTemps: string[] } {
  if (!existsSync(dir)) return { exists: false, entries: [], staleTemps: [] };
  if (!statSync(dir).isDirectory()) throw new UsageError("--to-dir", `${dir} is not a directory; give Redis's data dir (its --dir)`);
  const names = readdirSync(dir).filter((n) => !NOT_DATA.has(n));
  const staleTemps = names.filter(isStaleTemp);
  return { exists: true, entries: names.filter((n) => !staleTemps.includes(n)), staleTemps };
}

/**
 * Seed 004 Restore 2A as one command, for an init container before Redis starts: find the RDB,
 * refuse what the target Redis cannot load, download it with the sha256 checked, and only then
 * put it where Redis reads it, atomically (a temp file renamed over `dump.rdb` in the same dir),
 * so Redis never sees a partial or unverified file.
 */
export async function restoreRedis(s3: S3Client, options: RedisRestoreOptions): Promise<RedisRestoreRecord> {
  const t0 = Date.now();
  const durationsMs: Record<string, number> = {};
  const lap = (phase: string, since: number): number => (durationsMs[phase] = Date.now() - since);
  const toDir = resolve(options.toDir);

  const { manifest, manifestKey } = await locateRdb(s3, options.from, options.latest).catch((error: unknown) => {
    if (error instanceof RefusedError || error instanceof UsageError) throw error;
    throw new Error(`--from ${formatS3(options.from)}: ${errorMessage(error)}; check the AWS credentials, region and endpoint, and that the bucket exists`);
  });
  lap("locate", t0);
  const maxRdbVersion = maxRdbVersionFor(options.target.version)!;
  const record: RedisRestoreRecord = {
    ok: false,
    dryRun: options.dryRun,
    rdb: formatS3({ bucket: manifest.rdb.bucket, key: manifest.rdb.key }),
    manifest: formatS3({ bucket: options.from.bucket, key: manifestKey }),
    sha256: manifest.rdb.sha256,
    sizeBytes: manifest.rdb.sizeBytes,
    rdbVersion: manifest.rdb.rdbVersion,
    savedAt: manifest.source.savedAt,
    source: `${manifest.source.host}:${manifest.source.port} (Redis ${manifest.source.redisVersion})`,
    targetRedisVersion: options.target.version,
    targetRedisVersionFrom: options.target.from,
    maxRdbVersion,
    toDir,
    written: null,
    replacedExisting: false,
    skipped: false,
    forced: options.force,
    keys: manifest.databases.reduce((sum, d) => sum + d.keys, 0),
    databases: manifest.databases,
    durationsMs,
    problems: [],
  };
  const refuseVersion = (rdbVersion: number): never => {
    const oldest = oldestRedisFor(rdbVersion);
    throw new RefusedError(
      `--from: ${record.rdb} is RDB version ${rdbVersion}, but Redis ${options.target.version} (from ${options.target.from}) loads at most ` +
        `version ${maxRdbVersion}; nothing was written; restore into Redis ${oldest ?? "newer than this tool knows"} or later`,
      record,
    );
  };
  if (manifest.rdb.rdbVersion > maxRdbVersion) refuseVersion(manifest.rdb.rdbVersion);

  const tCheck = Date.now();
  const dir = inspectDataDir(toDir);
  const aof = dir.entries.filter((n) => n === "appendonlydir" || n.endsWith(".aof"));
  if (aof.length > 0) {
    // With appendonly on, Redis loads the AOF and ignores dump.rdb: the restore would silently not happen.
    throw new RefusedError(
      `--to-dir: ${toDir} holds ${aof.join(", ")}, which Redis loads instead of dump.rdb when appendonly is on; ` +
        "move it away (restore never deletes data), then rerun",
      record,
    );
  }
  if (dir.entries.length > 0 && options.ifEmpty) {
    record.skipped = true;
    record.ok = true;
    durationsMs.total = Date.now() - t0;
    return record;
  }
  if (dir.entries.length > 0 && !options.force) {
    throw new RefusedError(
      `--to-dir: ${toDir} is not empty (${dir.entries.slice(0, 5).join(", ")}${dir.entries.length > 5 ? ", …" : ""}); ` +
        "add --force to replace its dump.rdb",
      record,
    );
  }
  record.replacedExisting = dir.entries.includes(DUMP);
  lap("checkTarget", tCheck);

  const tDownload = Date.now();
  const { stream, sizeBytes } = await objectStream(s3, { bucket: manifest.rdb.bucket, key: manifest.rdb.key });
  if (sizeBytes !== manifest.rdb.sizeBytes) {
    stream.destroy();
    throw new RefusedError(
      `--from: ${record.rdb} is ${sizeBytes} bytes but its manifest says ${manifest.rdb.sizeBytes}; the RDB is damaged or was replaced, nothing was written`,
      record,
    );
  }
  const progress = options.showProgress ? createProgress("rdb download", "bytes", sizeBytes) : silentProgress;
  const hashed = new HashingCounter((n) => progress.update(n));
  const createdDir = !dir.exists && !options.dryRun;
  const temp = join(toDir, `.dump.rdb.restore-${process.pid}.tmp`);
  let header = Buffer.alloc(0);
  try {
    if (options.dryRun) {
      // Everything is checked, nothing is written anywhere: the bytes are hashed and dropped.
      const discard = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          if (header.length < 9) header = Buffer.concat([header, chunk.subarray(0, 9 - header.length)]);
          callback();
        },
      });
      await pipeline(stream, hashed, discard);
    } else {
      if (createdDir) mkdirSync(toDir, { recursive: true });
      for (const name of dir.staleTemps) rmSync(join(toDir, name), { force: true });
      await pipeline(stream, hashed, createWriteStream(temp, { highWaterMark: 1024 * 1024, mode: 0o644 }));
    }
    progress.stop();
    lap("download", tDownload);
    const sha256 = hashed.digest();
    if (sha256 !== manifest.rdb.sha256) {
      record.sha256 = sha256;
      record.problems.push(`sha256 mismatch: downloaded ${sha256}, manifest ${manifest.rdb.sha256}`);
      throw new RefusedError(
        `--from: ${record.rdb} fails its checksum (sha256 ${sha256}, manifest says ${manifest.rdb.sha256}); ` +
          "the RDB is corrupt, nothing was written; use another backup",
        record,
      );
    }
    const fileVersion = options.dryRun ? rdbVersionOfHeader(header) : await readRdbVersion(temp);
    if (fileVersion === undefined) {
      throw new RefusedError(`--from: ${record.rdb} does not start with an RDB header (REDIS00NN); nothing was written`, record);
    }
    if (fileVersion > maxRdbVersion) refuseVersion(fileVersion);
    if (options.dryRun) {
      record.ok = true;
      durationsMs.total = Date.now() - t0;
      return record;
    }
    const tWrite = Date.now();
    const file = await open(temp, "r");
    await file.sync();
    await file.close();
    await rename(temp, join(toDir, DUMP));
    // The rename itself must survive a node crash, or Redis may start on the old directory entry.
    const dirHandle = await open(toDir, "r");
    await dirHandle.sync();
    await dirHandle.close();
    lap("write", tWrite);
    record.written = join(toDir, DUMP);
    record.ok = true;
    durationsMs.total = Date.now() - t0;
    return record;
  } catch (error) {
    rmSync(temp, { force: true });
    if (createdDir) {
      try {
        rmdirSync(toDir);
      } catch {
        // not empty after all: leave it
      }
    }
    throw error;
  }
}
