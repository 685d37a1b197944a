import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, RDSClient } from "@aws-sdk/client-rds";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { automationEngine } from "../../drill/automation-engine";
import { awsBackupReader, backupChecks, isolationCheck, loadDrillStack, missingPrerequisites, sdkCredentials } from "../../drill/preflight";
import type { RecoveryConfig } from "../../stacks";
import { startMoto, type LocalAws } from "../support/moto";
import { manifestKeyFor, type DumpManifest } from "../../workers/dump-manifest";

describe("drill preflight", () => {
  let aws: LocalAws | undefined;
  let config: RecoveryConfig;

  before(async function () {
    this.timeout(60_000);
    aws = await startMoto();
    config = loadDrillStack("drill", {});
    const rds = new RDSClient({});
    // production's databases as moto knows them: continuous backups, and one manual snapshot
    for (const db of config.databases.filter((d) => d.method !== "logical"))
      await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: db.source.identifier, Engine: "postgres", DBInstanceClass: "db.t4g.medium", AllocatedStorage: 20, MasterUsername: "lomash_admin", MasterUserPassword: "not-a-real-password", BackupRetentionPeriod: 7 }));
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "lomash-orders-prod", DBSnapshotIdentifier: "lomash-orders-prod-manual-1" }));
    const s3 = new S3Client({});
    const analytics = config.databases.find((d) => d.method === "logical")!;
    await s3.send(new CreateBucketCommand({ Bucket: analytics.source.dumps.bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-2" } }));
    const dumpKey = `${analytics.source.dumps.prefix}lomash_analytics_latest.dump`;
    await s3.send(new PutObjectCommand({ Bucket: analytics.source.dumps.bucket, Key: dumpKey, Body: "PGDMP" }));
    // The manifest `npm run backup` writes last: only a dump with one counts as a backup.
    const manifest: DumpManifest = {
      kind: "recovery-stacks/pg-dump",
      formatVersion: 1,
      dump: { bucket: analytics.source.dumps.bucket, key: dumpKey, sizeBytes: 5, sha256: "0".repeat(64), format: "custom", compression: "none" },
      createdAt: new Date().toISOString(),
      source: { database: "lomash_analytics", host: "prod", port: 5432, postgresVersion: "15.7", serverVersionNum: 150007, systemIdentifier: null, serverTime: new Date(Date.now() - 5 * 60_000).toISOString() },
      pgDumpVersion: "15.7",
      tables: [],
    };
    await s3.send(new PutObjectCommand({ Bucket: analytics.source.dumps.bucket, Key: manifestKeyFor(dumpKey), Body: JSON.stringify(manifest) }));
  });

  after(async () => {
    await aws?.stop();
  });

  it("finds every source backup fresh through the AWS SDK (latest restorable time, newest dump)", async () => {
    const checks = await backupChecks(config, awsBackupReader(), new Date());
    assert.deepEqual(checks.map((c) => [c.name, c.result]), config.databases.map((d) => [`backup:${d.name}`, "pass"]));
    // Dated by the snapshot the dump was taken in (5 minutes ago), not by the upload.
    assert.match(checks.find((c) => c.name === "backup:analytics")!.detail, /^dump s3:\/\/lomash-wood-backups\/pg-logical\/lomash_analytics\/lomash_analytics_latest\.dump: \S+, 5 min old \(RPO 15 min\)$/);
    assert.match(checks[0].detail, /^latest restorable time of lomash-identity-prod: .* min old \(RPO 15 min\)$/);
  });

  it("reads the newest snapshot for a snapshot restore", async () => {
    const orders = config.databases.find((d) => d.name === "orders")!;
    const found = await awsBackupReader().newest({ ...orders, method: "snapshot", snapshot: "latest" });
    assert.ok(found.at instanceof Date);
    assert.match(found.what, /^snapshot /);
  });

  it("a backup older than the RPO fails the check, or warns with allowStale", async () => {
    const later = new Date(Date.now() + 60 * 60_000);
    const strict = await backupChecks(config, awsBackupReader(), later);
    assert.ok(strict.every((c) => c.result === "fail"));
    assert.match(strict[0].detail, /older than the RPO; fix the backups, or pass --allow-stale-backups to drill anyway$/);
    const allowed = await backupChecks(config, awsBackupReader(), later, true);
    assert.ok(allowed.every((c) => c.result === "warn"));
  });

  it("a source database that does not exist fails with its identifier and the AWS error", async () => {
    const orders = config.databases.find((d) => d.name === "orders")!;
    const ghost = { ...config, databases: [{ ...orders, source: { ...orders.source, identifier: "lomash-ghost-prod" } }] };
    const [check] = await backupChecks(ghost, awsBackupReader(), new Date());
    assert.equal(check.result, "fail");
    assert.equal(check.detail, "could not read the point-in-time backups of lomash-ghost-prod (DBInstanceNotFoundFault: DBInstance lomash-ghost-prod not found.)");
  });

  it("a drill stack's names are isolated from production's", () => {
    assert.equal(isolationCheck(config).result, "pass");
    const leaky = { ...config, targetNames: [...config.targetNames, "lomash-wood-media-prod"] };
    assert.deepEqual(isolationCheck(leaky), { name: "isolation", result: "fail", detail: "these names are production's: lomash-wood-media-prod; give the drill its own suffix/namespace" });
  });

  it("without the Pulumi CLI the real engine says so in one clear message", async () => {
    const engine = automationEngine({ stack: "drill", workDir: process.cwd() });
    const [problem] = await engine.prerequisites();
    assert.match(problem, /^the Pulumi CLI is not installed \(spawn pulumi ENOENT\): install it .*use --engine fake$/);
    await assert.rejects(engine.up({ onEvent: () => undefined }), (e: Error) => e.message === problem);
  });
});

describe("the real engine's prerequisites", () => {
  it("with the CLI but no backend credentials, says how to log in", async () => {
    // a stand-in `pulumi` on PATH: `version` answers, `whoami` fails as it does when logged out
    const bin = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
    writeFileSync(join(bin, "pulumi"), '#!/bin/sh\nif [ "$1" = version ]; then echo v3.248.0; exit 0; fi\necho "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions" >&2; exit 255\n', { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const problems = await automationEngine({ stack: "drill", workDir: process.cwd() }).prerequisites();
      assert.deepEqual(problems, [
        "Pulumi has no credentials for a backend: set PULUMI_ACCESS_TOKEN (Pulumi Cloud) or PULUMI_BACKEND_URL (e.g. s3://state-bucket), or run `pulumi login` once",
      ]);
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe("drill preflight without AWS credentials", () => {
  it("says which credentials are missing and how to provide them", async () => {
    const config = loadDrillStack("drill", {});
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
    const checks = await backupChecks(config, { newest: async () => Promise.reject(noCredentials) }, new Date());
    assert.equal(checks[0].result, "fail");
    assert.equal(checks[0].detail, "could not read the point-in-time backups of lomash-identity-prod (no AWS credentials: export AWS_PROFILE (or run in CI with OIDC) for an account that can read the backups)");
  });
});

describe("a real drill's prerequisites, all checked at once", () => {
  const CLI_MISSING = "the Pulumi CLI is not installed (spawn pulumi ENOENT): install it and put it on PATH";
  const noCredentials = () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));

  it("reports a missing CLI, missing AWS credentials, an unwritable reports folder and a missing baseline together, tools first", async () => {
    const problems = await missingPrerequisites({
      engine: { prerequisites: async () => [CLI_MISSING] },
      awsCredentials: noCredentials,
      reportsDir: "/proc/version/reports",
      baseline: { path: "/nonexistent/drill.json", stack: "drill" },
    });
    assert.deepEqual(problems.map((p) => p.split(":")[0]), [CLI_MISSING.split(":")[0], "no AWS credentials", "--reports-dir /proc/version/reports", "--baseline /nonexistent/drill.json"]);
    assert.equal(problems[1], "no AWS credentials: export AWS_PROFILE (or run in CI with OIDC) for an account that can read the backups and create the drill stack");
    assert.match(problems[2], /^--reports-dir \/proc\/version\/reports: cannot write there \(\w+\); give a writable folder$/);
    assert.equal(problems[3], "--baseline /nonexistent/drill.json: not found; capture the source's state first: npm run verify -- --stack drill --capture-baseline");
  });

  it("a missing baseline does not hide a missing Pulumi CLI", async () => {
    const problems = await missingPrerequisites({ engine: { prerequisites: async () => [CLI_MISSING] }, baseline: { path: "/nonexistent/drill.json", stack: "drill" } });
    assert.deepEqual(problems, [CLI_MISSING, "--baseline /nonexistent/drill.json: not found; capture the source's state first: npm run verify -- --stack drill --capture-baseline"]);
  });

  it("is empty when everything is there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "prereq-"));
    try {
      writeFileSync(join(dir, "drill.json"), "{}");
      const problems = await missingPrerequisites({ engine: { prerequisites: async () => [] }, awsCredentials: async () => ({ accessKeyId: "x" }), reportsDir: dir, baseline: { path: join(dir, "drill.json"), stack: "drill" } });
      assert.deepEqual(problems, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads AWS credentials through the SDK's default chain (moto's test keys count)", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = "testing";
    process.env.AWS_SECRET_ACCESS_KEY = "testing";
    try {
      assert.deepEqual(await missingPrerequisites({ awsCredentials: sdkCredentials }), []);
    } finally {
      for (const [k, v] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});
