#!/usr/bin/env tsx
// Takes a Redis RDB into S3 in the format `npm run restore:redis` expects (seed 004 Restore 2A; docs/data-plane.md).
import { runCli } from "../workers/cli";
import { backupRedis } from "../workers/redis-backup";
import { parseRedisUrl } from "../workers/redis-connection";
import { createS3Client } from "../workers/s3-client";
import { parseS3Location } from "../workers/s3-location";

const usage = `
npm run backup:redis -- --redis <redis-url> --to s3://bucket/prefix [options]

Takes one consistent RDB from a running Redis over the replication protocol (redis-cli --rdb;
nothing is written on the server), checks it with redis-check-rdb, loads it into a throwaway
redis-server for the key counts, uploads it with a sha256 computed while streaming, then writes
<rdb>.manifest.json beside it (size, sha256, versions, save time, keys per database and prefix).

  --redis URL       redis://[user[:password]@]host[:port] or rediss:// (the password is never printed)
  --to S3URL        bucket and prefix the RDB and its manifest go to
  --work-dir DIR    where the RDB is staged while it is checked (default: the OS temp dir)
  --json            print one JSON record on stdout (summary on stderr)
  --help            this text

Needs redis-cli, redis-check-rdb and redis-server on PATH (Debian: redis-server), and a Redis
user allowed SYNC. Exit: 0 backed up, 1 failed, 2 bad usage.
`;

void runCli(
  { usage, strings: ["redis", "to", "work-dir"], booleans: [] },
  async (args) => {
    const redis = parseRedisUrl("--redis", args.redis);
    const to = parseS3Location("--to", args.to);
    const workDir = typeof args["work-dir"] === "string" && args["work-dir"] !== "" ? args["work-dir"] : undefined;
    return backupRedis(createS3Client(), { redis, to, workDir, showProgress: true });
  },
  (r) =>
    `backed up ${r.source} → ${r.rdb} (${(r.sizeBytes / 1024 / 1024).toFixed(1)} MB, RDB v${r.rdbVersion}, sha256 ${r.sha256.slice(0, 12)}…, ` +
    `${r.keys} keys in ${r.databases.length} database(s), saved ${r.savedAt}) in ${(r.durationsMs.total / 1000).toFixed(1)} s`,
);
