import { strict as assert } from "node:assert";
import { S3Client } from "@aws-sdk/client-s3";
import { startPostgres, type LocalPostgres } from "../support/postgres";
import { startMoto, type LocalAws } from "../support/moto";
import { createBucket } from "../support/bucket-state";
import { runScript } from "../support/run-script";
import { query } from "../support/seed-database";
import {
  REALISTIC_TABLES,
  buildRealisticDatabase,
  createRoles,
  largeObjects,
  schemaOf,
  tableChecksums,
  withoutAutovacuum,
} from "../support/realistic-database";

type Json = Record<string, unknown> & {
  ok: boolean;
  durationsMs: Record<string, number>;
  analyze: { skipped: boolean; tables: number };
  largeObjects: { inDump: number; restored: boolean };
  privileges: { restored: boolean; missingRoles: string[]; skipped: string[] };
};

/**
 * Full restores of a database built from real-world features (pgbench, contrib extensions,
 * enums, domains, partitions, two schemas, quoted names, large objects, roles and grants),
 * compared with the source by pg_dump --schema-only and per-table checksums, not by the
 * tool's own row counts.
 */
describe("restoring a realistic database (full restores)", function () {
  this.timeout(180_000);
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  let dump: string;
  let sourceSums: Record<string, string | null>;
  let sourceSchema: string;
  let sourceObjects: Record<string, string>;

  before(async function () {
    this.timeout(180_000);
    pg = await startPostgres();
    aws = await startMoto();
    await withoutAutovacuum(pg);
    await createBucket(new S3Client({}), "db-backups", true);
    await createRoles(pg);
    const source = await buildRealisticDatabase(pg, "shop");
    sourceSums = await tableChecksums(source);
    sourceSchema = schemaOf(pg, "shop");
    sourceObjects = await largeObjects(source);
    const b = await runScript("backup", ["--database", source, "--to", "s3://db-backups/real", "--json"], { env: aws.env });
    assert.equal(b.code, 0, b.stderr);
    dump = String(b.json?.dump);
  });

  after(async () => {
    pg?.stop();
    await aws?.stop();
  });

  const restore = (args: string[]) => runScript("restore", ["--from", dump, ...args, "--json"], { env: aws!.env });

  for (const jobs of [1, 2, 4]) {
    it(`restores with ${jobs} job${jobs > 1 ? "s" : ""} a database whose schema, table contents and large objects equal the source's`, async () => {
      const name = `full_${jobs}`;
      const r = await restore(["--to", pg!.url(name), "--jobs", String(jobs)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(schemaOf(pg!, name), sourceSchema);
      assert.deepEqual(await tableChecksums(pg!.url(name)), sourceSums);
      assert.equal(Object.keys(sourceObjects).length, 5);
      assert.deepEqual(await largeObjects(pg!.url(name)), sourceObjects);
      assert.deepEqual((r.json as Json).largeObjects, { inDump: 5, restored: true });
    });
  }

  it("analyses every restored table as a timed phase, so pg_stats and last_analyze are filled", async () => {
    const r = await restore(["--to", pg!.url("analysed"), "--jobs", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as Json;
    assert.ok(typeof out.durationsMs.analyze === "number", "the analyze phase is timed");
    // Every table but the partitions, which ANALYZE of public.orders covers.
    assert.deepEqual(out.analyze, { skipped: false, tables: REALISTIC_TABLES.length - 2, failed: [] });
    assert.match(r.stderr, /analyze: started \(12 to do\)/);
    const notAnalysed = await query<{ t: string }>(pg!.url("analysed"), "SELECT relname AS t FROM pg_stat_user_tables WHERE last_analyze IS NULL AND relname <> 'orders' ORDER BY 1");
    assert.deepEqual(notAnalysed, []);
    const stats = await query<{ n: string }>(pg!.url("analysed"), "SELECT count(*) AS n FROM pg_stats WHERE schemaname = 'public' AND tablename = 'pgbench_accounts'");
    assert.equal(stats[0].n, "4", "one row per column of pgbench_accounts");
  });

  it("leaves pg_stats empty and last_analyze unset with --no-analyze", async () => {
    const r = await restore(["--to", pg!.url("not_analysed"), "--no-analyze"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((r.json as Json).analyze, { skipped: true, tables: 0, failed: [] });
    assert.equal(((r.json as Json).durationsMs.analyze), undefined);
    const analysed = await query<{ n: string }>(pg!.url("not_analysed"), "SELECT count(*) AS n FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL");
    assert.equal(analysed[0].n, "0");
    const stats = await query<{ n: string }>(pg!.url("not_analysed"), "SELECT count(*) AS n FROM pg_stats WHERE schemaname IN ('public', 'sales')");
    assert.equal(stats[0].n, "0");
  });

  it("restores no privileges at all with --no-acl, and says so", async () => {
    const r = await restore(["--to", pg!.url("no_acl"), "--no-acl"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.json as Json).privileges.restored, false);
    assert.match(r.stderr, /privileges: none restored \(--no-acl\)/);
    const grants = await query<{ n: string }>(
      pg!.url("no_acl"),
      "SELECT count(*) AS n FROM information_schema.role_table_grants WHERE grantee IN ('app_reader', 'reporting')",
    );
    assert.equal(grants[0].n, "0");
    assert.deepEqual(await tableChecksums(pg!.url("no_acl")), sourceSums);
  });
});
