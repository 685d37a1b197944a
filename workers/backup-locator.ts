import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { errorMessage, RefusedError, UsageError } from "./errors";
import { listPages } from "./bucket-listing";
import { withRetry } from "./retry";
import { asPrefix, formatS3, type S3Location } from "./s3-location";

/** A backup file kept beside its manifest (a pg_dump, a Redis RDB): how to find and read one. */
export interface BackupKind<M> {
  /** `dump`, `RDB`: the word in every message. */
  readonly noun: string;
  /** `a dump`, `an RDB`. */
  readonly aNoun: string;
  /** `dumps`, `RDB files`. */
  readonly plural: string;
  /** `dump(s)`, `RDB file(s)`: after a count that may be one. */
  readonly counted: string;
  /** The command that writes a backup with its manifest. */
  readonly backupCommand: string;
  readonly manifestSuffix: string;
  readonly manifestKeyFor: (key: string) => string;
  readonly isManifest: (key: string) => boolean;
  readonly isBackup: (key: string) => boolean;
  readonly parse: (text: string, where: string) => M;
  /** Where the manifest says its backup is. */
  readonly backupOf: (manifest: M) => { bucket: string; key: string };
  /** The data's time (not the upload's): what `--latest` orders by. */
  readonly takenAt: (manifest: M) => string;
}

export interface Located<M> {
  readonly manifest: M;
  readonly manifestKey: string;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await withRetry(() => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of listPages(s3, bucket, prefix)) keys.push(...page.map((o) => o.key));
  return keys;
}

async function loadManifest<M>(s3: S3Client, kind: BackupKind<M>, bucket: string, manifestKey: string): Promise<M> {
  const where = formatS3({ bucket, key: manifestKey });
  const cannotVerify = `restore refuses ${kind.aNoun} it cannot verify`;
  let text: string;
  try {
    const res = await withRetry(() => s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey })));
    text = await res.Body!.transformToString("utf8");
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    throw new RefusedError(`--from: no manifest at ${where}; ${cannotVerify} (take a new backup with \`${kind.backupCommand}\`, which writes the manifest)`);
  }
  try {
    return kind.parse(text, where);
  } catch (error) {
    throw new RefusedError(`--from: ${errorMessage(error)}; ${cannotVerify}`);
  }
}

/**
 * Finds the backup `--from` names: a backup key, or a prefix holding exactly one, or with
 * `--latest` the newest by its manifest's time (the data's age, not the upload's).
 */
export async function locateBackup<M>(s3: S3Client, kind: BackupKind<M>, from: S3Location, latest: boolean): Promise<Located<M>> {
  const { bucket, key } = from;
  const cannotVerify = `restore refuses ${kind.aNoun} it cannot verify`;
  if (key !== "" && !key.endsWith("/")) {
    const manifestKey = key.endsWith(kind.manifestSuffix) ? key : kind.manifestKeyFor(key);
    const backupKey = manifestKey.slice(0, -kind.manifestSuffix.length);
    if (await exists(s3, bucket, backupKey)) {
      const manifest = await loadManifest(s3, kind, bucket, manifestKey);
      const described = kind.backupOf(manifest);
      if (described.key !== backupKey || described.bucket !== bucket) {
        throw new RefusedError(
          `--from: manifest ${formatS3({ bucket, key: manifestKey })} describes ${formatS3(described)}, not the ${kind.noun} beside it; ${cannotVerify}`,
        );
      }
      return { manifest, manifestKey };
    }
  }
  const prefix = asPrefix(key);
  const keys = await listKeys(s3, bucket, prefix);
  const manifestKeys = keys.filter(kind.isManifest);
  if (manifestKeys.length === 0) {
    const backups = keys.filter(kind.isBackup);
    if (backups.length > 0) {
      throw new RefusedError(
        `--from: ${backups.length} ${kind.counted} under ${formatS3({ bucket, key: prefix })} but no manifest beside any ` +
          `(expected e.g. ${formatS3({ bucket, key: kind.manifestKeyFor(backups[0]) })}); ${cannotVerify}`,
      );
    }
    throw new RefusedError(`--from: no ${kind.noun} found at ${formatS3(from)}; check the bucket and prefix (${kind.backupCommand} writes them)`);
  }
  const limit = pLimit(8);
  const manifests = await Promise.all(
    manifestKeys.map((k) => limit(async () => ({ manifestKey: k, manifest: await loadManifest(s3, kind, bucket, k) }))),
  );
  if (manifests.length > 1 && !latest) {
    const names = manifests.map((m) => kind.backupOf(m.manifest).key).sort();
    throw new UsageError(
      "--from",
      `${formatS3({ bucket, key: prefix })} holds ${manifests.length} ${kind.plural} (${names.slice(-3).join(", ")}${names.length > 3 ? ", …" : ""}); ` +
        `name one ${kind.noun} key, or add --latest for the newest`,
    );
  }
  manifests.sort((a, b) => Date.parse(kind.takenAt(b.manifest)) - Date.parse(kind.takenAt(a.manifest)));
  return manifests[0];
}
