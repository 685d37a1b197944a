import { setTimeout as delay } from "node:timers/promises";
import { strict as assert } from "node:assert";
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
import { parseManifest } from "../../workers/dump-manifest";
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
  let dumpKey: string;
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

  it("backs up into S3 with a manifest giving the dump's size, sha256 and every table's row count", async () => {
    const manifest = parseManifest((await bytesOf(`${dumpKey}.manifest.json`)).toString(), "test");
    const dump = await bytesOf(dumpKey);
    assert.equal(manifest.dump.sizeBytes, dump.length);
    assert.equal(manifest.dump.sha256, createHash("sha256").update(dump).digest("hex"));
    assert.equal(manifest.dump.format, "custom");
    assert.equal(manifest.source.database, "shop");
    assert.match(manifest.source.postgresVersion, /^15\./);
    assert.deepEqual(
      manifest.tables.map((t) => `${t.name}=${t.rows}`),
      ["audit_log=4000", "orders=10000", "users=2000"],
    );
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
    assert.deepEqual(await versionSnapshot(s3, "db-backups"), backupsBefore, "the backup bucket is only read");
  });

  it("refuses a dump with one byte flipped and leaves the target untouched", async () => {
    const dump = await bytesOf(dumpKey);
    dump[Math.floor(dump.length / 2)] ^= 0x01;
    const manifestText = (await bytesOf(`${dumpKey}.manifest.json`)).toString();
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
  });

  it("refuses a dump with no manifest beside it", async () => {
    await s3.send(new CopyObjectCommand({ Bucket: "db-backups", Key: "orphan/shop.dump", CopySource: `db-backups/${dumpKey}` }));
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

  it("restores a directory-format dump made with parallel pg_dump", async () => {
    const b = await runScript("backup", ["--database", source, "--to", "s3://db-backups/dir", "--format", "directory", "--json"], { env: aws!.env });
    assert.equal(b.code, 0, b.stderr);
    const r = await restore(["--from", String(b.json?.dump), "--to", pg!.url("dir_target")]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((r.json as unknown as RestoreJson).rowCounts.every((c) => c.ok));
  });

  it("rides out 503 SlowDown answers while downloading the dump", async () => {
    const proxy = await startFaultProxy(aws!.endpoint);
    try {
      let injected = 0;
      proxy.setRule((req, kind) => {
        if (kind === "get" && req.method === "GET" && (req.url ?? "").includes(dumpKey) && injected < 5) {
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

    it("leaves a partial target that a rerun refuses without --force and completes with --force", async () => {
      const target = pg!.url("big_restored");
      // Killed on the event that pg_restore has created a table in the target, not after a delay.
      let watching = false;
      let finished = false;
      const tablesIn = async (url: string): Promise<number> => {
        try {
          return Number((await query<{ n: string }>(url, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'"))[0].n);
        } catch {
          return 0; // not created yet
        }
      };
      // Its own work dir: another restore (of this run or a parallel one) clears dead runs' staging in its own.
      const work = mkdtempSync(join(tmpdir(), "killed-restore-"));
      const killed = await restore(["--from", bigDump, "--to", target, "--jobs", "2", "--work-dir", work], {
        onStderr: (text, kill) => {
          if (watching || !/pg_restore: started/.test(text)) return;
          watching = true;
          void (async () => {
            while (!finished && (await tablesIn(target)) === 0) await delay(20);
            kill();
          })();
        },
      });
      finished = true;
      assert.notEqual(killed.code, 0, "the first restore was meant to be killed");
      const partial = await query<{ n: string }>(target, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'");
      assert.ok(Number(partial[0].n) > 0, "the killed restore had begun writing");

      const refused = await restore(["--from", bigDump, "--to", target, "--work-dir", work]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /is not empty/);

      const staged = () =>
        readdirSync(work).filter((n) => {
          const m = /^recovery-restore-(\d+)-/.exec(n);
          return m !== null && !isRunning(Number(m[1]));
        });
      assert.ok(staged().length >= 1, "the killed restore could not clean up its staged dump");
      const r = await restore(["--from", bigDump, "--to", target, "--force", "--jobs", "2", "--work-dir", work]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(staged(), [], "the next restore removed the dead run's staged dump");
      const out = r.json as unknown as RestoreJson;
      assert.deepEqual(out.rowCounts.map((c) => [c.table, c.actual, c.ok]), [
        ["public.events", 800000, true],
        ["public.samples", 400000, true],
      ]);
      const idx = await query<{ n: string }>(target, "SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'events_kind_idx'");
      assert.equal(idx[0].n, "1");
      rmSync(work, { recursive: true, force: true });
    });
  });
});
