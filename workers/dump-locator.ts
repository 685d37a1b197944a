import type { S3Client } from "@aws-sdk/client-s3";
import { locateBackup, type BackupKind, type Located } from "./backup-locator";
import { MANIFEST_SUFFIX, manifestKeyFor, parseManifest, type DumpManifest } from "./dump-manifest";
import type { S3Location } from "./s3-location";

export type LocatedDump = Located<DumpManifest>;

const DUMP: BackupKind<DumpManifest> = {
  noun: "dump",
  aNoun: "a dump",
  plural: "dumps",
  counted: "dump(s)",
  backupCommand: "npm run backup",
  manifestSuffix: MANIFEST_SUFFIX,
  manifestKeyFor,
  isManifest: (key) => key.endsWith(MANIFEST_SUFFIX),
  isBackup: (key) => /\.(dump|dump\.gz|dir\.tar|dir\.tar\.gz|dir\/toc\.dat)$/.test(key),
  parse: parseManifest,
  backupOf: (m) => m.dump,
  takenAt: (m) => m.source.serverTime,
};

/**
 * Finds the dump `--from` names: a dump key, or a prefix holding exactly one dump, or with
 * `--latest` the newest by the manifest's snapshot time (the data's age, not the upload's).
 */
export function locateDump(s3: S3Client, from: S3Location, latest: boolean): Promise<LocatedDump> {
  return locateBackup(s3, DUMP, from, latest);
}
