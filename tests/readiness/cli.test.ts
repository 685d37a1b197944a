import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { CreateReplicationGroupCommand, CreateSnapshotCommand, DescribeReplicationGroupsCommand, DescribeSnapshotsCommand } from "@aws-sdk/client-elasticache";
import {
  CreateDBSnapshotCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
} from "@aws-sdk/client-rds";
import { ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, DeleteSecretCommand, ListSecretsCommand } from "@aws-sdk/client-secrets-manager";
import { parse } from "yaml";
import { loadStack } from "../../stacks";
import { versionSnapshot } from "../support/bucket-state";
import { freePort } from "../support/free-port";
import { runScript } from "../support/run-script";
import { bothCacheKindsStackFiles } from "../support/cache-kinds";
import { buildFleet, createBucket, createDatabase, elastiCache, rds, secrets, stackFrom, useMotoFleet } from "../support/fleet";
import { startRequestLog, type RequestLog } from "./request-log";

/** Everything readiness could change, read straight from moto: compared before and after a run. */
async function accountState(): Promise<Record<string, unknown>> {
  const { Buckets = [] } = await new S3Client({ region: "eu-west-2" }).send(new ListBucketsCommand({}));
  const buckets: Record<string, string[]> = {};
  // S3 (and moto) writes an access log into production's log buckets for every request to a
  // logged bucket, reads included: those objects are S3's doing, so only the log buckets' existence counts.
  const logBuckets = new Set(loadStack("recovery").buckets.flatMap((b) => (b.source.logging ? [b.source.logging.targetBucket] : [])));
  for (const b of Buckets)
    buckets[b.Name!] = logBuckets.has(b.Name!) ? ["(access logs, written by S3)"] : await versionSnapshot(new S3Client({ region: "eu-west-2", followRegionRedirects: true }), b.Name!);
  const { SecretList = [] } = await secrets().send(new ListSecretsCommand({ IncludePlannedDeletion: true }));
  const { DBInstances = [] } = await rds().send(new DescribeDBInstancesCommand({}));
  const { DBSnapshots = [] } = await rds().send(new DescribeDBSnapshotsCommand({}));
  const { DBInstanceAutomatedBackups = [] } = await rds().send(new DescribeDBInstanceAutomatedBackupsCommand({}));
  const { ReplicationGroups = [] } = await elastiCache().send(new DescribeReplicationGroupsCommand({}));
  const { Snapshots = [] } = await elastiCache().send(new DescribeSnapshotsCommand({}));
  return {
    buckets,
    secrets: SecretList.map((s) => [s.Name, s.SecretVersionsToStages, s.DeletedDate?.toISOString(), s.Tags]),
    // LatestRestorableTime moves by itself; everything a write could change stays.
    instances: DBInstances.map((d) => [d.DBInstanceIdentifier, d.DBInstanceStatus, d.BackupRetentionPeriod, d.DbiResourceId, d.TagList]),
    snapshots: DBSnapshots.map((s) => [s.DBSnapshotIdentifier, s.Status, s.SnapshotCreateTime?.toISOString()]),
    automatedBackups: DBInstanceAutomatedBackups.map((b) => [b.DBInstanceIdentifier, b.Status]),
    groups: ReplicationGroups.map((g) => [g.ReplicationGroupId, g.Status, g.SnapshotRetentionLimit]),
    cacheSnapshots: Snapshots.map((s) => [s.SnapshotName, s.SnapshotStatus]),
  };
}

/** The only requests a read-only command may make: Describe/List/Get/Head, never a secret's value. */
const READ_ONLY: Record<string, RegExp> = {
  rds: /^Describe[A-Za-z]+$/,
  elasticache: /^(Describe|List)[A-Za-z]+$/,
  secretsmanager: /^(DescribeSecret|ListSecrets|ListSecretVersionIds)$/,
  s3: /^(GET|HEAD)( |$)/,
};
const isReadOnly = (request: string): boolean => {
  const [service, ...rest] = request.split(" ");
  return READ_ONLY[service]?.test(rest.join(" ")) ?? false;
};

describe("npm run readiness", function () {
  this.timeout(180_000);
  const fleet = useMotoFleet();
  let log: RequestLog | undefined;
  const recovery = loadStack("recovery");

  before(async () => {
    log = await startRequestLog(fleet.aws.endpoint);
  });
  after(async () => {
    await log?.stop();
  });
  beforeEach(() => {
    log!.requests.length = 0;
  });

  /** The example fleet in moto, and stack files that describe it (dbiResourceId as moto assigned it). */
  const build = async (): Promise<void> => {
    await fleet.build(recovery);
  };
  /** With a fleet built, the CLI reads its stack files (--config-root). */
  const run = (args: string[], endpoint = fleet.aws.endpoint) => {
    const root = fleet.stack?.root;
    return runScript("readiness", root !== undefined && args.includes("--stack") ? [...args, "--config-root", root] : args, { env: { ...fleet.aws.env, AWS_ENDPOINT_URL: endpoint } });
  };

  it("prints --help and exits 0", async () => {
    const r = await run(["--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: npm run readiness -- --stack <name> \[--json \| --markdown \| --suggest\] \[options\]/);
  });

  for (const [args, message] of [
    [["--stack", "recovery", "--jsn"], "--jsn: unknown option; did you mean --json? (see --help)"],
    [[], "--stack: required; name the restore stack, e.g. --stack recovery"],
    [["--stack", "recovery", "--json", "--markdown"], "--json and --markdown: choose one output"],
    [["--stack", "recovery", "--timeout", "0"], "--timeout 0: not a duration; use e.g. 30s, 500ms or 2m"],
    [["--stack", "recovery", "--sample", "1.5"], '--sample: "1.5" is not a whole number from 0 to 10000'],
    [["--stack", "prod"], "Pulumi.prod.yaml: prod is the source inventory, not something to restore; use a restore stack: --stack drill, --stack recovery"],
  ] as const) {
    it(`refuses ${args.join(" ") || "no arguments"} with exit 2 and one line`, async () => {
      const r = await run([...args]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.split("\n").filter((l) => l && !/NodeVersionSupport|node >=22|upgrade to node|a\.co|trace-warnings|versions published|receiving updates|security updates|^$/.test(l)).join("\n"), message);
    });
  }

  it("exits 0 and prints the --json object for a ready fleet", async () => {
    await build();
    const r = await run(["--stack", "recovery", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const json = r.json!;
    assert.equal(json.stack, "recovery");
    assert.equal(json.ready, true);
    assert.deepEqual(json.uncovered, []);
    const items = json.items as Record<string, unknown>[];
    assert.equal(items.length, 12);
    assert.deepEqual(Object.keys(items[0]).sort(), [
      "achievableRpoMinutes", "checked", "id", "kind", "name", "notes", "objective", "problems", "restorePoint", "restoredFrom", "status",
    ]);
  });

  it("exits 1 with the item and its fix in the table when something would not restore", async () => {
    await build();
    await secrets().send(new DeleteSecretCommand({ SecretId: "lomash-wood/production/sendgrid-api-key", ForceDeleteWithoutRecovery: true }));
    const r = await run(["--stack", "recovery"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^readiness of recovery \(restores prod, eu-west-2\) at \S+: NOT READY: 7 ok, 4 warn, 1 fail, 0 uncovered\n/);
    assert.match(r.stdout, /\nsecret:sendgrid +lomash-wood\/production\/sendgrid-api-key \(stage AWSCURRENT\) +— \/ 15 min \(stack\) +fail\n/);
    assert.match(r.stdout, /\n {2}secret:sendgrid \(fail\)\n {4}- secret lomash-wood\/production\/sendgrid-api-key does not exist; recreate it from its owner's copy \(the restore has no version to read\)\n/);
  });

  it("prints a Markdown report with --markdown", async () => {
    await build();
    await createDatabase("lomash-search-prod");
    const r = await run(["--stack", "recovery", "--markdown"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^### Readiness of `recovery`: ❌ NOT READY: 8 ok, 4 warn, 0 fail, 1 uncovered\n/);
    assert.match(r.stdout, /\n\| `bucket:media` \| replica s3:\/\/lomash-wood-media-prod-replica \(eu-west-1\) \| 0 min \/ 15 min \(stack\) \| ok \| — \|\n/);
    assert.match(r.stdout, /\n- database `lomash-search-prod` \(eu-west-2\)\n?$/);
  });

  it("prints inventory YAML for each uncovered resource with --suggest, filled from the account", async () => {
    await build();
    await createDatabase("lomash-search-prod");
    await createBucket("lomash-wood-exports-prod", "eu-west-2", false);
    await elastiCache().send(new CreateReplicationGroupCommand({ ReplicationGroupId: "lomash-wood-queue-prod", ReplicationGroupDescription: "queue", CacheNodeType: "cache.t4g.small", NumCacheClusters: 1, Engine: "redis", SnapshotRetentionLimit: 3, CacheParameterGroupName: "lomash-wood-queue-redis7" }));
    // moto's group has no node to ask; its snapshot records the parameter group.
    await elastiCache().send(new CreateSnapshotCommand({ ReplicationGroupId: "lomash-wood-queue-prod", SnapshotName: "lomash-wood-queue-prod-nightly" }));
    await secrets().send(new CreateSecretCommand({ Name: "lomash-wood/production/algolia-key", SecretString: "x" }));
    const r = await run(["--stack", "recovery", "--suggest"]);
    assert.equal(r.code, 1);
    const config = parse(r.stdout) as Record<string, Record<string, unknown>[]>;
    const { DBInstances } = await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "lomash-search-prod" }));
    assert.deepEqual(config["recovery:databases"], [
      {
        name: "search",
        identifier: "lomash-search-prod",
        engine: "postgres",
        engineVersion: "15.7",
        instanceClass: "db.r6g.large",
        dbName: "lomash_search",
        username: "lomash_admin",
        port: 5432,
        subnetGroup: null,
        securityGroupIds: ["sg-0a1b2c3d4e5f60718"],
        multiAz: false,
        kmsKeyId: "arn:aws:kms:eu-west-2:123456789012:key/8c1d2f7e-1b0a-4a41-9d0e-6f1e2d3c4b5a",
        dbiResourceId: DBInstances![0].DbiResourceId,
        backupRetentionDays: 7,
        dumps: { bucket: null, prefix: null },
        logExports: [],
        iamAuth: false,
      },
    ]);
    assert.deepEqual(config["recovery:caches"], [
      { name: "queue", replicationGroupId: "lomash-wood-queue-prod", nodeType: "cache.t4g.small", numCacheClusters: 1, subnetGroup: null, securityGroupIds: null, snapshotRetentionDays: 3, parameterGroup: "lomash-wood-queue-redis7" },
    ]);
    assert.deepEqual(config["recovery:buckets"], [{ name: "exports", bucket: "lomash-wood-exports-prod", replica: { bucket: null, region: null } }]);
    assert.deepEqual(config["recovery:secrets"], [{ name: "algolia-key", secretId: "lomash-wood/production/algolia-key", kubernetesSecret: null, key: null }]);
  });

  it("writes nothing to the account: every request is a read, and every bucket, secret, instance and snapshot is unchanged", async () => {
    // Both cache kinds, so both are looked at: the in-cluster Redis's RDB and an ElastiCache group's snapshots.
    await buildFleet(stackFrom(bothCacheKindsStackFiles(), "recovery"));
    await fleet.files((files) => void bothCacheKindsStackFiles(files));
    await createDatabase("lomash-search-prod");
    await createBucket("lomash-wood-exports-prod", "eu-west-2", false);
    await rds().send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "lomash-orders-prod", DBSnapshotIdentifier: "lomash-orders-prod-manual" }));
    const before = await accountState();
    for (const args of [["--json"], ["--suggest"], ["--markdown"], []]) {
      const r = await run(["--stack", "recovery", ...args], log!.endpoint);
      assert.equal(r.code, 1, r.stderr);
    }
    const drill = await run(["--stack", "drill", "--json"], log!.endpoint);
    assert.equal(drill.code, 1, drill.stderr);
    assert.deepEqual(await accountState(), before);
    assert.deepEqual(log!.requests.filter((r) => !isReadOnly(r)), []);
    for (const seen of ["rds DescribeDBInstances", "elasticache DescribeSnapshots", "elasticache DescribeCacheClusters", "s3 GET ?list-type&prefix", "s3 GET ?versioning", "s3 GET ?replication", "s3 GET ?policy", "s3 GET ?cors", "s3 GET ?lifecycle", "s3 GET ?logging", "s3 GET ?ownershipControls", "s3 HEAD", "secretsmanager DescribeSecret", "secretsmanager ListSecrets"])
      assert.ok(log!.requests.includes(seen), `no ${seen} in ${[...new Set(log!.requests)].join(", ")}`);
  });

  it("the request log sees a write as one (so the read-only test can fail)", async () => {
    await build();
    const viaLog = { endpoint: log!.endpoint, region: "eu-west-2", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
    await new S3Client({ ...viaLog, forcePathStyle: true }).send(new PutObjectCommand({ Bucket: "lomash-wood-media-prod", Key: "x", Body: "x" }));
    await new (await import("@aws-sdk/client-rds")).RDSClient(viaLog).send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "lomash-orders-prod", DBSnapshotIdentifier: "w" }));
    await new (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient(viaLog).send(new CreateSecretCommand({ Name: "w", SecretString: "w" }));
    assert.deepEqual(log!.requests.filter((r) => !isReadOnly(r)), ["s3 PUT", "rds CreateDBSnapshot", "secretsmanager CreateSecret"]);
  });

  it("reports an endpoint that never answers as not checked after --timeout, and is not ready", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, "127.0.0.1", resolve));
    try {
      const r = await run(["--stack", "recovery", "--json", "--timeout", "1s"], `http://127.0.0.1:${port}`);
      assert.equal(r.code, 1);
      const json = r.json!;
      assert.equal(json.ready, false);
      const orders = (json.items as { name: string; checked: boolean; problems: string[] }[]).find((i) => i.name === "orders")!;
      assert.equal(orders.checked, false);
      assert.equal(orders.problems[0], "could not check: DescribeDBInstances did not answer within 1 s; run readiness again, or check by hand");
      assert.deepEqual(json.coverageProblems, [
        "could not list databases: DescribeDBInstances did not answer within 1 s; what the inventory misses there is unknown",
        "could not list caches: DescribeReplicationGroups did not answer within 1 s; what the inventory misses there is unknown",
        "could not list buckets: ListBuckets did not answer within 1 s; what the inventory misses there is unknown",
        "could not list secrets: ListSecrets did not answer within 1 s; what the inventory misses there is unknown",
      ]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("stays quiet when its reader closes the pipe", async () => {
    await build();
    const script = join(__dirname, "..", "..", "scripts", "readiness.ts");
    const child = spawn("sh", ["-c", `"${process.execPath}" --require tsx/cjs "${script}" --stack recovery --json | head -c 1`], {
      env: { ...process.env, ...fleet.aws.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.once("close", resolve));
    assert.equal(code, 0);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  });
});
