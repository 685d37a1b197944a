import { strict as assert } from "node:assert";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startPostgres, createDatabase, type LocalPostgres } from "../support/postgres";
import { startMoto, type LocalAws } from "../support/moto";
import { createBucket } from "../support/bucket-state";
import { runScript } from "../support/run-script";
import { query, seedShop } from "../support/seed-database";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { parseManifest } from "../../workers/dump-manifest";
import { allRestoreWorkDatabases } from "../support/staging-databases";

/**
 * Design invariant 1 against a real server: `restore --force` never writes over the database
 * the dump was taken from, whatever address, name or proxy reaches it.
 */
describe("restore refuses the source database however it is reached, even with --force", function () {
  this.timeout(120_000);
  let pg: LocalPostgres | undefined;
  let other: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  let proxy: TcpProxy | undefined;
  let s3: S3Client;
  let dumpKey: string;

  before(async function () {
    this.timeout(120_000);
    pg = await startPostgres({ listen: ["127.0.0.1", "127.0.0.2"] });
    other = await startPostgres();
    aws = await startMoto();
    s3 = new S3Client({});
    await createBucket(s3, "never-source", true);
    const source = createDatabase(pg, "shop");
    await seedShop(source, 50);
    const r = await runScript("backup", ["--database", source, "--to", "s3://never-source/prod", "--json"], { env: aws.env });
    assert.equal(r.code, 0, r.stderr);
    dumpKey = String(r.json?.dump).replace("s3://never-source/", "");
    // Written after the backup: a restore over the source would lose it.
    await query(source, "INSERT INTO audit_log (message) VALUES ('written after the backup')");
    proxy = await startTcpProxy("127.0.0.1", pg.port);
  });

  after(async () => {
    await proxy?.stop();
    pg?.stop();
    other?.stop();
    await aws?.stop();
  });

  const restore = (to: string, from = "s3://never-source/prod") =>
    runScript("restore", ["--from", from, "--latest", "--to", to, "--force", "--json"], { env: aws!.env });

  async function assertSourceIntact(): Promise<void> {
    const rows = await query<{ n: string }>(pg!.url("shop"), "SELECT count(*) AS n FROM audit_log WHERE message = 'written after the backup'");
    assert.equal(rows[0].n, "1", "the row written after the backup survives");
    // Refused before the first write: no staging database was ever created on the source's server.
    assert.deepEqual(await allRestoreWorkDatabases(pg!.url()), []);
  }

  it("records the source's system identifier, addresses, start time and catalog fingerprint in the manifest", async () => {
    const res = await s3.send(new GetObjectCommand({ Bucket: "never-source", Key: `${dumpKey}.manifest.json` }));
    const manifest = parseManifest(await res.Body!.transformToString(), "test");
    const [{ id }] = await query<{ id: string }>(pg!.url(), "SELECT system_identifier::text AS id FROM pg_control_system()");
    assert.equal(manifest.source.systemIdentifier, id);
    const identity = manifest.source.identity!;
    assert.equal(identity.systemIdentifier, id);
    assert.deepEqual(identity.resolvedAddresses, ["127.0.0.1"]);
    assert.equal(identity.serverAddress, "127.0.0.1");
    assert.equal(identity.serverPort, pg!.port);
    assert.match(identity.postmasterStartTime ?? "", /^\d{4}-\d\d-\d\dT/);
    assert.equal(identity.database?.name, "shop");
    assert.equal(identity.database?.tables, 3);
    assert.match(identity.database?.catalogFingerprint ?? "", /^[0-9a-f]{64}$/);
  });

  it("refuses the same server reached as 127.0.0.2 by its system identifier", async () => {
    const r = await restore(`postgresql://postgres@127.0.0.2:${pg!.port}/shop`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--to: postgresql:\/\/postgres@127\.0\.0\.2:\d+\/shop is the database this dump was taken from \(127\.0\.0\.1:\d+\/shop\): the same system identifier \d+ \(compared: system identifier\)/);
    await assertSourceIntact();
  });

  it("refuses the same server reached by a host name alias (localhost)", async () => {
    const r = await restore(`postgresql://postgres@localhost:${pg!.port}/shop`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is the database this dump was taken from .*the same system identifier/);
    await assertSourceIntact();
  });

  it("refuses the same server behind a TCP proxy on another port", async () => {
    const r = await restore(`postgresql://postgres@127.0.0.1:${proxy!.port}/shop`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is the database this dump was taken from .*the same system identifier/);
    await assertSourceIntact();
  });

  describe("when the role may not read the system identifier", () => {
    before(async () => {
      // Vanilla PostgreSQL grants pg_control_system() to PUBLIC; hardened and managed servers
      // (and roles behind poolers) may not. Revoked here so the fallback is what decides.
      // Function privileges live in each database's own catalog.
      await query(pg!.url(), "REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC; CREATE ROLE restorer LOGIN");
      await query(pg!.url("shop"), "REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC");
    });
    after(async () => {
      for (const db of ["postgres", "shop"]) await query(pg!.url(db), "GRANT EXECUTE ON FUNCTION pg_control_system() TO PUBLIC");
    });

    it("refuses the source behind a proxy on the fallback facts, and says what it compared", async () => {
      const r = await restore(`postgresql://restorer@127.0.0.1:${proxy!.port}/shop`);
      assert.equal(r.code, 2, r.stderr);
      const line = r.stderr.split("\n").find((l) => l.includes("is the database this dump was taken from")) ?? "";
      assert.match(line, new RegExp(`the server's own address 127\\.0\\.0\\.1:${pg!.port}`));
      assert.match(line, /the server start time \d{4}-/);
      assert.match(line, /database oid \d+ with the same 3 tables \(catalog fingerprint [0-9a-f]{12}\)/);
      assert.match(
        line,
        /\(compared: system identifier: not readable on the target \(permission denied for function pg_control_system\); resolved address and port; the server's own address and port \(inet_server_addr\/port\); server start time; database oid and catalog fingerprint\)/,
      );
      assert.doesNotMatch(line, /address 127\.0\.0\.1 port/, "the proxy's port is not the source's");
      await assertSourceIntact();
    });

    it("refuses the source under its second address on the fallback facts", async () => {
      const r = await restore(`postgresql://restorer@127.0.0.2:${pg!.port}/shop`);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`address 127\\.0\\.0\\.2 port ${pg!.port} \\(the dump's: 127\\.0\\.0\\.1 port ${pg!.port}\\)`));
      await assertSourceIntact();
    });
  });

  it("refuses the source for a manifest written before identities were recorded (host and port only)", async () => {
    const res = await s3.send(new GetObjectCommand({ Bucket: "never-source", Key: `${dumpKey}.manifest.json` }));
    const manifest = JSON.parse(await res.Body!.transformToString()) as { source: Record<string, unknown> };
    delete manifest.source.identity;
    manifest.source.systemIdentifier = null;
    const key = dumpKey.replace("prod/", "old/");
    await s3.send(new PutObjectCommand({ Bucket: "never-source", Key: key, Body: await (await s3.send(new GetObjectCommand({ Bucket: "never-source", Key: dumpKey }))).Body!.transformToByteArray() }));
    await s3.send(new PutObjectCommand({ Bucket: "never-source", Key: `${key}.manifest.json`, Body: JSON.stringify({ ...manifest, dump: { ...(manifest as unknown as { dump: object }).dump, key } }) }));
    const r = await restore(`postgresql://postgres@127.0.0.2:${pg!.port}/shop`, "s3://never-source/old");
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /address 127\.0\.0\.2 port \d+ \(the dump's: 127\.0\.0\.1 port \d+\) \(compared: system identifier: not readable on the dump's manifest; resolved address and port\)/);
    await assertSourceIntact();
  });

  it("accepts a database of the same name on a genuinely different server, also forced a second time", async () => {
    const to = other!.url("shop");
    const first = await restore(to);
    assert.equal(first.code, 0, first.stderr);
    const again = await restore(to);
    assert.equal(again.code, 0, again.stderr);
    const rows = await query<{ n: string }>(to, "SELECT count(*) AS n FROM users");
    assert.equal(rows[0].n, "50");
    await assertSourceIntact();
  });
});
