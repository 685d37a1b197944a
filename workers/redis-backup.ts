import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { RefusedError } from "./errors";
import { putManifest, refuseIfTaken, uploadHashed } from "./backup-upload";
import { runForOutput, start } from "./child-process";
import { maskUrl } from "./mask-url";
import { createProgress, silentProgress, type Progress } from "./progress";
import { redisCliInvocation, redisIdentityOf, redisInfo } from "./redis-connection";
import { countKeysInRdb } from "./redis-key-counts";
import { rdbFileName, rdbManifestKeyFor, type RedisManifest } from "./redis-manifest";
import { checkRdb } from "./redis-rdb";
import { asPrefix, formatS3, type S3Location } from "./s3-location";

export interface RedisBackupOptions {
  readonly redis: URL;
  readonly to: S3Location;
  readonly showProgress: boolean;
  /** Where the RDB is staged while it is checked and uploaded; defaults to the OS temp dir. */
  readonly workDir?: string;
  /** Deadline for the RDB transfer; a stuck replication sync fails instead of hanging. */
  readonly transferTimeoutMs?: number;
}

export interface RedisBackupRecord {
  readonly ok: true;
  readonly rdb: string;
  readonly manifest: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly rdbVersion: number;
  readonly redisVersion: string;
  readonly savedAt: string;
  readonly source: string;
  readonly keys: number;
  readonly databases: RedisManifest["databases"];
  readonly durationsMs: Record<string, number>;
}

/**
 * Seed 004's Redis backup as one command. The RDB comes over the replication protocol
 * (`redis-cli --rdb`): the server forks once and streams a consistent snapshot, nothing is
 * written on the server (BGSAVE would overwrite its dump.rdb, and its file is only reachable
 * from inside the Redis pod). The file is checked by Redis's own checker and loaded into a
 * throwaway server for the key counts before anything is uploaded, so a backup that succeeds is
 * one that loads.
 */
export async function backupRedis(s3: S3Client, options: RedisBackupOptions): Promise<RedisBackupRecord> {
  const t0 = Date.now();
  const durationsMs: Record<string, number> = {};
  const lap = (phase: string, since: number): number => (durationsMs[phase] = Date.now() - since);
  const source = maskUrl(options.redis.toString());

  const server = await redisInfo(options.redis, "server").catch((error: Error) => {
    throw new RefusedError(`--redis: ${error.message}; check the host, port and password`);
  });
  const redisVersion = server.get("redis_version") ?? "unknown";
  const redisCliVersion = (await runForOutput("redis-cli", ["--version"])).trim();

  const scratch = mkdtempSync(join(options.workDir ?? tmpdir(), "recovery-redis-backup-"));
  try {
    const file = join(scratch, "dump.rdb");
    const tTransfer = Date.now();
    const { args, env } = redisCliInvocation(options.redis);
    // A file, not `--rdb -`: with a diskless sync the stream ends in a 40-byte EOF mark that
    // redis-cli can only cut off a file it can truncate.
    await start("redis-cli", [...args, "--rdb", file], { env, timeout: options.transferTimeoutMs ?? 30 * 60_000 }).done.catch(
      (error: Error) => {
        throw new RefusedError(`--redis ${source}: the RDB transfer failed (${error.message}); the user needs the SYNC permission`);
      },
    );
    lap("transfer", tTransfer);

    const tCheck = Date.now();
    const facts = await checkRdb(file).catch((error: Error) => {
      throw new RefusedError(`--redis ${source}: ${error.message}; nothing was uploaded`);
    });
    const databases = await countKeysInRdb(file);
    lap("check", tCheck);

    const key = `${asPrefix(options.to.key)}${rdbFileName(new Date(facts.savedAt))}`;
    await refuseIfTaken(s3, options.to.bucket, key);

    const tUpload = Date.now();
    const size = statSync(file).size;
    const progress: Progress = options.showProgress ? createProgress("rdb upload", "bytes", size) : silentProgress;
    const hashed = await uploadHashed(s3, options.to.bucket, key, createReadStream(file, { highWaterMark: 1024 * 1024 }), (n) => progress.update(n));
    progress.stop();
    lap("upload", tUpload);

    const manifest: RedisManifest = {
      kind: "recovery-stacks/redis-rdb",
      formatVersion: 1,
      rdb: { bucket: options.to.bucket, key, sizeBytes: hashed.bytes, sha256: hashed.digest(), rdbVersion: facts.rdbVersion },
      createdAt: new Date().toISOString(),
      source: {
        ...redisIdentityOf(options.redis),
        redisVersion,
        savedAt: facts.savedAt,
        usedMemoryBytes: facts.usedMemoryBytes ?? null,
      },
      redisCliVersion,
      databases,
    };
    const manifestKey = rdbManifestKeyFor(key);
    await putManifest(s3, options.to.bucket, manifestKey, manifest);
    durationsMs.total = Date.now() - t0;
    return {
      ok: true,
      rdb: formatS3({ bucket: options.to.bucket, key }),
      manifest: formatS3({ bucket: options.to.bucket, key: manifestKey }),
      sizeBytes: manifest.rdb.sizeBytes,
      sha256: manifest.rdb.sha256,
      rdbVersion: facts.rdbVersion,
      redisVersion,
      savedAt: facts.savedAt,
      source,
      keys: databases.reduce((sum, d) => sum + d.keys, 0),
      databases,
      durationsMs,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
