#!/usr/bin/env tsx
// Puts an RDB from S3 where a Redis will load it, verified first (seed 004 Restore 2A); what the cache's init container runs.
import { UsageError, type CommandSpec } from "./lib/cli";
import { JSON_OPTION, runWorker } from "../workers/cli";
import type { RedisRestoreRecord } from "../workers/redis-restore";

export const RESTORE_REDIS_COMMAND = {
  usage: ["npm run restore:redis -- --from s3://bucket/prefix[/key.rdb] --to-dir <dir> [options]"],
  description: `Finds the RDB and its manifest, refuses one the target Redis cannot load (its RDB version is
newer than that Redis reads), refuses a data dir that is not empty (unless --force), downloads
with the sha256 checked, and only then renames it to <dir>/dump.rdb. Start Redis afterwards
with --dir <dir>; it loads the file.`,
  options: {
    from: { type: "string", value: "S3URL", help: "an RDB key, or a prefix holding RDBs (with --latest: the newest)" },
    latest: { type: "boolean", help: "pick the newest RDB under the prefix (by save time in the manifest)" },
    "to-dir": { type: "string", value: "DIR", help: "Redis's data dir (created if missing); lost+found is ignored" },
    "redis-version": {
      type: "string",
      value: "V",
      help: "the Redis that will load the file, e.g. 7.0 (default: redis-server --version\non PATH; give it in an init container, whose image is not the Redis one)",
    },
    force: { type: "boolean", help: "replace the dump.rdb (or anything else) already in the data dir" },
    "if-empty": {
      type: "boolean",
      help: "leave a data dir that is not empty alone and exit 0 (an init container:\na restarted pod keeps what its Redis saved since the restore)",
    },
    "dry-run": { type: "boolean", help: "check everything (RDB found, version, checksum, data dir); write nothing" },
    json: JSON_OPTION,
  },
  epilogue: "Exit: 0 written (or checked with --dry-run), 1 refused or failed, 2 bad usage.",
} as const satisfies CommandSpec;

function summary(r: RedisRestoreRecord): string {
  const lines = [
    `${r.skipped ? "skipped (--if-empty, the data dir holds data):" : r.dryRun ? "dry run: would restore" : r.ok ? "restored" : "restore FAILED"} ${r.rdb} → ${r.written ?? `${r.toDir}/dump.rdb`}`,
    `  saved ${r.savedAt} from ${r.source}, RDB v${r.rdbVersion} (Redis ${r.targetRedisVersion} loads up to v${r.maxRdbVersion}), sha256 ${r.sha256.slice(0, 16)}…`,
    `  ${r.keys} keys in ${r.databases.length} database(s); phases: ${Object.entries(r.durationsMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ")}`,
  ];
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return lines.join("\n");
}

runWorker(
  RESTORE_REDIS_COMMAND,
  /* eslint-disable @typescript-eslint/no-require-imports -- runWorker's loader, called after --help is answered */
  () => ({
    ...(require("../workers/redis-restore") as typeof import("../workers/redis-restore")),
    ...(require("../workers/s3-client") as typeof import("../workers/s3-client")),
    ...(require("../workers/s3-location") as typeof import("../workers/s3-location")),
  }),
  /* eslint-enable @typescript-eslint/no-require-imports */
  async (args, { resolveTargetRedis, restoreRedis, createS3Client, parseS3Location }) => {
    const from = parseS3Location("--from", args.from);
    const toDir = args["to-dir"];
    if (toDir === undefined) throw new UsageError("--to-dir", "is required; give Redis's data dir, e.g. --to-dir /data");
    const target = await resolveTargetRedis(args["redis-version"]);
    return restoreRedis(createS3Client(), {
      from,
      latest: Boolean(args.latest),
      toDir,
      target,
      force: Boolean(args.force),
      ifEmpty: Boolean(args["if-empty"]),
      dryRun: Boolean(args["dry-run"]),
      showProgress: true,
    });
  },
  summary,
);
