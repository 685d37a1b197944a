#!/usr/bin/env tsx
// Takes a Redis RDB into S3 in the format `npm run restore:redis` expects (seed 004 Restore 2A; docs/data-plane.md).
import { formatBytesIn } from "./lib/bytes";
import type { CommandSpec } from "./lib/cli";
import { JSON_OPTION, runWorker } from "../workers/cli";

export const BACKUP_REDIS_COMMAND = {
  usage: ["npm run backup:redis -- --redis <redis-url> --to s3://bucket/prefix [options]"],
  description: `Takes one consistent RDB from a running Redis over the replication protocol (redis-cli --rdb;
nothing is written on the server), checks it with redis-check-rdb, loads it into a throwaway
redis-server for the key counts, uploads it with a sha256 computed while streaming, then writes
<rdb>.manifest.json beside it (size, sha256, versions, save time, keys per database and prefix).`,
  options: {
    redis: { type: "string", value: "URL", help: "redis://[user[:password]@]host[:port] or rediss:// (the password is never printed)" },
    to: { type: "string", value: "S3URL", help: "bucket and prefix the RDB and its manifest go to" },
    "work-dir": { type: "string", value: "DIR", help: "where the RDB is staged while it is checked (default: the OS temp dir)" },
    json: JSON_OPTION,
  },
  epilogue: `Needs redis-cli, redis-check-rdb and redis-server on PATH (Debian: redis-server), and a Redis
user allowed SYNC. Exit: 0 backed up, 1 failed, 2 bad usage.`,
} as const satisfies CommandSpec;

runWorker(
  BACKUP_REDIS_COMMAND,
  /* eslint-disable @typescript-eslint/no-require-imports -- runWorker's loader, called after --help is answered */
  () => ({
    ...(require("../workers/redis-backup") as typeof import("../workers/redis-backup")),
    ...(require("../workers/redis-connection") as typeof import("../workers/redis-connection")),
    ...(require("../workers/s3-client") as typeof import("../workers/s3-client")),
    ...(require("../workers/s3-location") as typeof import("../workers/s3-location")),
  }),
  /* eslint-enable @typescript-eslint/no-require-imports */
  async (args, { backupRedis, parseRedisUrl, createS3Client, parseS3Location }) => {
    const redis = parseRedisUrl("--redis", args.redis);
    const to = parseS3Location("--to", args.to);
    return backupRedis(createS3Client(), { redis, to, workDir: args["work-dir"], showProgress: true });
  },
  (r) =>
    `backed up ${r.source} → ${r.rdb} (${formatBytesIn(r.sizeBytes, "MB")}, RDB v${r.rdbVersion}, sha256 ${r.sha256.slice(0, 12)}…, ` +
    `${r.keys} keys in ${r.databases.length} database(s), saved ${r.savedAt}) in ${(r.durationsMs.total / 1000).toFixed(1)} s`,
);
