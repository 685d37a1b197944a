/**
 * `npm run bench:redis [-- --units 33400]`: how long seed 004's Redis path takes at a realistic
 * size (6 keys per unit of every type: ~200k keys), and the ways of taking the RDB (redis-cli
 * --rdb over the replication protocol, with the server's default diskless delay and without it,
 * vs BGSAVE and the server's own file), in interleaved rounds after a warm-up.
 *
 * Claim: restoring the RDB (`npm run restore:redis` from S3 into a data dir, then redis-server
 * loading it until ready) fits seed 004's estimate, "Redis RDB restore: 2–5 minutes", at its
 * low end. The other measurements have no target and are printed with their spread.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { S3Client } from "@aws-sdk/client-s3";
import { startMoto, type LocalAws } from "../tests/support/moto";
import { createBucket } from "../tests/support/bucket-state";
import { fillDataset, startRedis, type LocalRedis } from "../tests/support/redis";
import { benchArgs, wholeNumber } from "./lib/cli";
import { claimLine, interleaved, machineLoad, spreadLine } from "./lib/rounds";
import { log, script, timed } from "./measure";
import { errorMessage } from "../scripts/lib/errors";
import { formatBytesIn } from "../scripts/lib/bytes";

const COMMAND = "npm run bench:redis";
const flags = benchArgs(COMMAND, "Seed 004's Redis backup and restore, and the ways of taking the RDB.", {
  units: { type: "string", description: "dataset size: 6 keys of every type per unit", default: "33400" },
  rounds: { type: "string", description: "timed rounds", default: "5" },
  warmup: { type: "string", description: "untimed rounds first", default: "1" },
});
const units = wholeNumber(COMMAND, "units", flags.units, 33_400, 1);
const rounds = wholeNumber(COMMAND, "rounds", flags.rounds, 5, 1);
const warmup = wholeNumber(COMMAND, "warmup", flags.warmup, 1, 0);
/** Seed 004: "Redis RDB restore: 2–5 minutes"; the claim takes the low end. */
const RESTORE_TARGET_MS = 2 * 60_000;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Until the server has no RDB child (a replication sync's fork outlives its client briefly). */
async function idle(redis: LocalRedis): Promise<void> {
  while (/rdb_bgsave_in_progress:1/.test(redis.cli(["INFO", "persistence"]))) await new Promise((r) => setTimeout(r, 10));
}

/** BGSAVE, then wait for rdb_bgsave_in_progress to drop (polled through INFO, as an operator would). */
async function bgsave(redis: LocalRedis): Promise<number> {
  await idle(redis);
  const started = performance.now();
  redis.cli(["BGSAVE"]);
  await idle(redis);
  return performance.now() - started;
}

async function main(): Promise<void> {
  console.log(`bench:redis: ${machineLoad()} at the start`);
  let aws: LocalAws | undefined;
  let source: LocalRedis | undefined;
  const scratch = mkdtempSync(join(tmpdir(), "bench-redis-"));
  try {
    aws = await startMoto();
    await createBucket(new S3Client({}), "bench-redis");
    source = await startRedis();
    const src = source;
    const env = aws.env;
    const dataset = fillDataset(src, units);
    const keys = dataset.db0Keys + dataset.db1Keys;
    log(`dataset: ${keys} keys (${src.cli(["INFO", "memory"]).match(/used_memory_human:(\S+)/)?.[1]})`);
    const digest = src.cli(["DEBUG", "DIGEST"]);

    // The restore reads one backup taken before the rounds; each backup round writes its own prefix.
    const setup = await timed(...script("scripts/backup-redis.ts", ["--redis", src.url, "--to", "s3://bench-redis/redis/setup/", "--json"]), env);
    const { rdb } = JSON.parse(setup.stdout) as { rdb: string };
    let calls = 0;
    const measured = await interleaved(
      {
        rdbDefaultDelay: async () => {
          await idle(src);
          return (await timed("redis-cli", [...src.cliArgs, "--rdb", join(scratch, "a.rdb")])).ms;
        },
        rdbNoDelay: async () => {
          await idle(src);
          src.cli(["CONFIG", "SET", "repl-diskless-sync-delay", "0"]);
          try {
            return (await timed("redis-cli", [...src.cliArgs, "--rdb", join(scratch, "b.rdb")])).ms;
          } finally {
            src.cli(["CONFIG", "SET", "repl-diskless-sync-delay", "5"]);
          }
        },
        bgsave: () => bgsave(src),
        backup: async () => {
          await idle(src);
          const to = `s3://bench-redis/redis/round-${++calls}/`;
          return (await timed(...script("scripts/backup-redis.ts", ["--redis", src.url, "--to", to, "--json"]), env)).ms;
        },
        restoreAndLoad: async () => {
          const dir = join(scratch, `data-${++calls}`);
          const started = performance.now();
          await timed(...script("scripts/restore-redis.ts", ["--from", rdb, "--to-dir", dir, "--json"]), env);
          const restored = await startRedis({ dir });
          const ms = performance.now() - started;
          try {
            if (restored.cli(["DEBUG", "DIGEST"]) !== digest) throw new Error("the restored dataset's DEBUG DIGEST differs from the source's");
          } finally {
            await restored.stop();
            rmSync(dir, { recursive: true, force: true });
          }
          return ms;
        },
      },
      { rounds, warmup, onRound: (r) => log(`round ${r}/${rounds} done`) },
    );
    console.log(
      [
        `dataset: ${keys} keys, RDB ${formatBytesIn(statSync(join(scratch, "a.rdb")).size, "MB")}`,
        spreadLine("redis-cli --rdb, server default repl-diskless-sync-delay 5 s", measured.rdbDefaultDelay, seconds),
        spreadLine("redis-cli --rdb, delay 0", measured.rdbNoDelay, seconds),
        spreadLine("BGSAVE until done (the file is then on the server's disk only)", measured.bgsave, seconds),
        spreadLine("npm run backup:redis, wall", measured.backup, seconds),
        claimLine(`restore:redis + redis-server loading ${keys} keys until ready`, measured.restoreAndLoad, { op: "<=", value: RESTORE_TARGET_MS }, seconds),
      ].join("\n"),
    );
  } finally {
    await source?.stop();
    await aws?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:redis: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});
