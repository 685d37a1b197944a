import type { S3Client } from "@aws-sdk/client-s3";
import { keyspaceOf, redisCli, redisCommand, redisInfo } from "../../workers/redis-connection";
import { locateRdb } from "../../workers/redis-locate";
import { manifestPrefixCount, type RedisManifest } from "../../workers/redis-manifest";
import { parseS3Location } from "../../workers/s3-location";
import type { Check } from "../types";

import type { CacheOutput } from "../../stacks/outputs";

/** `caches.<name>` of the one outputs contract (stacks/outputs.ts). */
export type { CacheOutput };

export interface CacheTarget {
  readonly name: string;
  readonly output: CacheOutput;
  /** Reads the manifest; needed only when the output names one. */
  readonly s3?: S3Client;
  readonly rpoMinutes: number;
  /** Share of the manifest's keys the restored cache may lack. */
  readonly tolerance: number;
  /** Seed 004 Restore 2A counts `session:*`; the prefixes counted against the manifest. */
  readonly prefixes?: readonly string[];
}

export function cacheUrl(output: CacheOutput): URL {
  if (output.url !== undefined) return new URL(output.url);
  return new URL(`${output.tls ? "rediss" : "redis"}://${output.endpoint}:${output.port ?? 6379}`);
}

/** Keys matching `<prefix>*` in one database, by SCAN (never KEYS, which blocks a serving Redis). */
async function countPrefix(url: URL, db: number, prefix: string): Promise<number> {
  // SCAN MATCH is a glob: escape its metacharacters so the prefix is taken literally.
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  const out = await redisCli(url, ["--scan", "--pattern", pattern], db);
  return out === "" ? 0 : out.replace(/\n$/, "").split("\n").length;
}

/** A manifest key, or an RDB key or prefix (a cache seeded with `--latest`: the newest there). */
async function readManifest(s3: S3Client, where: string): Promise<RedisManifest> {
  return (await locateRdb(s3, parseS3Location("caches.manifest", where), true)).manifest;
}

/**
 * The cache checks of seed 004 Restore 2A: the cache answers (every cache, ElastiCache too), and
 * a cache restored from an RDB holds what its manifest says. Keys with a TTL may have expired
 * since the save, so the key count must reach the keys that had none; prefixes (`session:`)
 * must reach the manifest's count within the tolerance.
 */
export function cacheChecks(t: CacheTarget): Check[] {
  const url = cacheUrl(t.output);
  const where = `${url.hostname}:${url.port === "" ? 6379 : url.port}`;
  const checks: Check[] = [
    {
      name: "cache.ping",
      target: t.name,
      group: "caches",
      async run() {
        const started = performance.now();
        const reply = (await redisCommand(url, ["PING"])).trim();
        const ms = Math.round(performance.now() - started);
        return reply === "PONG" ? { ok: true, detail: `${where} answered PONG in ${ms} ms` } : { ok: false, detail: `${where} answered ${reply}` };
      },
    },
  ];
  if (t.output.manifest === undefined) return checks;
  const manifestUrl = t.output.manifest;
  let manifest: Promise<RedisManifest> | undefined;
  const loaded = (): Promise<RedisManifest> => {
    if (!t.s3) throw new Error("no S3 client to read the RDB manifest");
    manifest ??= readManifest(t.s3, manifestUrl);
    return manifest;
  };
  const floor = (n: number): number => Math.floor(n * (1 - t.tolerance));
  checks.push({
    name: "cache.keys",
    target: t.name,
    group: "caches",
    async run() {
      const m = await loaded();
      const actual = new Map(keyspaceOf(await redisInfo(url, "keyspace")).map((d) => [d.db, d.keys]));
      const parts: string[] = [];
      let ok = true;
      for (const d of m.databases) {
        const have = actual.get(d.db) ?? 0;
        const need = floor(d.keys - d.expires);
        if (have < need) ok = false;
        parts.push(`db${d.db} ${have} keys (manifest ${d.keys}, ${d.keys - d.expires} without a TTL${have < need ? `; at least ${need} expected` : ""})`);
      }
      const age = Math.round((Date.now() - Date.parse(m.source.savedAt)) / 60_000);
      return { ok, detail: `${parts.join(", ")}; RDB saved ${m.source.savedAt} (${age} min ago, RPO ${t.rpoMinutes} min)` };
    },
  });
  for (const prefix of t.prefixes ?? ["session:"]) {
    checks.push({
      name: "cache.prefix",
      target: `${t.name} ${prefix}*`,
      group: "caches",
      async run() {
        const m = await loaded();
        const expected = manifestPrefixCount(m, prefix);
        let have = 0;
        for (const d of m.databases) have += await countPrefix(url, d.db, prefix);
        const need = floor(expected);
        return {
          ok: have >= need,
          detail: `${have} keys ${prefix}* (manifest ${expected}${have < need ? `; at least ${need} expected within the tolerance` : ""})`,
        };
      },
    });
  }
  return checks;
}
