import { createReadStream, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { errorMessage, RefusedError, UsageError } from "./errors";
import { dumpFileKey, dumpFileName, manifestKeyFor, type DumpFile, type DumpManifest } from "./dump-manifest";
import { putManifest, refuseIfTaken, uploadHashed } from "./backup-upload";
import { start, runForOutput } from "./child-process";
import { connect, explainLibpqError, identityOf, libpqInvocation } from "./postgres-connection";
import { probeIdentity } from "./server-identity";
import { serverFacts, tableRowCounts } from "./postgres-inspect";
import { asPrefix, formatS3, type S3Location } from "./s3-location";
import { createProgress, silentProgress, type Progress } from "./progress";
import { maskUrl } from "./mask-url";

export interface BackupOptions {
  readonly database: URL;
  readonly to: S3Location;
  readonly format: "custom" | "directory";
  readonly gzip: boolean;
  /** pg_dump -j for the directory format. */
  readonly jobs: number;
  readonly showProgress: boolean;
  readonly now?: () => Date;
}

export interface BackupRecord {
  readonly ok: true;
  readonly dump: string;
  readonly manifest: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly format: string;
  readonly compression: string;
  readonly source: string;
  readonly tables: number;
  readonly rows: number;
  readonly durationsMs: { readonly dumpAndUpload: number; readonly total: number };
}

/**
 * Dumps a database into S3 with a manifest beside it. Row counts and pg_dump read the same
 * exported snapshot, so the counts a restore verifies against are exactly the dumped data.
 */
export async function backup(s3: S3Client, options: BackupOptions): Promise<BackupRecord> {
  const started = Date.now();
  if (options.format === "directory" && options.gzip) {
    throw new UsageError("--gzip", "pg_dump --format directory already compresses each file; use --gzip with --format custom (a .dump.gz)");
  }
  const client = await connect(options.database).catch((error: unknown) => {
    throw new RefusedError(`--database: cannot connect to ${maskUrl(options.database.toString())}: ${errorMessage(error)}`);
  });
  const scratch = mkdtempSync(join(tmpdir(), "recovery-backup-"));
  try {
    // Before the snapshot's transaction: each identity query stands alone (see server-identity.ts).
    const { host, port } = identityOf(options.database);
    const identity = await probeIdentity(client, host, port, true);
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows } = await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
    const snapshot = rows[0].id;
    const facts = await serverFacts(client);
    const tables = await tableRowCounts(client);
    const pgDumpVersion = (await runForOutput("pg_dump", ["--version"])).trim();

    const at = (options.now ?? (() => new Date()))();
    const key = `${asPrefix(options.to.key)}${dumpFileName(facts.database, at, options.format, options.gzip)}`;
    const { dbnameArg, env } = libpqInvocation(options.database);
    await refuseIfTaken(s3, options.to.bucket, key);

    const dumpStarted = Date.now();
    const progress: Progress = options.showProgress ? createProgress("backup upload", "bytes", 0) : silentProgress;
    let stored: { bytes: number; sha256: string; files?: DumpFile[] };
    if (options.format === "custom") {
      // With --gzip the archive is stored uncompressed inside one gzip stream (a `.dump.gz`, as
      // seed 000's backups are); otherwise pg_dump's own compression applies.
      const args = ["-Fc", `--snapshot=${snapshot}`, ...(options.gzip ? ["-Z0"] : []), dbnameArg];
      const dump = start("pg_dump", args, { env });
      const producer = dump.done.catch((error: unknown) => {
        throw explainLibpqError(error, options.database);
      });
      const body: Readable = options.gzip ? dump.child.stdout!.pipe(createGzip({ level: 6 })) : dump.child.stdout!;
      // pg_dump failing ends its output early, which would otherwise upload a truncated dump.
      const hashed = await uploadHashed(s3, options.to.bucket, key, body, (n) => progress.update(n, n), [producer]);
      stored = { bytes: hashed.bytes, sha256: hashed.digest() };
    } else {
      const dir = join(scratch, "dump");
      await start("pg_dump", ["-Fd", `-j${options.jobs}`, `--snapshot=${snapshot}`, "-f", dir, dbnameArg], { env }).done.catch((error: unknown) => {
        throw explainLibpqError(error, options.database);
      });
      stored = await uploadDirectory(s3, options.to.bucket, key, dir, progress);
    }
    progress.stop();

    const manifest: DumpManifest = {
      kind: "recovery-stacks/pg-dump",
      formatVersion: stored.files ? 2 : 1,
      dump: {
        bucket: options.to.bucket,
        key,
        sizeBytes: stored.bytes,
        sha256: stored.sha256,
        format: options.format,
        compression: options.gzip ? "gzip" : "none",
        ...(stored.files ? { layout: "objects" as const, files: stored.files } : {}),
      },
      createdAt: new Date().toISOString(),
      source: {
        ...identityOf(options.database),
        database: facts.database,
        postgresVersion: facts.postgresVersion,
        serverVersionNum: facts.serverVersionNum,
        systemIdentifier: facts.systemIdentifier ?? identity.systemIdentifier,
        serverTime: facts.serverTime,
        identity,
      },
      pgDumpVersion,
      tables,
    };
    const manifestKey = manifestKeyFor(key);
    await putManifest(s3, options.to.bucket, manifestKey, manifest);
    return {
      ok: true,
      dump: formatS3({ bucket: options.to.bucket, key }),
      manifest: formatS3({ bucket: options.to.bucket, key: manifestKey }),
      sizeBytes: manifest.dump.sizeBytes + (manifest.dump.files ?? []).reduce((sum, f) => sum + f.sizeBytes, 0),
      sha256: manifest.dump.sha256,
      format: manifest.dump.format,
      compression: manifest.dump.compression,
      source: maskUrl(options.database.toString()),
      tables: tables.length,
      rows: tables.reduce((sum, t) => sum + t.rows, 0),
      durationsMs: { dumpAndUpload: Date.now() - dumpStarted, total: Date.now() - started },
    };
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    await client.end().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * A directory dump stored one object per file, `toc.dat` (the dump's key) and its data files
 * beside it, so a restore can fetch each table's file when pg_restore asks for it and stream it in
 * (docs/data-plane.md, "Streamed restore"). Every file is hashed while it uploads; toc.dat goes
 * last, then the manifest, so a half-uploaded dump has neither.
 */
async function uploadDirectory(
  s3: S3Client,
  bucket: string,
  tocKey: string,
  dir: string,
  progress: Progress,
): Promise<{ bytes: number; sha256: string; files: DumpFile[] }> {
  const names = readdirSync(dir).filter((n) => n !== "toc.dat").sort();
  const limit = pLimit(4);
  let uploaded = 0;
  const upload = async (name: string, key: string) => {
    let before = 0;
    const hashed = await uploadHashed(s3, bucket, key, createReadStream(join(dir, name), { highWaterMark: 1024 * 1024 }), (n) => {
      uploaded += n - before;
      before = n;
      progress.update(uploaded, uploaded);
    });
    return { name, sizeBytes: hashed.bytes, sha256: hashed.digest() };
  };
  const files = await Promise.all(names.map((name) => limit(() => upload(name, dumpFileKey(tocKey, name)))));
  const toc = await upload("toc.dat", tocKey);
  return { bytes: toc.sizeBytes, sha256: toc.sha256, files };
}
