import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { runProgram, type ProgramRun, type RecordedResource } from "../../mocked-program/pulumi-mocks";
import { loadInventory, readStackConfig } from "../../stacks";
import { createBucket, fillBucket } from "../support/bucket-state";
import { freePort } from "../support/free-port";
import { startMoto, type LocalAws } from "../support/moto";
import { createDatabase, startPostgres, type LocalPostgres } from "../support/postgres";
import { startRedis } from "../support/redis";
import { runScript } from "../support/run-script";
import { query, seedShop } from "../support/seed-database";
import { CACHE_DIR, dockerfileArgs, ensureNodeImage, inventoryMajors, missingTools, podman, ROOT, type Result } from "./podman";

/**
 * The worker image, built from this repository's Dockerfile with podman, runs the restore and
 * sync Jobs' exact commands (as the program registers them under Pulumi's mocks) against a real
 * PostgreSQL and moto_server. `npm run test:image` runs this file alone; `npm test` runs it too.
 *
 * What stands in for what the cluster gives a pod: the Job's Secret-backed variables get the
 * test database's URL; IRSA's credentials and region are moto's fake keys and AWS_ENDPOINT_URL.
 */

const CA_PATH = "/etc/ssl/certs/rds-global-bundle.pem";
const LOCAL_TAG = "localhost/recovery-stacks:test";

interface Container {
  image: string;
  command: string[];
  env?: { name: string; value: string }[];
  envFrom?: { secretRef: { name: string } }[];
}

const containerOf = (job: RecordedResource): Container =>
  (job.inputs as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0];

/** The Job registered under a component of `componentType` (the first, in registration order). */
function jobUnder(run: ProgramRun, componentType: string): RecordedResource {
  const parents = new Set(run.resources.filter((r) => r.type === componentType).map((r) => r.urn));
  const job = run.resources.find((r) => r.type === "kubernetes:batch/v1:Job" && parents.has(r.parent));
  assert.ok(job, `no Job under a ${componentType}`);
  return job;
}

/** The init container of the StatefulSet under ClusterRedis (seed 004's Redis, seeded from an RDB). */
function initContainerOf(run: ProgramRun): Container {
  const parents = new Set(run.resources.filter((r) => r.type === "recovery:cache:ClusterRedis").map((r) => r.urn));
  const set = run.resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && parents.has(r.parent));
  assert.ok(set, "no StatefulSet under a ClusterRedis");
  return (set.inputs as { spec: { template: { spec: { initContainers: Container[] } } } }).spec.template.spec.initContainers[0];
}

/** Kubernetes' `$(VAR)` expansion in a container's command: defined names only, `$$` escapes. */
function expand(arg: string, env: Readonly<Record<string, string>>): string {
  return arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name?: string) =>
    m === "$$" ? "$" : name !== undefined && name in env ? env[name] : m,
  );
}

/** The test CA that stands in for Amazon's RDS bundle: made once, kept in the cache with the image layers. */
function testCa(): string {
  const cert = join(CACHE_DIR, "test-rds-ca.pem");
  if (!existsSync(cert)) {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=recovery-stacks test RDS CA",
      "-keyout", join(CACHE_DIR, "test-rds-ca.key"), "-out", cert,
    ], { stdio: "pipe" });
  }
  return readFileSync(cert, "utf8");
}

/** Serves the CA bundle the way truststore.pki.rds.amazonaws.com does, for the build's ADD. */
async function serve(body: string): Promise<{ url: string; server: Server }> {
  const port = await freePort();
  const server = createServer((_, res) => res.writeHead(200, { "content-type": "application/x-pem-file" }).end(body));
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}/global/global-bundle.pem`, server };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

describe("the worker image runs the restore and sync Jobs' commands (podman)", function () {
  this.timeout(40 * 60_000);
  let run: ProgramRun;
  let image = "";
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  let caServer: Server | undefined;
  let ca = "";

  before(async function () {
    const missing = await missingTools();
    if (missing !== undefined) {
      if (process.env.CI === "true") throw new Error(`the worker image test needs podman here: ${missing}`);
      console.log(`    skipped (not CI): ${missing}`);
      this.skip();
    }
    run = await runProgram("recovery");
    const log = (line: string) => console.log(`    image: ${line}`);
    const args = dockerfileArgs();
    const nodeVersion = /node:(\d+\.\d+\.\d+)-/.exec(args.NODE_IMAGE)?.[1];
    assert.ok(nodeVersion, `NODE_IMAGE ${args.NODE_IMAGE} names no Node version`);

    const started = Date.now();
    const nodeImage = await ensureNodeImage(nodeVersion, log);
    ca = testCa();
    const served = await serve(ca);
    caServer = served.server;
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    const buildStarted = Date.now();
    const build = await podman([
      "build", "--isolation", "chroot", "--network", "host", "--pull=never", "--target", "worker",
      "--build-arg", `NODE_IMAGE=${nodeImage}`,
      // Only bookworm's own PostgreSQL packages are reachable here (PGDG's are not).
      "--build-arg", "PG_APT=debian",
      "--build-arg", `RDS_CA_URL=${served.url}`,
      "--build-arg", `VERSION=${version}`,
      // The registry's TLS here is signed by a CA from the host's store (MACHINE-FACTS).
      "--secret", "id=npm-ca,src=/etc/ssl/certs/ca-certificates.crt",
      "-t", LOCAL_TAG, "-f", join(ROOT, "Dockerfile"), ROOT,
    ]);
    assert.equal(build.code, 0, `podman build failed:\n${build.stderr.slice(-6000)}`);
    // The Job names the image by its reference in config; here that reference is the local build.
    image = containerOf(jobUnder(run, "recovery:database:LogicalRestore")).image;
    assert.equal(image, readStackConfig("recovery", ROOT)["recovery:workerImage"]);
    const tag = await podman(["tag", LOCAL_TAG, image]);
    assert.equal(tag.code, 0, tag.stderr);
    const size = await podman(["image", "inspect", "--format", "{{.Size}}", image]);
    log(`bases ${seconds(buildStarted - started)}, build ${seconds(Date.now() - buildStarted)}, size ${(Number(size.stdout) / 1e6).toFixed(0)} MB`);

    pg = await startPostgres();
    aws = await startMoto();
  });

  after(async () => {
    pg?.stop();
    await aws?.stop();
    caServer?.close();
  });

  /** `podman run` of the image as the cluster would run the Job's container, on the host's network. */
  function runJob(container: Container, secretEnv: Record<string, string>): Promise<Result> {
    const env: Record<string, string> = { ...aws!.env, ...secretEnv };
    for (const e of container.env ?? []) env[e.name] = e.value;
    const flags = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    return podman(["run", "--rm", "--network", "host", "--pull=never", ...flags, container.image, ...container.command.map((a) => expand(a, env))]);
  }

  const inImage = (script: string) => podman(["run", "--rm", "--pull=never", image, "sh", "-c", script]);

  it("restores the newest dump with the LogicalRestore Job's command, every row there", async () => {
    const job = containerOf(jobUnder(run, "recovery:database:LogicalRestore"));
    const from = job.command[job.command.indexOf("--from") + 1];
    assert.match(from, /^s3:\/\/lomash-wood-backups\/pg-logical\/lomash_analytics\/?$/);
    // The nightly backup, as production's takes it, into the bucket and prefix the inventory names.
    const s3 = new S3Client({});
    await createBucket(s3, "lomash-wood-backups", true);
    const source = createDatabase(pg!, "lomash_analytics");
    await seedShop(source, 300);
    const backup = await runScript("backup", ["--database", source, "--to", from.replace(/\/$/, "")], { env: aws!.env });
    assert.equal(backup.code, 0, backup.stderr);

    // The Job reads the target from its Secret's keys: the same keys, pointing at the test database.
    const secretName = job.envFrom?.[0]?.secretRef.name;
    const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs as { metadata: { name: string } }).metadata.name === secretName);
    assert.ok(secret, `the Job's Secret ${String(secretName)} is registered`);
    const keys = Object.keys((secret.inputs as { stringData: Record<string, string> }).stringData);
    assert.deepEqual(keys, ["TARGET_DATABASE_URL"]);
    const target = pg!.url("lomash_analytics_restored");

    const r = await runJob(job, { TARGET_DATABASE_URL: target });
    assert.equal(r.code, 0, `restore Job failed:\n${r.stderr.slice(-4000)}`);
    const counts = async (url: string) =>
      query<{ users: string; orders: string; audit: string }>(
        url,
        "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM audit_log) AS audit",
      );
    assert.deepEqual(await counts(target), [{ users: "300", orders: "1500", audit: "600" }]);
    assert.deepEqual(await counts(target), await counts(source));
  });

  it("copies every object of the replica with the ReplicaBucketSync Job's command", async () => {
    const job = containerOf(jobUnder(run, "recovery:storage:ReplicaBucketSync"));
    const arg = (flag: string) => job.command[job.command.indexOf(flag) + 1].replace(/^s3:\/\//, "");
    const [replica, rebuilt] = [arg("--from"), arg("--to")];
    assert.deepEqual([replica, rebuilt], ["lomash-wood-media-prod-replica", "lomash-wood-media-prod-recovery"]);
    assert.deepEqual(job.env, [{ name: "SOURCE_REGION", value: "eu-west-1" }]);
    const s3 = new S3Client({});
    await createBucket(s3, replica, true);
    await fillBucket(s3, replica, 40, 1, 6 * 1024 * 1024);
    // What the component's aws.s3.Bucket and BucketVersioning create before the Job starts.
    await createBucket(s3, rebuilt, true);

    const r = await runJob(job, {});
    assert.equal(r.code, 0, `sync Job failed:\n${r.stderr.slice(-4000)}`);
    const listing = async (bucket: string) =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => `${o.Key} ${o.Size}`);
    const copied = await listing(rebuilt);
    assert.equal(copied.length, 41);
    assert.deepEqual(copied, await listing(replica));
    const body = async (bucket: string) =>
      Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "media/00007.bin" }))).Body!.transformToByteArray());
    assert.ok((await body(rebuilt)).equals(await body(replica)));
  });

  it("has redis-cli, redis-check-rdb and redis-server: backup:redis and verify call redis-cli, backup:redis counts keys with redis-server", async () => {
    const r = await inImage("for t in redis-cli redis-check-rdb redis-server; do command -v $t; done; redis-cli --version; redis-server --version");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\/usr\/bin\/redis-cli\n\/usr\/bin\/redis-check-rdb\n\/usr\/bin\/redis-server\nredis-cli 7\.0\.\d+\nRedis server v=7\.0\.\d+ /);
  });

  it("backs up a running Redis with backup:redis, and seeds a data dir with the ClusterRedis init container's command", async () => {
    const init = initContainerOf(run);
    const from = init.command[init.command.indexOf("--from") + 1];
    assert.equal(from, "s3://lomash-wood-backups/redis/");
    const s3 = new S3Client({});
    // The LogicalRestore test may have made the backups bucket already.
    await createBucket(s3, "lomash-wood-backups", true).catch((e: Error) => assert.match(e.name, /BucketAlready/));
    const source = await startRedis();
    const data = mkdtempSync(join(tmpdir(), "recovery-redis-data-"));
    try {
      for (let i = 0; i < 500; i++) source.cli(["SET", `session:${i}`, `user-${i}`]);
      source.cli(["HSET", "cart:7", "sku-1", "2"]);
      const envFlags = Object.entries(aws!.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
      const backup = await podman(["run", "--rm", "--network", "host", "--pull=never", ...envFlags, image, "npm", "run", "backup:redis", "--", "--redis", source.url, "--to", from]);
      assert.equal(backup.code, 0, `backup:redis in the image failed:\n${backup.stderr.slice(-4000)}`);
      // The pod's volume: the init container runs as the worker user (10001), Redis as 999.
      chmodSync(data, 0o777);
      const seeded = await podman(["run", "--rm", "--network", "host", "--pull=never", ...envFlags, "-v", `${data}:/data`, init.image, ...init.command]);
      assert.equal(seeded.code, 0, `the init container failed:\n${seeded.stderr.slice(-4000)}`);
      const restored = await startRedis({ dir: data });
      try {
        assert.equal(restored.cli(["DBSIZE"]).trim(), "501");
        assert.equal(restored.cli(["GET", "session:42"]).trim(), "user-42");
      } finally {
        await restored.stop();
      }
    } finally {
      await source.stop();
      rmSync(data, { recursive: true, force: true });
    }
  });

  it("runs as the non-root user 10001", async () => {
    assert.deepEqual(await inImage("id -u; id -un"), { code: 0, stdout: "10001\nrecovery\n", stderr: "" });
  });

  it("has Node.js 22 and npm", async () => {
    const r = await inImage("node --version; npm --version");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^v22\.\d+\.\d+\n10\.\d+\.\d+\n$/);
  });

  it("has the PostgreSQL client tools of every major the inventory runs, the newest first on PATH", async () => {
    const majors = inventoryMajors(loadInventory("prod", ROOT).databases);
    for (const m of majors) {
      const r = await inImage(`/usr/lib/postgresql/${m}/bin/pg_restore --version && /usr/lib/postgresql/${m}/bin/pg_dump --version`);
      assert.equal(r.code, 0, `PostgreSQL ${m}'s client is missing: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^pg_restore \\(PostgreSQL\\) ${m}\\.\\d+`));
    }
    const r = await inImage("pg_restore --version; command -v pg_restore");
    assert.match(r.stdout, new RegExp(`^pg_restore \\(PostgreSQL\\) ${Math.max(...majors)}\\.\\d+.*\n/usr/local/bin/pg_restore\n$`));
  });

  it(`installs the RDS CA bundle given to the build at ${CA_PATH}, readable by the worker`, async () => {
    const r = await inImage(`cat ${CA_PATH}; stat -c '%a %U' ${CA_PATH}`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${ca}644 root\n`);
  });

  it("holds production dependencies only (nothing the lockfile marks dev), and no trace of the build's CA", async () => {
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, p]) => p.dev === true && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path))
      .map(([path]) => path);
    for (const name of ["mocha", "eslint", "@types/mocha"]) assert.ok(devOnly.includes(`node_modules/${name}`), name);
    const r = await inImage(
      `for p in ${devOnly.join(" ")}; do test -e "$p" && echo "installed: $p"; done; ` +
        "for p in tsx pg zod @aws-sdk/client-s3; do test -e node_modules/$p || echo \"missing: $p\"; done; " +
        'echo "extra-ca=${NODE_EXTRA_CA_CERTS:-none}"; test -e /run/secrets/npm-ca && echo secret-left || echo no-secret',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), ["extra-ca=none", "no-secret"]);
  });
});
