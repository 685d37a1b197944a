import { open } from "node:fs/promises";
import { start } from "./child-process";

// The version table is pure and lives apart: the program (ClusterRedis) and readiness need it
// without this module's child-process import, which installs signal handlers.
export { maxRdbVersionFor, oldestRedisFor, RDB_VERSION_BY_REDIS } from "./redis-rdb-versions";

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
