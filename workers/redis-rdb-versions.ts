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
