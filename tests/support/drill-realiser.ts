/**
 * The data work behind the fake engine's `up` in the end-to-end drill test, done for real:
 * a database step restores the newest pg_dump (checksum checked) from S3 into PostgreSQL, a
 * bucket step copies the replica bucket into the drill's new bucket; destroy drops and deletes.
 *
 * SEAM (for the lead): this stands in for the data-plane workers built in parallel.
 *   database step → `npm run restore -- --from s3://<dumps.bucket>/<dumps.prefix> --to <url> --latest`
 *   bucket step   → `npm run sync -- --from s3://<replica> --to s3://<drill bucket>`
 * Swap `create`'s two branches for calls to those workers (same inputs, same outputs: the URL and
 * the restore point reached); `destroy` stays as it is. The `DataRealiser` interface is in
 * drill/fake-engine.ts.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { Client } from "pg";
import type { DataRealiser } from "../../drill/fake-engine";
import type { RecoveryConfig } from "../../stacks";
import type { LocalPostgres } from "./postgres";

/** The drill's restored database, in the local PostgreSQL: its new identifier, as a database name. */
export const restoredDatabaseName = (identifier: string): string => identifier.replace(/-/g, "_");

export async function listKeys(s3: S3Client, bucket: string, prefix = ""): Promise<{ key: string; etag: string }[]> {
  const out: { key: string; etag: string }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, etag: o.ETag ?? "" });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await Body!.transformToByteArray());
}

function run(binary: string, args: string[]): void {
  const r = spawnSync(binary, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${binary.split("/").pop()} failed: ${(r.stderr || r.error?.message || "").trim().split("\n")[0]}`);
}

export function localRealiser(pg: LocalPostgres, s3 = new S3Client({})): DataRealiser {
  const conn = ["-h", pg.host, "-p", String(pg.port), "-U", "postgres"];
  const database = (config: RecoveryConfig, name: string) => config.databases.find((d) => d.name === name)!;
  const bucket = (config: RecoveryConfig, name: string) => config.buckets.find((b) => b.name === name)!;
  return {
    async create(step, config) {
      if (step.kind === "database") {
        const db = database(config, step.name);
        const { bucket: dumps, prefix } = db.source.dumps;
        const newest = (await listKeys(s3, dumps, prefix)).filter((k) => k.key.endsWith(".dump")).sort((a, b) => a.key.localeCompare(b.key)).pop();
        if (!newest) throw new Error(`no dump under s3://${dumps}/${prefix}`);
        const bytes = await getBytes(s3, dumps, newest.key);
        const expected = (await getBytes(s3, dumps, `${newest.key}.sha256`)).toString().trim().split(/\s+/)[0];
        const actual = createHash("sha256").update(bytes).digest("hex");
        if (actual !== expected) throw new Error(`checksum mismatch for s3://${dumps}/${newest.key}`);
        const dir = mkdtempSync(join(tmpdir(), "drill-dump-"));
        try {
          writeFileSync(join(dir, "db.dump"), bytes);
          const name = restoredDatabaseName(db.identifier);
          run(join(pg.binDir, "createdb"), [...conn, name]);
          run(join(pg.binDir, "pg_restore"), [...conn, "--no-owner", "--no-acl", "-d", name, join(dir, "db.dump")]);
          // The restore point actually reached: the newest row the restored data holds.
          const client = new Client({ connectionString: pg.url(name) });
          await client.connect();
          try {
            const { rows } = await client.query<{ at: Date }>("SELECT max(created_at) AS at FROM orders");
            return { outputs: { url: pg.url(name), database: name }, restorePoint: rows[0].at };
          } finally {
            await client.end();
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      if (step.kind === "bucket") {
        const b = bucket(config, step.name);
        await s3.send(new CreateBucketCommand({ Bucket: b.bucket, CreateBucketConfiguration: { LocationConstraint: config.region as "eu-west-2" } }));
        const keys = await listKeys(s3, b.source.replica.bucket);
        for (const { key } of keys)
          await s3.send(new CopyObjectCommand({ Bucket: b.bucket, Key: key, CopySource: `${b.source.replica.bucket}/${encodeURIComponent(key)}` }));
        return { outputs: { bucket: b.bucket, objects: keys.length } };
      }
      return undefined;
    },
    async destroy(step, config) {
      if (step.kind === "database")
        run(join(pg.binDir, "dropdb"), [...conn, "--if-exists", "--force", restoredDatabaseName(database(config, step.name).identifier)]);
      if (step.kind === "bucket") {
        const name = bucket(config, step.name).bucket;
        const keys = await listKeys(s3, name).catch(() => undefined);
        if (keys === undefined) return;
        if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: keys.map((k) => ({ Key: k.key })) } }));
        await s3.send(new DeleteBucketCommand({ Bucket: name }));
      }
    },
  };
}
