// Benchmark: how long seed 004's Redis path takes at a realistic size, and the two ways of taking
// the RDB (redis-cli --rdb over the replication protocol vs BGSAVE and the server's own file).
// npm run bench:redis [-- --units 33400]   (6 keys per unit of every type: ~200k keys)
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { minimist } from "zx";
import { S3Client } from "@aws-sdk/client-s3";
import { startMoto, type LocalAws } from "../tests/support/moto";
import { createBucket } from "../tests/support/bucket-state";
import { fillDataset, startRedis, type LocalRedis } from "../tests/support/redis";
import { log, script, seconds, timed } from "./measure";

const args = minimist(process.argv.slice(2), { string: ["units"] });
const units = Number(args.units ?? 33_400);

/** BGSAVE, then wait for rdb_bgsave_in_progress to drop (polled through INFO, as an operator would). */
async function bgsave(redis: LocalRedis): Promise<number> {
  const started = Date.now();
  redis.cli(["BGSAVE"]);
  while (/rdb_bgsave_in_progress:1/.test(redis.cli(["INFO", "persistence"]))) await new Promise((r) => setTimeout(r, 10));
  return Date.now() - started;
}

async function main(): Promise<void> {
  let aws: LocalAws | undefined;
  let source: LocalRedis | undefined;
  let restored: LocalRedis | undefined;
  const scratch = mkdtempSync(join(tmpdir(), "bench-redis-"));
  try {
    aws = await startMoto();
    await createBucket(new S3Client({}), "bench-redis");
    source = await startRedis();
    const dataset = fillDataset(source, units);
    log(`dataset: ${dataset.db0Keys + dataset.db1Keys} keys (${source.cli(["INFO", "memory"]).match(/used_memory_human:(\S+)/)?.[1]})`);

    const rdbDefault = await timed("redis-cli", [...source.cliArgs, "--rdb", join(scratch, "a.rdb")]);
    source.cli(["CONFIG", "SET", "repl-diskless-sync-delay", "0"]);
    const rdbNoDelay = await timed("redis-cli", [...source.cliArgs, "--rdb", join(scratch, "b.rdb")]);
    source.cli(["CONFIG", "SET", "repl-diskless-sync-delay", "5"]);
    const bg = await bgsave(source);
    log(`RDB ${(statSync(join(scratch, "a.rdb")).size / 1024 / 1024).toFixed(1)} MB`);
    log(`redis-cli --rdb: ${seconds(rdbDefault.ms)} (server default repl-diskless-sync-delay 5 s), ${seconds(rdbNoDelay.ms)} with the delay at 0`);
    log(`BGSAVE until done: ${seconds(bg)} (the file is then on the server's disk only)`);

    const backup = await timed(...script("scripts/backup-redis.ts", ["--redis", source.url, "--to", "s3://bench-redis/redis/", "--json"]), aws.env);
    const b = JSON.parse(backup.stdout) as { rdb: string; durationsMs: Record<string, number> };
    log(`npm run backup:redis: ${seconds(backup.ms)} wall; phases ${JSON.stringify(b.durationsMs)}`);

    const dir = join(scratch, "data");
    const restore = await timed(...script("scripts/restore-redis.ts", ["--from", b.rdb, "--to-dir", dir, "--json"]), aws.env);
    const r = JSON.parse(restore.stdout) as { durationsMs: Record<string, number> };
    log(`npm run restore:redis: ${seconds(restore.ms)} wall; phases ${JSON.stringify(r.durationsMs)}`);

    const loadStarted = Date.now();
    restored = await startRedis({ dir });
    log(`redis-server loading it until ready: ${seconds(Date.now() - loadStarted)}; digests equal: ${restored.cli(["DEBUG", "DIGEST"]) === source.cli(["DEBUG", "DIGEST"])}`);
  } finally {
    await restored?.stop();
    await source?.stop();
    await aws?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exit(1);
});
