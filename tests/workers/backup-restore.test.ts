import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startPostgres, createDatabase, type LocalPostgres } from "../support/postgres";
import { startMoto, type LocalAws } from "../support/moto";
import { createBucket, versionSnapshot } from "../support/bucket-state";
import { runScript } from "../support/run-script";
import { databaseExists, query, seedShop, tableCount } from "../support/seed-database";
import { dumpFileKey, parseManifest, type DumpManifest } from "../../workers/dump-manifest";
import { restoreWorkDatabases, allRestoreWorkDatabases } from "../support/staging-databases";
import { isRunning } from "../../workers/restore";
import { startFaultProxy } from "../support/fault-proxy";

type RestoreJson = {
  ok: boolean;
  error?: string;
  dump: string;
  sha256: string;
  targetCreated: boolean;
  durationsMs: Record<string, number>;
  rowCounts: { table: string; expected: number; actual: number | null; ok: boolean }[];
};

describe("npm run backup and npm run restore (logical restore from S3)", function () {
  this.timeout(120_000);
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  let s3: S3Client;
  let source: string;
  /** The default backup: a directory dump, one object per file (`….dir/toc.dat` and its files). */
  let dumpKey: string;
  /** A custom-format dump (`--format custom`), the one-object layout older backups have. */
  let customKey: string;
  let backupsBefore: string[];

  before(async function () {
    this.timeout(120_000);
    pg = await startPostgres();
    aws = await startMoto();
    s3 = new S3Client({});
    await createBucket(s3, "db-backups", true);
    source = createDatabase(pg, "shop");
    await seedShop(source, 2000);
    const r = await runScript("backup", ["--database", source, "--to", "s3://db-backups/prod", "--json"], { env: aws.env });
    assert.equal(r.code, 0, r.stderr);
    dumpKey = String(r.json?.dump).replace("s3://db-backups/", "");
    const c = await runScript("backup", ["--database", source, "--to", "s3://db-backups/custom", "--format", "custom", "--json"], { env: aws.env });
    assert.equal(c.code, 0, c.stderr);
    customKey = String(c.json?.dump).replace("s3://db-backups/", "");
  });

  after(async () => {
    pg?.stop();
    await aws?.stop();
  });

  const restore = (args: string[], extra: Parameters<typeof runScript>[2] = {}) =>
    runScript("restore", [...args, "--json"], { env: aws!.env, ...extra });

  async function bytesOf(key: string): Promise<Buffer> {
    const res = await s3.send(new GetObjectCommand({ Bucket: "db-backups", Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  async function manifestOf(key: string): Promise<DumpManifest> {
    return parseManifest((await bytesOf(`${key}.manifest.json`)).toString(), "test");
  }

  it("backs up a directory dump one object per file, with each file's size and sha256 and every table's row count in the manifest", async () => {
    const manifest = await manifestOf(dumpKey);
    assert.match(dumpKey, /^prod\/shop-\d{8}T\d{6}Z\.dir\/toc\.dat$/);
    assert.equal(manifest.formatVersion, 2);
    assert.equal(manifest.dump.layout, "objects");
    const toc = await bytesOf(dumpKey);
    assert.equal(manifest.dump.sizeBytes, toc.length);
    assert.equal(manifest.dump.sha256, createHash("sha256").update(toc).digest("hex"));
    const files = manifest.dump.files ?? [];
    assert.equal(files.filter((f) => /^\d+\.dat\.gz$/.test(f.name)).length, 3, "one data file per table");
    for (const f of files) {
      const body = await bytesOf(dumpFileKey(dumpKey, f.name));
      assert.deepEqual([f.name, body.length, createHash("sha256").update(body).digest("hex")], [f.name, f.sizeBytes, f.sha256]);
    }
    assert.equal(manifest.source.database, "shop");
    assert.match(manifest.source.postgresVersion, /^15\./);
    assert.deepEqual(
      manifest.tables.map((t) => `${t.name}=${t.rows}`),
      ["audit_log=4000", "orders=10000", "users=2000"],
    );
  });

  it("backs up --format custom as one object whose size and sha256 are the manifest's", async () => {
    const manifest = await manifestOf(customKey);
    const dump = await bytesOf(customKey);
    assert.equal(manifest.formatVersion, 1);
    assert.equal(manifest.dump.format, "custom");
    assert.equal(manifest.dump.sizeBytes, dump.length);
    assert.equal(manifest.dump.sha256, createHash("sha256").update(dump).digest("hex"));
    backupsBefore = await versionSnapshot(s3, "db-backups");
  });

  it("restores into a new database with every row count equal to the manifest", async () => {
    const r = await restore(["--from", "s3://db-backups/prod", "--to", pg!.url("shop_restored"), "--jobs", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as RestoreJson;
    assert.equal(out.ok, true);
    assert.equal(out.targetCreated, true);
    assert.deepEqual(out.rowCounts.map((c) => [c.table, c.actual, c.ok]), [
      ["public.audit_log", 4000, true],
      ["public.orders", 10000, true],
      ["public.users", 2000, true],
    ]);
    for (const phase of ["locate", "checkTarget", "download", "restore", "verify", "total"]) assert.ok(phase in out.durationsMs, phase);
    const fk = await query<{ n: string }>(pg!.url("shop_restored"), "SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f'");
    assert.equal(fk[0].n, "1", "constraints come back too");
    assert.match(r.stderr, /row counts: 3\/3 tables match the manifest/);
    assert.match(r.stderr, /staging: restoring into shop_restored__restore_[0-9a-f]{8}; it becomes shop_restored only when checksums, sizes and row counts match the manifest/);
    assert.deepEqual(await restoreWorkDatabases(pg!.url(), "shop_restored"), [], "the staging database became the target");
    assert.deepEqual(await versionSnapshot(s3, "db-backups"), backupsBefore, "the backup bucket is only read");
  });

  it("restores a custom-format dump (the one-object layout of older backups) the same way", async () => {
    const r = await restore(["--from", `s3://db-backups/${customKey}`, "--to", pg!.url("custom_restored"), "--jobs", "2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((r.json as unknown as RestoreJson).rowCounts.map((c) => [c.table, c.actual, c.ok]), [
      ["public.audit_log", 4000, true],
      ["public.orders", 10000, true],
      ["public.users", 2000, true],
    ]);
    assert.deepEqual(await restoreWorkDatabases(pg!.url(), "custom_restored"), []);
  });

  it("replaces a non-empty target with --force only once the restore is verified, as a whole", async () => {
    const target = createDatabase(pg!, "replace_me");
    await query(target, "CREATE TABLE old_only (id int); INSERT INTO old_only VALUES (1)");
    const r = await restore(["--from", `s3://db-backups/${dumpKey}`, "--to", target, "--force", "--jobs", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as RestoreJson & { staging: { swapped: boolean; replacedExisting: boolean } };
    assert.deepEqual([out.staging.swapped, out.staging.replacedExisting, out.targetCreated], [true, true, false]);
    const tables = await query<{ tablename: string }>(target, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    assert.deepEqual(tables.map((t) => t.tablename), ["audit_log", "orders", "users"], "the old database was replaced, not merged into");
    assert.deepEqual(await restoreWorkDatabases(pg!.url(), "replace_me"), [], "no staging or renamed-aside database is left");
  });

  it("refuses a custom-format dump with one byte flipped and leaves the target untouched", async () => {
    const dump = await bytesOf(customKey);
    dump[Math.floor(dump.length / 2)] ^= 0x01;
    const manifestText = (await bytesOf(`${customKey}.manifest.json`)).toString();
    const manifest = JSON.parse(manifestText) as { dump: { key: string } };
    manifest.dump.key = "corrupt/shop.dump";
    await s3.send(new PutObjectCommand({ Bucket: "db-backups", Key: "corrupt/shop.dump", Body: dump }));
    await s3.send(new PutObjectCommand({ Bucket: "db-backups", Key: "corrupt/shop.dump.manifest.json", Body: JSON.stringify(manifest) }));
    const target = createDatabase(pg!, "corrupt_target");
    const r = await restore(["--from", "s3://db-backups/corrupt/shop.dump", "--to", target]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused: --from: s3:\/\/db-backups\/corrupt\/shop\.dump fails its checksum .* nothing was restored/);
    assert.equal((r.json as unknown as RestoreJson).ok, false);
    assert.equal(await tableCount(target), 0);
    assert.deepEqual(await restoreWorkDatabases(pg!.url(), "corrupt_target"), []);
  });

  it("refuses a directory dump whose table file has one byte flipped, with --force over a full target, and leaves that target as it was", async () => {
    const manifest = await manifestOf(dumpKey);
    const key = "corrupt-dir/shop.dir/toc.dat";
    const largest = [...(manifest.dump.files ?? [])].sort((a, b) => b.sizeBytes - a.sizeBytes)[0];
    await s3.send(new PutObjectCommand({ Bucket: "db-backups", Key: key, Body: await bytesOf(dumpKey) }));
    for (const f of manifest.dump.files ?? []) {
      const body = await bytesOf(dumpFileKey(dumpKey, f.name));
      if (f === largest) body[Math.floor(body.length / 2)] ^= 0x01;
      await s3.send(new PutObjectCommand({ Bucket: "db-backups", Key: dumpFileKey(key, f.name), Body: body }));
    }
    await s3.send(new PutObjectCommand({ Bucket: "db-backups", Key: `${key}.manifest.json`, Body: JSON.stringify({ ...manifest, dump: { ...manifest.dump, key } }) }));
    const target = createDatabase(pg!, "corrupt_dir_target");
    await query(target, "CREATE TABLE keep_me (id int); INSERT INTO keep_me VALUES (1), (2)");
    const r = await restore(["--from", "s3://db-backups/corrupt-dir/shop.dir", "--to", target, "--force", "--jobs", "2"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`refused: --from: s3://db-backups/corrupt-dir/shop\\.dir/${largest.name.replace(".", "\\.")} (fails its checksum|could not be read).*; the database corrupt_dir_target is as it was \\(the restore went into the staging database corrupt_dir_target__restore_[0-9a-f]{8}, which was dropped\\)`),
    );
    assert.deepEqual(await query(target, "SELECT count(*)::int AS n FROM keep_me"), [{ n: 2 }]);
    assert.equal(await tableCount(target), 1);
    assert.deepEqual(await restoreWorkDatabases(pg!.url(), "corrupt_dir_target"), []);
  });

  it("refuses a dump with no manifest beside it", async () => {
    await s3.send(new CopyObjectCommand({ Bucket: "db-backups", Key: "orphan/shop.dump", CopySource: `db-backups/${customKey}` }));
    for (const from of ["s3://db-backups/orphan/shop.dump", "s3://db-backups/orphan"]) {
      const r = await restore(["--from", from, "--to", pg!.url("orphan_target")]);
      assert.equal(r.code, 1, from);
      assert.match(r.stderr, /no manifest .*restore refuses a dump it cannot verify/);
    }
    assert.equal(await databaseExists(pg!.url(), "orphan_target"), false);
  });

  it("refuses a non-empty target without --force and leaves its data alone", async () => {
    const target = createDatabase(pg!, "busy_target");
    await query(target, "CREATE TABLE keep_me (id int); INSERT INTO keep_me VALUES (1), (2)");
    const r = await restore(["--from", "s3://db-backups/prod", "--to", target]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--to: postgresql:\/\/postgres@127\.0\.0\.1:\d+\/busy_target is not empty \(\d+ objects\).*add --force/);
    assert.deepEqual(await query(target, "SELECT count(*)::int AS n FROM keep_me"), [{ n: 2 }]);
    assert.equal(await tableCount(target), 1);
  });

  it("refuses to restore into the database the dump was taken from, even with --force", async () => {
    const r = await restore(["--from", "s3://db-backups/prod", "--to", source, "--force"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--to: .*\/shop is the database this dump was taken from .*never over the source/);
    assert.deepEqual(await query(source, "SELECT count(*)::int AS n FROM orders"), [{ n: 10000 }]);
    assert.deepEqual(await allRestoreWorkDatabases(pg!.url()), [], "no staging database was created");
  });

  it("restores only the tables named by --tables, with their keys, indexes and sequences", async () => {
    const r = await restore(["--from", "s3://db-backups/prod", "--to", pg!.url("orders_only"), "--tables", "orders"]);
    // Exit 1: users was not restored and is not in the target, so the key to it could not come back.
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^restored INCOMPLETE \(exit 1\) .*\n[\s\S]*NOT restored: FK CONSTRAINT public orders orders_user_id_fkey: needs public\.users/m);
    const out = r.json as unknown as RestoreJson & { skippedForeignKeys: string[] };
    assert.deepEqual(out.rowCounts.map((c) => [c.table, c.actual]), [["public.orders", 10000]]);
    assert.deepEqual(out.skippedForeignKeys, ["orders orders_user_id_fkey"], "the key to users, which was not restored, is left out");
    const target = pg!.url("orders_only");
    const tables = await query<{ tablename: string }>(target, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    assert.deepEqual(tables.map((t) => t.tablename), ["orders"]);
    const indexes = await query<{ indexname: string }>(target, "SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY 1");
    assert.deepEqual(indexes.map((i) => i.indexname), ["orders_pkey", "orders_user_id_idx"]);
    const next = await query<{ id: string }>(target, "INSERT INTO orders (user_id, total) VALUES (1, 1) RETURNING id::text AS id");
    assert.equal(next[0].id, "10001", "the sequence came back at its dumped value");
  });

  it("checks everything in a dry run and creates nothing", async () => {
    const r = await restore(["--from", "s3://db-backups/prod", "--to", pg!.url("dry_target"), "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as RestoreJson & { dryRun: boolean };
    assert.equal(out.dryRun, true);
    assert.match(out.sha256, /^[0-9a-f]{64}$/);
    assert.match(r.stderr, /dry run: would restore/);
    assert.equal(await databaseExists(pg!.url(), "dry_target"), false);
    assert.deepEqual(await restoreWorkDatabases(pg!.url(), "dry_target"), []);
  });

  it("restores gzip-compressed dumps and picks the newest with --latest", async () => {
    const b = await runScript("backup", ["--database", source, "--to", "s3://db-backups/prod", "--gzip", "--json"], { env: aws!.env });
    assert.equal(b.code, 0, b.stderr);
    assert.match(String(b.json?.dump), /\.dump\.gz$/);
    const ambiguous = await restore(["--from", "s3://db-backups/prod", "--to", pg!.url("gz_target")]);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /--from: s3:\/\/db-backups\/prod\/ holds 2 dumps .*add --latest for the newest/);
    const r = await restore(["--from", "s3://db-backups/prod", "--to", pg!.url("gz_target"), "--latest"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as RestoreJson;
    assert.equal(out.dump, b.json?.dump);
    assert.ok(out.rowCounts.every((c) => c.ok));
  });

  it("restores a directory dump stored as one tar (the layout backups had before one object per file)", async () => {
    const work = mkdtempSync(join(tmpdir(), "legacy-dir-"));
    try {
      execFileSync("pg_dump", ["-Fd", "-j2", "-f", join(work, "d"), source]);
      const tar = execFileSync("tar", ["-C", join(work, "d"), "-cf", "-", "."], { maxBuffer: 64 * 1024 * 1024 });
      const key = "legacy/shop-20261101T020000Z.dir.tar";
      const manifest = await manifestOf(customKey);
      const legacy = { ...manifest, dump: { ...manifest.dump, key, format: "directory", sizeBytes: tar.length, sha256: createHash("sha256").update(tar).digest("hex") } };
      await s3.send(new PutObjectCommand({ Bucket: "db-backups", Key: key, Body: tar }));
      await s3.send(new PutObjectCommand({ Bucket: "db-backups", Key: `${key}.manifest.json`, Body: JSON.stringify(legacy) }));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const r = await restore(["--from", "s3://db-backups/legacy", "--to", pg!.url("dir_target"), "--jobs", "2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((r.json as unknown as RestoreJson).rowCounts.every((c) => c.ok));
  });

  it("rides out 503 SlowDown answers while downloading the dump", async () => {
    const proxy = await startFaultProxy(aws!.endpoint);
    try {
      let injected = 0;
      proxy.setRule((req, kind) => {
        // The table files, streamed into COPY while they download: a retry must resume them.
        if (kind === "get" && req.method === "GET" && /\.dir\/\d+\.dat\.gz/.test(req.url ?? "") && injected < 5) {
          injected += 1;
          return { status: 503, code: "SlowDown" };
        }
        return undefined;
      });
      const r = await runScript("restore", ["--from", `s3://db-backups/${dumpKey}`, "--to", pg!.url("throttled_target"), "--json"], {
        env: { ...aws!.env, AWS_ENDPOINT_URL: proxy.endpoint },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(injected, 5);
      assert.ok((r.json as unknown as RestoreJson).rowCounts.every((c) => c.ok));
    } finally {
      await proxy.stop();
    }
  });

  it("restores a dump of many tables without a warning on stderr (one abort listener per table at a time)", async () => {
    const many = createDatabase(pg!, "many_tables");
    await query(many, Array.from({ length: 14 }, (_, i) => `CREATE TABLE t${i} AS SELECT g AS id FROM generate_series(1, 100) g;`).join("\n"));
    const b = await runScript("backup", ["--database", many, "--to", "s3://db-backups/many", "--json"], { env: aws!.env });
    assert.equal(b.code, 0, b.stderr);
    const r = await restore(["--from", String(b.json?.dump), "--to", pg!.url("many_restored"), "--jobs", "2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.json as unknown as RestoreJson).rowCounts.length, 14);
    assert.doesNotMatch(r.stderr, /Warning/);
  });

  it("refuses bad usage with one message naming the argument, no stack trace and no password", async () => {
    const cases: [string[], RegExp][] = [
      [["--from", "s3://db-backups/prod", "--to", "mysql://u:hunter2@h/x"], /--to: "mysql:\/\/u:\*\*\*\*@h\/x" is not a postgresql:\/\/ URL/],
      [["--from", "s3://db-backups/prod", "--to", pg!.url("x"), "--tables", "users;drop"], /--tables: "users;drop" is not a table name/],
    ];
    for (const [args, message] of cases) {
      const r = await runScript("restore", args, { env: aws!.env });
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at |hunter2/);
    }
    const unreachable = await runScript("restore", ["--from", "s3://db-backups/prod", "--latest", "--to", "postgresql://admin:hunter2@127.0.0.1:1/x"], { env: aws!.env });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /--to: cannot reach postgresql:\/\/admin:\*\*\*\*@127\.0\.0\.1:1\/x/);
    assert.doesNotMatch(unreachable.stderr, /hunter2|\n\s+at /);
  });

  describe("a restore killed half way", () => {
    let bigDump: string;

    before(async function () {
      this.timeout(180_000);
      const big = createDatabase(pg!, "big");
      await query(
        big,
        `CREATE TABLE events (id bigserial PRIMARY KEY, kind int NOT NULL, payload text NOT NULL);
         INSERT INTO events (kind, payload) SELECT g % 97, repeat(md5(g::text), 3) FROM generate_series(1, 800000) g;
         CREATE INDEX events_kind_idx ON events(kind);
         CREATE TABLE samples AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 400000) g;`,
      );
      const b = await runScript("backup", ["--database", big, "--to", "s3://db-backups/big", "--json"], { env: aws!.env });
      assert.equal(b.code, 0, b.stderr);
      bigDump = String(b.json?.dump);
    });

    it("leaves the target as it was, and a rerun drops the dead run's staging database and completes", async () => {
      const target = pg!.url("big_restored");
      // Its own work dir: another restore (of this run or a parallel one) clears dead runs' staging in its own.
      const work = mkdtempSync(join(tmpdir(), "killed-restore-"));
      // Killed (SIGKILL, like an evicted pod) on the event that pg_restore loads the tables' data.
      let loading = false;
      const killed = await restore(["--from", bigDump, "--to", target, "--jobs", "2", "--work-dir", work], {
        onStderr: (text) => (loading = /staging: loading the tables' data into big_restored__restore_[0-9a-f]{8}/.test(text)),
        killWhen: () => loading,
      });
      assert.equal(killed.code, null, "the first restore was killed by a signal");
      assert.equal(await databaseExists(pg!.url(), "big_restored"), false, "the target was never created");
      const [left, ...more] = await restoreWorkDatabases(pg!.url(), "big_restored");
      assert.match(left ?? "", /^big_restored__restore_[0-9a-f]{8}$/, "the killed run could not drop its staging database");
      assert.deepEqual(more, []);
      const unrelated = createDatabase(pg!, "big_restored__restore_00000000");

      const staged = () =>
        readdirSync(work).filter((n) => {
          const m = /^recovery-restore-(\d+)-/.exec(n);
          return m !== null && !isRunning(Number(m[1]));
        });
      assert.ok(staged().length >= 1, "the killed restore could not clean up its staged files");
      const r = await restore(["--from", bigDump, "--to", target, "--jobs", "2", "--work-dir", work]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`staging: dropped ${left}, left by a restore that was killed`));
      assert.deepEqual(await restoreWorkDatabases(pg!.url(), "big_restored"), ["big_restored__restore_00000000"], "only the dead run's own staging database was dropped");
      assert.deepEqual(staged(), [], "the next restore removed the dead run's staged files");
      const out = r.json as unknown as RestoreJson & { staging: { cleanedUp: string[] } };
      assert.deepEqual(out.staging.cleanedUp, [left]);
      assert.deepEqual(out.rowCounts.map((c) => [c.table, c.actual, c.ok]), [
        ["public.events", 800000, true],
        ["public.samples", 400000, true],
      ]);
      const idx = await query<{ n: string }>(target, "SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'events_kind_idx'");
      assert.equal(idx[0].n, "1");
      await query(pg!.url(), `DROP DATABASE ${unrelated.split("/").pop()}`);
      rmSync(work, { recursive: true, force: true });
    });

    it("loads a table while its file is still downloading: its COPY is under way before the last byte arrives", async () => {
      const key = bigDump.replace(/^s3:\/\/db-backups\//, "");
      const files = (await manifestOf(key)).dump.files ?? [];
      const largest = [...files].sort((a, b) => b.sizeBytes - a.sizeBytes)[0];
      const proxy = await startFaultProxy(aws!.endpoint);
      try {
        // The largest table file stops after its first 256 KiB until the COPY is seen loading it.
        const held = proxy.holdBody((req) => req.method === "GET" && (req.url ?? "").split("?")[0].endsWith(`/${largest.name}`), 256 * 1024);
        const running = restore(["--from", bigDump, "--to", pg!.url("big_streamed"), "--jobs", "2"], { env: { ...aws!.env, AWS_ENDPOINT_URL: proxy.endpoint } });
        await held.reached;
        let copying: { datname: string; tuples: string } | undefined;
        while (copying === undefined) {
          const rows = await query<{ datname: string; tuples: string }>(
            pg!.url(),
            "SELECT datname, tuples_processed::text AS tuples FROM pg_stat_progress_copy WHERE command = 'COPY FROM' AND type = 'PIPE' AND tuples_processed > 0",
          );
          copying = rows[0];
          if (copying === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.match(copying.datname, /^big_streamed__restore_[0-9a-f]{8}$/, "the COPY writes into the staging database, not the target");
        assert.ok(largest.sizeBytes > 256 * 1024, "the file is larger than what was let through");
        held.release();
        const r = await running;
        assert.equal(r.code, 0, r.stderr);
        const out = r.json as unknown as RestoreJson;
        assert.deepEqual(out.rowCounts.map((c) => [c.table, c.actual, c.ok]), [
          ["public.events", 800000, true],
          ["public.samples", 400000, true],
        ]);
      } finally {
        await proxy.stop();
      }
    });
  });
});
