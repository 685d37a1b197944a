import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateDBInstanceCommand, CreateDBParameterGroupCommand, DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { Client } from "pg";
import { systemClock } from "../../drill/clock";
import { fakeEngine } from "../../drill/fake-engine";
import { readHistory } from "../../drill/history";
import { awsBackupReader, loadDrillStack } from "../../drill/preflight";
import { runDrill, type DrillOutcome } from "../../drill/run";
import { defaultVerifier } from "../../drill/verifier";
import { awsClients } from "../../readiness/aws";
import { readinessPreflight } from "../../readiness/preflight";
import type { RecoveryConfig } from "../../stacks";
import { captureBaseline, writeBaseline, type CheckGroup } from "../../verification";
import { backup } from "../../workers/backup";
import { parseManifest } from "../../workers/dump-manifest";
import { createS3Client } from "../../workers/s3-client";
import { restoredDatabaseName, workerRealiser } from "../support/drill-realiser";
import { startMoto, type LocalAws } from "../support/moto";
import { createDatabase, startPostgres, type LocalPostgres } from "../support/postgres";
import { seedShop } from "../support/seed-database";
import { removeReportsDirs, tempReportsDir, xmlProblem } from "./helpers";

const USERS = 100;
const OBJECTS = 12;

/**
 * What runs for real here: verification's `db` group (connect, tables, migrations, row counts
 * against the baseline, foreign keys, unique keys, sequences, freshness, and `private` through moto's
 * RDS API) and its `buckets` group (objects, sampled sha256 checksums, versioning and public
 * access block of each rebuilt bucket). The `secrets`, `services` and `smoke` groups are left out
 * with `only`: they need a Kubernetes cluster and the deployed services, which the fake engine has
 * not got (stub servers answering what the checks expect would prove nothing); verification's own
 * tests cover them against a secrets file and local HTTP servers.
 */
const GROUPS: readonly CheckGroup[] = ["db", "buckets"];
const DATABASE_CHECKS = ["connect", "tables", "migrations", "row-counts", "foreign-keys", "unique", "sequences", "freshness", "private", "configuration"].map((c) => `database.${c}`);
const BUCKET_CHECKS = ["bucket.objects", "bucket.checksums", "bucket.settings", "bucket.configuration"];

describe("an end-to-end drill: the fake engine's up runs the real workers, the real verifier checks the result", function () {
  this.timeout(120_000);
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  let config: RecoveryConfig;
  let s3: S3Client;
  /** Per database: the snapshot time of its dump, from the manifest the backup worker wrote. */
  const dumpTakenAt: Record<string, string> = {};
  let outcome: DrillOutcome;
  let reportsDir: string;
  let baselineDir: string;

  before(async function () {
    this.timeout(120_000);
    pg = await startPostgres();
    aws = await startMoto();
    s3 = new S3Client({});
    config = loadDrillStack("drill", {});

    // Production's databases, seeded (foreign keys, unique keys, sequences, timestamps), each backed
    // up by the real backup worker (`npm run backup -- --database … --to s3://<dumps>`).
    const backupBuckets = [...new Set(config.databases.map((d) => d.source.dumps.bucket))];
    for (const bucket of backupBuckets) await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-2" } }));
    const sourceUrls: Record<string, string> = {};
    const workerS3 = createS3Client();
    for (const db of config.databases) {
      sourceUrls[db.name] = createDatabase(pg, db.source.dbName);
      await seedShop(sourceUrls[db.name], USERS);
      const record = await backup(workerS3, {
        database: new URL(sourceUrls[db.name]),
        to: { bucket: db.source.dumps.bucket, key: db.source.dumps.prefix },
        format: "custom",
        gzip: false,
        jobs: 1,
        showProgress: false,
      });
      const manifestKey = record.manifest.replace(`s3://${db.source.dumps.bucket}/`, "");
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: db.source.dumps.bucket, Key: manifestKey }));
      dumpTakenAt[db.name] = parseManifest(await Body!.transformToString(), manifestKey).source.serverTime;
    }
    // Continuous RDS backups of the point-in-time databases (preflight reads their latest restorable time).
    const rds = new RDSClient({});
    // Production's parameter groups exist in the region (the inventory names them; the restores attach them).
    for (const group of new Set(config.databases.flatMap((d) => d.configuration.parameterGroup ?? [])))
      await rds.send(new CreateDBParameterGroupCommand({ DBParameterGroupName: group, DBParameterGroupFamily: "postgres15", Description: "production's settings" }));
    for (const db of config.databases.filter((d) => d.method === "point-in-time"))
      await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: db.source.identifier, Engine: "postgres", DBInstanceClass: "db.t4g.medium", AllocatedStorage: 20, MasterUsername: "lomash_admin", MasterUserPassword: "not-a-real-password", BackupRetentionPeriod: 7 }));
    // Production's buckets and the replicas the drill's buckets are rebuilt from.
    for (const b of config.buckets) {
      for (const [name, region] of [[b.source.bucket, config.region], [b.source.replica.bucket, b.source.replica.region]]) {
        const client = new S3Client({ region });
        await client.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }));
        for (let i = 0; i < OBJECTS; i++) await client.send(new PutObjectCommand({ Bucket: name, Key: `products/${i}/hero.jpg`, Body: `image ${b.name} ${i}` }));
      }
    }

    // The source baseline, captured before the drill as `npm run verify -- --capture-baseline` does.
    baselineDir = mkdtempSync(join(tmpdir(), "drill-baseline-"));
    const baselinePath = join(baselineDir, "drill.json");
    writeBaseline(baselinePath, await captureBaseline({ config, sourceUrls }));

    reportsDir = tempReportsDir();
    outcome = await runDrill({
      stack: "drill",
      reportsDir,
      clock: systemClock,
      // 1 plan minute = 5 ms of waiting: the measured times are the real restores and copies.
      engine: (c, plan) => fakeEngine({ config: c, plan, clock: systemClock, minuteMs: 5, realiser: workerRealiser(pg!) }),
      verifier: defaultVerifier(baselinePath, GROUPS),
      backups: awsBackupReader(),
      // The real readiness against moto, as `npm run drill` runs it in preflight.
      readiness: (c) => readinessPreflight(c, { aws: awsClients(10_000) }),
    });
    if (process.env.DRILL_REPORT_EXCERPT) copyFileSync(join(outcome.reportDir, "report.md"), process.env.DRILL_REPORT_EXCERPT);
  });

  after(async () => {
    removeReportsDirs();
    if (baselineDir) rmSync(baselineDir, { recursive: true, force: true });
    pg?.stop();
    await aws?.stop();
  });

  it("passes: preflight read the backups in moto, up restored for real, verification passed, destroy removed it all", () => {
    assert.deepEqual(outcome.report.phases.map((p) => [p.name, p.status]), [["preflight", "passed"], ["up", "passed"], ["verify", "passed"], ["destroy", "passed"]], outcome.report.errors.join("\n"));
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(outcome.report.preflight.filter((c) => c.name.startsWith("backup:")).map((c) => c.result), config.databases.map(() => "pass"));
  });

  it("ran readiness against moto in preflight and recorded what the drill assumed, without stopping it", () => {
    const { readiness, preflight } = outcome.report;
    // This moto account has no secrets and no cache, and its buckets neither version nor replicate: not ready.
    assert.equal(readiness.status, "not-ready");
    assert.equal(readiness.report?.stack, "drill");
    assert.equal(preflight.find((c) => c.name === "readiness")?.result, "warn");
    const items = readiness.report!.items;
    assert.deepEqual(items.map((i) => `${i.kind}:${i.name}`), [
      ...config.databases.map((d) => `database:${d.name}`),
      ...config.caches.map((c) => `cache:${c.name}`),
      ...config.buckets.map((b) => `bucket:${b.name}`),
      ...config.secrets.map((s) => `secret:${s.name}`),
    ]);
    for (const d of config.databases.filter((x) => x.method === "logical"))
      assert.equal(items.find((i) => i.name === d.name)!.restorePoint, dumpTakenAt[d.name], d.name);
    for (const d of config.databases.filter((x) => x.method === "point-in-time"))
      assert.equal(items.find((i) => i.name === d.name)!.restoredFrom, `latest restorable time of ${d.source.identifier}`);
    for (const s of config.secrets)
      assert.deepEqual(items.find((i) => i.kind === "secret" && i.name === s.name)!.problems, [`secret ${s.source.secretId} does not exist; recreate it from its owner's copy (the restore has no version to read)`]);
    assert.match(readFileSync(join(outcome.reportDir, "report.md"), "utf8"), /\n## What the drill assumed \(readiness\)\n\nReadiness of `drill`: \*\*NOT READY\*\*/);
  });

  it("verification (the real runVerification, db and buckets groups) checked every restored database and bucket against its source", () => {
    const checks = outcome.report.verification?.checks ?? [];
    assert.deepEqual(checks.filter((c) => c.result !== "pass"), []);
    const names = (target: string) => checks.filter((c) => c.target === target).map((c) => c.name).sort();
    for (const d of config.databases) assert.deepEqual(names(d.name), [...DATABASE_CHECKS].sort(), d.name);
    for (const b of config.buckets) assert.deepEqual(names(b.name), [...BUCKET_CHECKS].sort(), b.name);
    assert.equal(checks.length, config.databases.length * DATABASE_CHECKS.length + config.buckets.length * BUCKET_CHECKS.length);
    const rowCounts = checks.find((c) => c.name === "database.row-counts")!;
    assert.match(rowCounts.detail, /^3 tables within the RPO's tolerance of the baseline$/);
    const objects = checks.find((c) => c.name === "bucket.objects")!;
    assert.match(objects.detail, new RegExp(`${OBJECTS} objects.*replica ${OBJECTS},`));
  });

  it("the achieved RPO is the drill's start minus each dump's snapshot time (the restore points the restore worker reached)", () => {
    const { rpo, startedAt } = outcome.report;
    for (const d of rpo.databases) assert.equal(d.restorePoint, dumpTakenAt[d.name], d.name);
    const expected = Math.max(...Object.values(dumpTakenAt).map((t) => (Date.parse(startedAt) - Date.parse(t)) / 60_000));
    assert.ok(Math.abs(rpo.achievedMinutes! - expected) < 0.01, `${rpo.achievedMinutes} vs ${expected}`);
    assert.ok(rpo.achievedMinutes! >= 0 && rpo.achievedMinutes! < 5, String(rpo.achievedMinutes));
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

  it("leaves nothing behind: no drill database in PostgreSQL or RDS, no drill bucket in S3; the sources are untouched", async () => {
    const client = new Client({ connectionString: pg!.url() });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname", [
      [...config.databases.map((d) => restoredDatabaseName(d.identifier)), ...config.databases.map((d) => d.source.dbName)],
    ]);
    await client.end();
    assert.deepEqual(rows.map((r) => r.datname), config.databases.map((d) => d.source.dbName).sort());
    const { DBInstances = [] } = await new RDSClient({}).send(new DescribeDBInstancesCommand({}));
    const instances = DBInstances.map((i) => i.DBInstanceIdentifier);
    for (const d of config.databases) assert.ok(!instances.includes(d.identifier), d.identifier);
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    const names = Buckets.map((b) => b.Name);
    for (const b of config.buckets) {
      assert.ok(!names.includes(b.bucket), b.bucket);
      assert.ok(names.includes(b.source.replica.bucket), b.source.replica.bucket);
    }
    assert.equal(outcome.report.destroy.status, "destroyed");
    assert.deepEqual(outcome.report.destroy.leftovers, []);
  });

  it("writes report.md, report.json, a well-formed timeline.svg and the history line", () => {
    for (const f of ["report.md", "report.json", "timeline.svg"]) assert.ok(existsSync(join(outcome.reportDir, f)), f);
    assert.equal(xmlProblem(readFileSync(join(outcome.reportDir, "timeline.svg"), "utf8")), undefined);
    const [line] = readHistory(reportsDir);
    assert.equal(line.outcome, "passed");
    assert.equal(line.rpoMinutes, outcome.report.rpo.achievedMinutes);
    const n = outcome.report.verification!.checks.length;
    assert.equal(line.checks, `${n}/${n}`);
  });
});
