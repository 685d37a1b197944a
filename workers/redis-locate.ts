import type { S3Client } from "@aws-sdk/client-s3";
import { locateBackup, type BackupKind, type Located } from "./backup-locator";
import { parseRedisManifest, RDB_MANIFEST_SUFFIX, rdbManifestKeyFor, type RedisManifest } from "./redis-manifest";
import type { S3Location } from "./s3-location";

export type LocatedRdb = Located<RedisManifest>;

const RDB: BackupKind<RedisManifest> = {
  noun: "RDB",
  aNoun: "an RDB",
  plural: "RDB files",
  counted: "RDB file(s)",
  backupCommand: "npm run backup:redis",
  manifestSuffix: RDB_MANIFEST_SUFFIX,
  manifestKeyFor: rdbManifestKeyFor,
  isManifest: (key) => key.endsWith(`.rdb${RDB_MANIFEST_SUFFIX}`),
  isBackup: (key) => key.endsWith(".rdb"),
  parse: parseRedisManifest,
  backupOf: (m) => m.rdb,
  takenAt: (m) => m.source.savedAt,
};

/**
 * Finds the RDB `--from` names: an RDB key, or a prefix holding exactly one, or with `--latest`
 * the newest by the manifest's save time (the data's age, not the upload's).
 */
export function locateRdb(s3: S3Client, from: S3Location, latest: boolean): Promise<LocatedRdb> {
  return locateBackup(s3, RDB, from, latest);
}
