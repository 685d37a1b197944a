import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateDBInstanceCommand, RDSClient } from "@aws-sdk/client-rds";
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Client } from "pg";
import { fakeEngine, realClock } from "../../drill/fake-engine";
import { readHistory } from "../../drill/history";
import { awsBackupReader, loadDrillStack } from "../../drill/preflight";
import { runDrill, type DrillOutcome } from "../../drill/run";
import type { VerificationCheck, Verifier } from "../../drill/verifier";
import type { RecoveryConfig } from "../../stacks";
import { localRealiser, listKeys, restoredDatabaseName } from "../support/drill-realiser";
import { startMoto, type LocalAws } from "../support/moto";
import { createDatabase, startPostgres, type LocalPostgres } from "../support/postgres";
import { removeReportsDirs, tempReportsDir, xmlProblem } from "./helpers";

const ROWS = 500;
const OBJECTS = 12;

/** Checks the restored systems themselves: rows and totals in every database, every object in every bucket. */
function realVerifier(s3: S3Client, source: { rows: number; total: string }): Verifier {
  return async (outputs, config) => {
    const steps = outputs.steps as Record<string, { url?: string }>;
    const checks: VerificationCheck[] = [];
    for (const db of config.databases) {
      const t0 = Date.now();
      const client = new Client({ connectionString: steps[`database:${db.name}`]?.url });
      try {
        await client.connect();
        const { rows } = await client.query<{ n: number; total: string }>("SELECT count(*)::int AS n, sum(total)::text AS total FROM orders");
        const ok = rows[0].n === source.rows && rows[0].total === source.total;
        checks.push({ name: "rows", target: `database:${db.name}`, result: ok ? "pass" : "fail", ms: Date.now() - t0, detail: `${rows[0].n} orders, total ${rows[0].total} (source ${source.rows}, ${source.total})` });
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    for (const b of config.buckets) {
      const t0 = Date.now();
      const [replica, restored] = await Promise.all([listKeys(s3, b.source.replica.bucket), listKeys(s3, b.bucket)]);
      const same = JSON.stringify(replica) === JSON.stringify(restored);
      checks.push({ name: "objects", target: `bucket:${b.name}`, result: same ? "pass" : "fail", ms: Date.now() - t0, detail: `${restored.length} of ${replica.length} replica objects, ETags ${same ? "equal" : "differ"}` });
    }
    return { passed: checks.every((c) => c.result === "pass"), checks };
  };
}

describe("an end-to-end drill: the fake engine's up does the data work for real", function () {
  this.timeout(120_000);
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  let config: RecoveryConfig;
  let s3: S3Client;
  let source: { rows: number; total: string; newest: Date };
  let outcome: DrillOutcome;
  let reportsDir: string;

  before(async function () {
    this.timeout(120_000);
    pg = await startPostgres();
    aws = await startMoto();
    s3 = new S3Client({});
    config = loadDrillStack("drill", {});

    // Production's data: orders up to 7 minutes before now, dumped (pg_dump -Fc) with a checksum.
    const url = createDatabase(pg, "lomash_orders_source");
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query("CREATE TABLE orders (id serial PRIMARY KEY, created_at timestamptz NOT NULL, total numeric(10,2) NOT NULL)");
    await client.query(`INSERT INTO orders (created_at, total) SELECT now() - interval '7 minutes' - i * interval '1 second', (i % 97) + 0.99 FROM generate_series(1, ${ROWS}) i`);
    const { rows } = await client.query<{ n: number; total: string; newest: Date }>("SELECT count(*)::int AS n, sum(total)::text AS total, max(created_at) AS newest FROM orders");
    await client.end();
    source = { rows: rows[0].n, total: rows[0].total, newest: rows[0].newest };
    const dir = mkdtempSync(join(tmpdir(), "drill-source-"));
    const dumpFile = join(dir, "orders.dump");
    const dump = spawnSync(join(pg.binDir, "pg_dump"), ["-h", pg.host, "-p", String(pg.port), "-U", "postgres", "-Fc", "-f", dumpFile, "lomash_orders_source"]);
    assert.equal(dump.status, 0, dump.stderr?.toString());
    const bytes = readFileSync(dumpFile);
    rmSync(dir, { recursive: true, force: true });

    // The backups as production keeps them: every database's nightly dump (the same data here), continuous RDS backups.
    const backupBuckets = [...new Set(config.databases.map((d) => d.source.dumps.bucket))];
    for (const bucket of backupBuckets) await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-2" } }));
    for (const db of config.databases) {
      const key = `${db.source.dumps.prefix}${db.source.dbName}_20260115.dump`;
      await s3.send(new PutObjectCommand({ Bucket: db.source.dumps.bucket, Key: key, Body: bytes }));
      await s3.send(new PutObjectCommand({ Bucket: db.source.dumps.bucket, Key: `${key}.sha256`, Body: `${createHash("sha256").update(bytes).digest("hex")}  ${key}\n` }));
    }
    const rds = new RDSClient({});
    for (const db of config.databases.filter((d) => d.method === "point-in-time"))
      await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: db.source.identifier, Engine: "postgres", DBInstanceClass: "db.t4g.medium", AllocatedStorage: 20, MasterUsername: "lomash_admin", MasterUserPassword: "not-a-real-password", BackupRetentionPeriod: 7 }));
    // The replica buckets the drill's buckets are rebuilt from.
    for (const b of config.buckets) {
      const replicaRegion = new S3Client({ region: b.source.replica.region });
      await replicaRegion.send(new CreateBucketCommand({ Bucket: b.source.replica.bucket, CreateBucketConfiguration: { LocationConstraint: b.source.replica.region as "eu-west-1" } }));
      for (let i = 0; i < OBJECTS; i++)
        await replicaRegion.send(new PutObjectCommand({ Bucket: b.source.replica.bucket, Key: `products/${i}/hero.jpg`, Body: `image ${b.name} ${i}` }));
    }

    reportsDir = tempReportsDir();
    outcome = await runDrill({
      stack: "drill",
      reportsDir,
      clock: realClock,
      // 1 plan minute = 5 ms of waiting: the measured times are the real restores and copies.
      engine: (c, plan) => fakeEngine({ config: c, plan, clock: realClock, minuteMs: 5, realiser: localRealiser(pg!, s3) }),
      verifier: realVerifier(s3, source),
      backups: awsBackupReader(),
    });
    if (process.env.DRILL_REPORT_EXCERPT) copyFileSync(join(outcome.reportDir, "report.md"), process.env.DRILL_REPORT_EXCERPT);
  });

  after(async () => {
    removeReportsDirs();
    pg?.stop();
    await aws?.stop();
  });

  it("passes: preflight read the backups in moto, up restored for real, verification passed, destroy removed it all", () => {
    assert.deepEqual(outcome.report.phases.map((p) => [p.name, p.status]), [["preflight", "passed"], ["up", "passed"], ["verify", "passed"], ["destroy", "passed"]], outcome.report.errors.join("\n"));
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(outcome.report.preflight.filter((c) => c.name.startsWith("backup:")).map((c) => c.result), config.databases.map(() => "pass"));
  });

  it("verification checked every restored database and bucket against its source", () => {
    assert.deepEqual(outcome.report.verification?.checks.map((c) => [c.target, c.result]), [
      ...config.databases.map((d) => [`database:${d.name}`, "pass"]),
      ...config.buckets.map((b) => [`bucket:${b.name}`, "pass"]),
    ]);
    assert.equal(outcome.report.verification?.checks[0].detail, `${ROWS} orders, total ${source.total} (source ${ROWS}, ${source.total})`);
  });

  it("the achieved RPO is the drill's start minus the newest restored row, about 7 minutes", () => {
    const { rpo, startedAt } = outcome.report;
    for (const d of rpo.databases) assert.equal(d.restorePoint, source.newest.toISOString(), d.name);
    const expected = (Date.parse(startedAt) - source.newest.getTime()) / 60_000;
    assert.ok(Math.abs(rpo.achievedMinutes! - expected) < 0.01, `${rpo.achievedMinutes} vs ${expected}`);
    assert.ok(rpo.achievedMinutes! > 7 && rpo.achievedMinutes! < 9);
    assert.equal(rpo.verdict, "within-objective");
  });

  it("the measured RTO and step times come from the real work, every step timed", () => {
    const { rto, steps, phases } = outcome.report;
    assert.ok(rto.measuredMinutes! > 0);
    const upAndVerify = (phases[1].seconds! + phases[2].seconds!) / 60;
    assert.ok(Math.abs(rto.measuredMinutes! - upAndVerify) < 0.01, `${rto.measuredMinutes} vs ${upAndVerify}`);
    assert.ok(steps.every((s) => s.status === "done" && s.resources === 2));
    for (const s of steps.filter((x) => x.kind === "database")) assert.ok(s.measured!.minutes! > 0, s.id);
  });

  it("leaves nothing behind: no drill database in PostgreSQL, no drill bucket in S3", async () => {
    const client = new Client({ connectionString: pg!.url() });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname = ANY($1)", [config.databases.map((d) => restoredDatabaseName(d.identifier))]);
    await client.end();
    assert.deepEqual(rows, []);
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    const names = Buckets.map((b) => b.Name);
    for (const b of config.buckets) assert.ok(!names.includes(b.bucket), b.bucket);
    assert.equal(outcome.report.destroy.status, "destroyed");
    assert.deepEqual(outcome.report.destroy.leftovers, []);
  });

  it("writes report.md, report.json, a well-formed timeline.svg and the history line", () => {
    for (const f of ["report.md", "report.json", "timeline.svg"]) assert.ok(existsSync(join(outcome.reportDir, f)), f);
    assert.equal(xmlProblem(readFileSync(join(outcome.reportDir, "timeline.svg"), "utf8")), undefined);
    const [line] = readHistory(reportsDir);
    assert.equal(line.outcome, "passed");
    assert.equal(line.rpoMinutes, outcome.report.rpo.achievedMinutes);
    assert.equal(line.checks, `${config.databases.length + config.buckets.length}/${config.databases.length + config.buckets.length}`);
  });
});
