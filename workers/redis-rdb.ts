import { open } from "node:fs/promises";
import { start } from "./child-process";

/**
 * Which RDB format each Redis release writes, and so the newest it loads: Redis refuses a file
 * whose header version is above its own `RDB_VERSION` ("Can't handle RDB format version", rdb.c
 * rdbLoadRioWithLoadingCtx), and loads every older one. From `src/rdb.h` across redis/redis's
 * history: v6 since 2.6 (crc64), v7 quicklist (3.2), v8 64-bit lengths (4.0), v9 streams (5.0),
 * v10 listpacks (7.0), v11 listpack sets (7.2), v12 per-slot dicts and hash-field expiry (7.4; 8.x
 * still writes 12).
 */
export const RDB_VERSION_BY_REDIS: readonly { readonly since: string; readonly rdbVersion: number }[] = [
  { since: "2.6", rdbVersion: 6 },
  { since: "3.2", rdbVersion: 7 },
  { since: "4.0", rdbVersion: 8 },
  { since: "5.0", rdbVersion: 9 },
  { since: "7.0", rdbVersion: 10 },
  { since: "7.2", rdbVersion: 11 },
  { since: "7.4", rdbVersion: 12 },
];

function versionParts(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * The newest RDB version a Redis release loads, or undefined for a version string we cannot read
 * or one older than 2.6. A release newer than the table is taken to load what the newest row says
 * (Redis never dropped support for older files); add a row when a release bumps RDB_VERSION.
 */
export function maxRdbVersionFor(redisVersion: string): number | undefined {
  const wanted = versionParts(redisVersion);
  if (!wanted) return undefined;
  let found: number | undefined;
  for (const row of RDB_VERSION_BY_REDIS) {
    const [major, minor] = versionParts(row.since)!;
    if (wanted[0] > major || (wanted[0] === major && wanted[1] >= minor)) found = row.rdbVersion;
  }
  return found;
}

/** The oldest Redis release that loads an RDB version, for the message that says what to use. */
export function oldestRedisFor(rdbVersion: number): string | undefined {
  return RDB_VERSION_BY_REDIS.find((row) => row.rdbVersion >= rdbVersion)?.since;
}

/** `REDIS0010` → 10; undefined when the bytes are not an RDB header. */
export function rdbVersionOfHeader(header: Buffer): number | undefined {
  const m = /^REDIS(\d{4})$/.exec(header.subarray(0, 9).toString("latin1"));
  return m ? Number(m[1]) : undefined;
}

export async function readRdbVersion(path: string): Promise<number | undefined> {
  const file = await open(path, "r");
  try {
    const header = Buffer.alloc(9);
    const { bytesRead } = await file.read(header, 0, 9, 0);
    return rdbVersionOfHeader(header.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/** What the RDB says about itself, read by Redis's own checker (which also verifies its crc64). */
export interface RdbFacts {
  readonly rdbVersion: number;
  /** `redis-ver` aux field: the Redis that wrote the file. */
  readonly redisVersion: string;
  /** `ctime` aux field: when the fork that wrote it happened, so the data's age. */
  readonly savedAt: string;
  readonly usedMemoryBytes: number | undefined;
}

/** Runs `redis-check-rdb` (redis-tools); a damaged or truncated file fails here. */
export async function checkRdb(path: string): Promise<RdbFacts> {
  const check = start("redis-check-rdb", [path], { timeout: 600_000 });
  let out = "";
  check.child.stdout?.setEncoding("utf8");
  check.child.stdout?.on("data", (chunk: string) => (out += chunk));
  // It reports a damaged file on stdout and exits 1; the report is the message we want.
  const failed = await check.done.then(
    () => undefined,
    (error: Error) => error,
  );
  if (failed && !/RDB ERROR DETECTED/.test(out)) throw new Error(`redis-check-rdb could not check the RDB (${failed.message})`);
  const aux = new Map<string, string>();
  for (const m of out.matchAll(/AUX FIELD (\S+) = '([^']*)'/g)) aux.set(m[1], m[2]);
  if (!/RDB looks OK/.test(out)) {
    const error = /--- RDB ERROR DETECTED ---\n(.*)/.exec(out)?.[1] ?? out.trim().split("\n").pop();
    throw new Error(`redis-check-rdb refused the RDB: ${error}`);
  }
  const rdbVersion = await readRdbVersion(path);
  const ctime = Number(aux.get("ctime"));
  if (rdbVersion === undefined || !Number.isFinite(ctime)) {
    throw new Error("the RDB has no REDIS00NN header or no ctime field; it was not written by Redis");
  }
  const usedMem = aux.get("used-mem");
  return {
    rdbVersion,
    redisVersion: aux.get("redis-ver") ?? "unknown",
    savedAt: new Date(ctime * 1000).toISOString(),
    usedMemoryBytes: usedMem === undefined ? undefined : Number(usedMem),
  };
}
