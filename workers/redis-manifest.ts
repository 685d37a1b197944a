import { z } from "zod";

/**
 * The manifest stored beside every RDB (`<rdb key>.manifest.json`), in the spirit of the
 * PostgreSQL one (dump-manifest.ts): written only after the RDB upload completed, so a manifest
 * always describes a whole file; restore refuses an RDB without one, because it could not verify
 * the checksum, and verify compares the restored Redis's key counts with it (seed 004 Restore 2A).
 */
export const redisManifestSchema = z.object({
  kind: z.literal("recovery-stacks/redis-rdb"),
  formatVersion: z.literal(1),
  rdb: z.object({
    bucket: z.string(),
    key: z.string(),
    sizeBytes: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The `REDIS00NN` header: the oldest Redis that loads it follows from workers/redis-rdb.ts. */
    rdbVersion: z.number().int().positive(),
  }),
  /** When the upload finished (ISO 8601). */
  createdAt: z.string(),
  source: z.object({
    host: z.string(),
    port: z.number().int(),
    /** `redis_version` of the server backed up. */
    redisVersion: z.string(),
    /** The RDB's `ctime`: when the server forked to write it, so the data is as of this time. */
    savedAt: z.string(),
    /** The RDB's `used-mem`: roughly the memory a Redis loading it needs. */
    usedMemoryBytes: z.number().int().nonnegative().nullable(),
  }),
  redisCliVersion: z.string(),
  /** Per database, as a Redis loading the file holds them (keys expired by then are not counted). */
  databases: z.array(
    z.object({
      db: z.number().int().nonnegative(),
      keys: z.number().int().nonnegative(),
      expires: z.number().int().nonnegative(),
      /** Keys per prefix up to and including the first `:` (`""`: no `:`), the largest 100. */
      prefixes: z.record(z.string(), z.number().int().nonnegative()),
      otherPrefixKeys: z.number().int().nonnegative(),
    }),
  ),
});

export type RedisManifest = z.infer<typeof redisManifestSchema>;

export const RDB_MANIFEST_SUFFIX = ".manifest.json";

export function rdbManifestKeyFor(rdbKey: string): string {
  return `${rdbKey}${RDB_MANIFEST_SUFFIX}`;
}

/** `redis-dump-20260218T020000Z.rdb`: seed 004's name, with the time to the second. */
export function rdbFileName(at: Date): string {
  return `redis-dump-${at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.rdb`;
}

/** Parses a manifest's JSON text; the error names the key so an operator can look at it. */
export function parseRedisManifest(text: string, where: string): RedisManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`manifest ${where} is not JSON`);
  }
  const parsed = redisManifestSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`manifest ${where} is not a recovery-stacks Redis RDB manifest (${first.path.join(".")}: ${first.message})`);
  }
  return parsed.data;
}

/** Keys in the manifest under a prefix such as `session:`, over every database. */
export function manifestPrefixCount(manifest: RedisManifest, prefix: string): number {
  return manifest.databases.reduce((sum, d) => sum + (d.prefixes[prefix] ?? 0), 0);
}
