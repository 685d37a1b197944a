import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { startPostgres, createDatabase, type LocalPostgres } from "../support/postgres";
import { startMoto, type LocalAws } from "../support/moto";
import { createBucket } from "../support/bucket-state";
import { runScript, type ScriptResult } from "../support/run-script";
import { query, seedShop } from "../support/seed-database";
import { makeCertificates, type TestCertificates } from "../support/tls";
import { start } from "../../workers/child-process";
import { connect, explainLibpqError, libpqInvocation, parseDatabaseUrl } from "../../workers/postgres-connection";

const FIXTURE_ROOT = join(__dirname, "..", "fixtures", "verify");
const PASSWORD = "Tq8vLm3zRw"; // never printed; trust auth ignores it, the masking does not

/**
 * A TLS-only PostgreSQL (hostssl lines alone, a CA and server certificate the test makes): every
 * half of the tool (node-pg in backup, restore and verify; libpq in pg_dump and pg_restore)
 * connects with the one URL form `sslmode=verify-full&sslrootcert=<CA>`, and refuses clearly.
 */
describe("backup, restore and verify against a TLS-only PostgreSQL with sslmode=verify-full", function () {
  this.timeout(120_000);
  let certs: TestCertificates | undefined;
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  let dir: string;

  const tlsUrl = (db: string, ca = certs!.caFile, host = "127.0.0.1") =>
    `postgresql://postgres:${PASSWORD}@${host}:${pg!.port}/${db}?sslmode=verify-full&sslrootcert=${ca}`;

  before(async function () {
    this.timeout(120_000);
    certs = makeCertificates();
    pg = await startPostgres({
      tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile },
      hba: ["hostssl all all 127.0.0.1/32 trust"],
    });
    aws = await startMoto();
    await createBucket(new S3Client({}), "tls-backups", true);
    createDatabase(pg, "shop");
    createDatabase(pg, "orders");
    await seedShop(tlsUrl("shop"), 40);
    dir = mkdtempSync(join(tmpdir(), "recovery-tls-test-"));
  });

  after(async () => {
    pg?.stop();
    await aws?.stop();
    certs?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function assertNoPassword(r: ScriptResult): void {
    for (let i = 0; i + 3 <= PASSWORD.length; i++) {
      const piece = PASSWORD.slice(i, i + 3);
      assert.ok(!r.stdout.includes(piece) && !r.stderr.includes(piece), `output shows "${piece}" of the password`);
    }
  }

  it("backs up and restores with verify-full and the private CA, both halves (node-pg and pg_dump/pg_restore) over TLS", async () => {
    const b = await runScript("backup", ["--database", tlsUrl("shop"), "--to", "s3://tls-backups/shop", "--json"], { env: aws!.env });
    assert.equal(b.code, 0, b.stderr);
    const r = await runScript("restore", ["--from", "s3://tls-backups/shop", "--latest", "--to", tlsUrl("shop_restored"), "--jobs", "2", "--json"], { env: aws!.env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((r.json?.rowCounts as { table: string; actual: number }[]).map((c) => [c.table, c.actual]), [
      ["public.audit_log", 80],
      ["public.orders", 200],
      ["public.users", 40],
    ]);
    const [{ ssl }] = await query<{ ssl: boolean }>(tlsUrl("shop_restored"), "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    assert.equal(ssl, true);
    assertNoPassword(b);
    assertNoPassword(r);
  });

  it("backs up with sslmode=require and no CA: encrypted in both halves, the certificate not checked (libpq's meaning)", async () => {
    const url = `postgresql://postgres:${PASSWORD}@127.0.0.1:${pg!.port}/shop?sslmode=require`;
    const b = await runScript("backup", ["--database", url, "--to", "s3://tls-backups/require", "--json"], { env: aws!.env });
    assert.equal(b.code, 0, b.stderr);
    assertNoPassword(b);
  });

  it("verify connects with verify-full: captures the baseline and passes database.connect", async () => {
    const baseline = join(dir, "baseline.json");
    const outputs = join(dir, "outputs.json");
    writeFileSync(outputs, JSON.stringify(outputsFor(tlsUrl("shop_restored"))));
    const common = ["--stack", "drill", "--config-root", FIXTURE_ROOT, "--baseline", baseline];
    const cap = await runScript("verify", [...common, "--only", "db", "--capture-baseline", "--source-url", `orders=${tlsUrl("shop")}`, "--source-url", `identity=${tlsUrl("shop")}`]);
    assert.equal(cap.code, 0, cap.stderr + cap.stdout);
    const run = await runScript("verify", [...common, "--outputs", outputs, "--only", "db", "--no-rds-api", "--json"]);
    const checks = (run.json?.checks ?? []) as { name: string; target: string; result: string; detail: string }[];
    assert.deepEqual(
      checks.filter((c) => c.name === "database.connect").map((c) => [c.target, c.result]),
      [
        ["orders", "pass"],
        ["identity", "pass"],
      ],
      run.stdout + run.stderr,
    );
    assertNoPassword(run);
  });

  it("verify fails database.connect when the CA does not match, naming the URL's sslrootcert", async () => {
    const outputs = join(dir, "outputs-other-ca.json");
    writeFileSync(outputs, JSON.stringify(outputsFor(tlsUrl("shop_restored", certs!.otherCaFile))));
    const run = await runScript("verify", ["--stack", "drill", "--config-root", FIXTURE_ROOT, "--baseline", join(dir, "baseline.json"), "--outputs", outputs, "--only", "db", "--no-rds-api", "--json"]);
    assert.equal(run.code, 1);
    const connect = ((run.json?.checks ?? []) as { name: string; result: string; detail: string }[]).find((c) => c.name === "database.connect");
    assert.equal(connect?.result, "fail");
    assert.match(connect?.detail ?? "", new RegExp(`not signed by a CA in sslrootcert=${certs!.otherCaFile.replace(/[.]/g, "\\.")}`));
    assertNoPassword(run);
  });

  it("refuses a backup whose sslrootcert did not sign the server's certificate (node-pg), naming the file", async () => {
    const r = await runScript("backup", ["--database", tlsUrl("shop", certs!.otherCaFile), "--to", "s3://tls-backups/x", "--json"], { env: aws!.env });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `refused: --database: cannot connect to postgresql://postgres:\\*\\*\\*\\*@127\\.0\\.0\\.1:\\d+/shop\\?sslmode=verify-full&sslrootcert=[^ ]+: ` +
          `the server's certificate was refused \\(unable to verify the first certificate\\): it is not signed by a CA in sslrootcert=${certs!.otherCaFile.replace(/[.]/g, "\\.")}; `,
      ),
    );
    assertNoPassword(r);
  });

  it("refuses the same mismatch in libpq (pg_dump) with the same words", async () => {
    const url = parseDatabaseUrl("--database", tlsUrl("shop", certs!.otherCaFile));
    const { dbnameArg, env } = libpqInvocation(url);
    const failure = await start("pg_dump", ["--schema-only", dbnameArg], { env }).done.then(
      () => assert.fail("pg_dump connected with the wrong CA"),
      (error: unknown) => explainLibpqError(error, url),
    );
    assert.match(failure.message, new RegExp(`^the server's certificate was refused \\(pg_dump exited with 1: .*certificate verify failed.*\\): it is not signed by a CA in sslrootcert=${certs!.otherCaFile.replace(/[.]/g, "\\.")}; `));
    assert.ok(!failure.message.includes(PASSWORD));
  });

  it("tells a plain connection to a TLS-only server to add sslmode (node-pg)", async () => {
    const plain = `postgresql://postgres:${PASSWORD}@127.0.0.1:${pg!.port}/shop`;
    const r = await runScript("backup", ["--database", plain, "--to", "s3://tls-backups/x"], { env: aws!.env });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /no pg_hba\.conf entry for host "127\.0\.0\.1", user "postgres", database "shop", no encryption: the server accepts only TLS connections \(.*rds\.force_ssl=1\); add \?sslmode=verify-full&sslrootcert=<CA bundle> to the URL/,
    );
    assertNoPassword(r);
  });

  it("tells the same to libpq's plain connection (sslmode=disable)", async () => {
    const url = parseDatabaseUrl("--database", `postgresql://postgres@127.0.0.1:${pg!.port}/shop`);
    const { dbnameArg, env } = libpqInvocation(url);
    const failure = await start("pg_dump", ["--schema-only", dbnameArg], { env }).done.then(
      () => assert.fail("pg_dump connected in plain text"),
      (error: unknown) => explainLibpqError(error, url),
    );
    assert.match(failure.message, /no encryption: the server accepts only TLS connections .*add \?sslmode=verify-full&sslrootcert=<CA bundle> to the URL/);
  });

  it("connects by host name when the certificate names it (localhost), and refuses a host it does not name", async () => {
    const byName = await connect(parseDatabaseUrl("--database", tlsUrl("shop", certs!.caFile, "localhost")));
    await byName.end();
    const other = makeCertificates("DNS:db.example.test");
    try {
      const wrongNameCa = await startPostgres({ tls: { certFile: other.serverCertFile, keyFile: other.serverKeyFile }, hba: ["hostssl all all 127.0.0.1/32 trust"] });
      try {
        const url = `postgresql://postgres@127.0.0.1:${wrongNameCa.port}/postgres?sslmode=verify-full&sslrootcert=${other.caFile}`;
        await assert.rejects(connect(parseDatabaseUrl("--database", url)), /^ConnectError: the server's certificate does not name 127\.0\.0\.1 \(.*\); connect by a name the certificate carries$/);
        const caOnly = await connect(parseDatabaseUrl("--database", url.replace("verify-full", "verify-ca")));
        await caOnly.end();
      } finally {
        wrongNameCa.stop();
      }
    } finally {
      other.remove();
    }
  });
});

/** The stack outputs verify reads, for the fixture's drill stack, with both databases at `url`. */
function outputsFor(url: string): Record<string, unknown> {
  const u = new URL(url);
  return {
    namespace: "lomash-wood-drill",
    databases: Object.fromEntries(
      ["orders", "identity"].map((db) => [
        db,
        { identifier: `lomash-${db}-prod-drill`, endpoint: u.hostname, port: Number(u.port), database: u.pathname.slice(1), connectionString: url },
      ]),
    ),
    caches: {},
    buckets: {},
    secrets: {},
    services: {},
  };
}
