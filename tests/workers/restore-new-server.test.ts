import { strict as assert } from "node:assert";
import type { ChildProcess } from "node:child_process";
import { S3Client } from "@aws-sdk/client-s3";
import { startPostgres, createDatabase, type LocalPostgres } from "../support/postgres";
import { startMoto, type LocalAws } from "../support/moto";
import { createBucket } from "../support/bucket-state";
import { runScript } from "../support/run-script";
import { databaseExists, query } from "../support/seed-database";
import { buildRealisticDatabase, createRoles, installRestoreHooks, tableChecksums } from "../support/realistic-database";
import { restoreWorkDatabases } from "../support/staging-databases";

type Json = Record<string, unknown> & {
  ok: boolean;
  privileges: { restored: boolean; missingRoles: string[]; skipped: string[] };
  failure?: { error: string; object?: string; fix?: string };
  leftBehind?: { state: string; description: string; continueWith?: string };
};

/** Resolves once `check` holds, polling the database (waiting for an event, not for a time). */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Restores into a second PostgreSQL, the way a disaster restore meets a new server: it lacks a
 * role the dump grants to, and (through event triggers the test installs in template1) a
 * restore can be made to fail, or to wait, while it builds indexes, after the data is loaded.
 */
describe("restoring onto a new server (roles, failures, signals)", function () {
  this.timeout(180_000);
  let source: LocalPostgres | undefined;
  let target: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  let dump: string;
  let sourceSums: Record<string, string | null>;

  before(async function () {
    this.timeout(180_000);
    [source, target] = await Promise.all([startPostgres(), startPostgres()]);
    aws = await startMoto();
    await createBucket(new S3Client({}), "db-backups", true);
    await createRoles(source);
    // The new server has the application's roles but not the reporting one.
    await createRoles(target, ["app_owner", "app_reader"]);
    await installRestoreHooks(target);
    const url = await buildRealisticDatabase(source, "shop");
    sourceSums = await tableChecksums(url);
    const b = await runScript("backup", ["--database", url, "--to", "s3://db-backups/real", "--json"], { env: aws.env });
    assert.equal(b.code, 0, b.stderr);
    dump = String(b.json?.dump);
  });

  after(async () => {
    // A restore still waiting in a hold_ database is released before the server stops.
    await query(target!.url(), "CREATE ROLE release_hold").catch(() => undefined);
    source?.stop();
    target?.stop();
    await aws?.stop();
  });

  const restore = (args: string[], onSpawn?: (child: ChildProcess) => void) =>
    runScript("restore", ["--from", dump, ...args, "--json"], { env: aws!.env, onSpawn });

  describe("a role the new server lacks", () => {
    let r: Awaited<ReturnType<typeof restore>>;
    before(async () => {
      r = await restore(["--to", target!.url("no_reporting"), "--jobs", "2"]);
    });

    it("completes the restore with every table's data equal to the source's", async () => {
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tableChecksums(target!.url("no_reporting")), sourceSums);
    });

    it("skips exactly the statements that name the missing role and reports them in the JSON record", () => {
      const out = r.json as Json;
      assert.deepEqual(out.privileges.missingRoles, ["reporting"]);
      assert.deepEqual(out.privileges.skipped, [
        "GRANT USAGE ON SCHEMA sales TO reporting",
        "GRANT SELECT(id) ON TABLE public.items TO reporting",
        "GRANT SELECT(name) ON TABLE public.items TO reporting",
        "GRANT SELECT ON TABLE sales.items TO reporting",
        "ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA sales GRANT SELECT ON TABLES  TO reporting",
      ]);
    });

    it("prints the skipped GRANTs and the missing role in the summary", () => {
      assert.match(r.stderr, /privileges: 5 skipped, their roles do not exist on the target \(reporting\)/);
      assert.match(r.stderr, /skipped: GRANT SELECT ON TABLE sales\.items TO reporting/);
    });

    it("still grants to the roles that exist, including those in an entry that also named the missing role", async () => {
      const rows = await query<{ schema: boolean; table: boolean }>(
        target!.url("no_reporting"),
        "SELECT has_schema_privilege('app_reader', 'sales', 'USAGE') AS schema, has_table_privilege('app_reader', 'public.customers', 'SELECT') AS table",
      );
      assert.deepEqual(rows, [{ schema: true, table: true }]);
    });
  });

  it("refuses a --role the target does not have before writing anything", async () => {
    const r = await restore(["--to", target!.url("with_missing_role"), "--role", "reporting"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused: --role: reporting does not exist on postgresql:\/\/postgres@127\.0\.0\.1:\d+\/with_missing_role; create it \(CREATE ROLE "reporting"\) or leave out --role/);
    assert.equal(await databaseExists(target!.url(), "with_missing_role"), false);
  });

  describe("a pg_restore that fails after the data is loaded", () => {
    it("names PostgreSQL's ERROR and the object it was creating, not the tail of stderr", async () => {
      const r = await restore(["--to", target!.url("fail_created"), "--jobs", "2"]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /failed: pg_restore failed creating INDEX public customers_email_trgm \(TOC entry \d+\): ERROR: index builds are switched off in fail_created__restore_[0-9a-f]{8}; CONTEXT: PL\/pgSQL function public\.restore_hook\(\) line 4 at RAISE;/,
      );
      const out = r.json as Json;
      assert.match(out.failure?.error ?? "", /^ERROR: index builds are switched off in fail_created__restore_[0-9a-f]{8}$/, "pg_restore wrote into the staging database");
      assert.match(out.failure?.object ?? "", /^INDEX public customers_email_trgm \(TOC entry \d+\)$/);
    });

    it("drops its staging database, never creates the target, and says so", async () => {
      const r = await restore(["--to", target!.url("fail_created2")]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /the database fail_created2 was not created \(the restore went into the staging database fail_created2__restore_[0-9a-f]{8}, which was dropped\): nothing is left behind; rerun the same command/,
      );
      assert.equal((r.json as Json).leftBehind?.state, "untouched");
      assert.equal(await databaseExists(target!.url(), "fail_created2"), false);
      assert.deepEqual(await restoreWorkDatabases(target!.url(), "fail_created2"), []);
    });

    it("leaves a database that existed before exactly as it was, and drops the staging database", async () => {
      const url = createDatabase(target!, "fail_existing");
      await query(url, "COMMENT ON DATABASE fail_existing IS 'kept'");
      const r = await restore(["--to", url, "--jobs", "2"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the database fail_existing is as it was \(the restore went into the staging database fail_existing__restore_[0-9a-f]{8}, which was dropped\)/);
      const tables = await query<{ n: string; c: string }>(url, "SELECT count(*) AS n, shobj_description((SELECT oid FROM pg_database WHERE datname = 'fail_existing'), 'pg_database') AS c FROM pg_tables WHERE schemaname IN ('public', 'sales')");
      assert.deepEqual(tables, [{ n: "0", c: "kept" }]);
      assert.deepEqual(await restoreWorkDatabases(target!.url(), "fail_existing"), []);
    });
  });

  describe("a restore stopped by a signal while it builds indexes", () => {
    // pg_restore works in the target's staging database, `<target>__restore_<run id>`.
    const waiting = (database: string) => async () =>
      (await query<{ n: string }>(target!.url(), `SELECT count(*) AS n FROM pg_stat_activity WHERE datname LIKE '${database}\\_\\_restore\\_%' AND query LIKE 'CREATE INDEX%'`))[0].n !== "0";

    it("on Ctrl-C (SIGINT to the process group) exits 130, drops its staging database, never creates the target, and says so", async () => {
      let child: ChildProcess | undefined;
      const running = restore(["--to", target!.url("hold_sigint"), "--jobs", "2"], (c) => (child = c));
      await waitFor("pg_restore to reach the index builds", waiting("hold_sigint"));
      process.kill(-child!.pid!, "SIGINT");
      const r = await running;
      assert.equal(r.code, 130);
      assert.match(r.stderr, /interrupted: stopped by SIGINT; the database hold_sigint was not created \(the restore went into the staging database hold_sigint__restore_[0-9a-f]{8}, which was dropped\)/);
      assert.equal((r.json as Json).leftBehind?.state, "untouched");
      assert.equal(await databaseExists(target!.url(), "hold_sigint"), false);
      assert.deepEqual(await restoreWorkDatabases(target!.url(), "hold_sigint"), []);
    });

    it("on SIGTERM (a Job stopped) exits 143, leaves an existing database as it was, and the same command then completes", async () => {
      const url = createDatabase(target!, "hold_sigterm");
      let child: ChildProcess | undefined;
      const running = restore(["--to", url, "--jobs", "2"], (c) => (child = c));
      await waitFor("pg_restore to reach the index builds", waiting("hold_sigterm"));
      child!.kill("SIGTERM");
      const r = await running;
      assert.equal(r.code, 143);
      assert.match(r.stderr, /interrupted: stopped by SIGTERM; the database hold_sigterm is as it was \(the restore went into the staging database hold_sigterm__restore_[0-9a-f]{8}, which was dropped\)/);
      assert.equal((r.json as Json).leftBehind?.state, "untouched");
      assert.deepEqual(await restoreWorkDatabases(target!.url(), "hold_sigterm"), []);
      const tables = await query<{ n: string }>(url, "SELECT count(*) AS n FROM pg_tables WHERE schemaname IN ('public', 'sales')");
      assert.equal(tables[0].n, "0", "the existing target is as it was: empty");
      // Release the hook, then run the same command again: the target is still empty, so it completes.
      await query(target!.url(), "CREATE ROLE release_hold");
      const again = await restore(["--to", url, "--jobs", "2"]);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(await tableChecksums(url), sourceSums);
    });
  });
});
