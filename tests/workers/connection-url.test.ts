import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { libpqInvocation, nodePgConfig, parseDatabaseUrl, tlsSettings } from "../../workers/postgres-connection";
import { maskText, maskUrl } from "../../workers/mask-url";
import { compareIdentity, type ServerIdentity } from "../../workers/server-identity";
import { RDS_CA_BUNDLE_PATH } from "../../components/database-instance-settings";

describe("one reading of a connection URL for node-pg and libpq", () => {
  let dir: string;
  let ca: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "recovery-url-"));
    ca = join(dir, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const parse = (text: string) => parseDatabaseUrl("--to", text);

  it("gives node-pg verify-full as libpq means it: the CA from sslrootcert and the host name checked", () => {
    const config = nodePgConfig(parse(`postgresql://app:p%40ss@db.internal:6432/shop?sslmode=verify-full&sslrootcert=${ca}`));
    assert.equal(config.host, "db.internal");
    assert.equal(config.port, 6432);
    assert.equal(config.user, "app");
    assert.equal(config.password, "p@ss");
    assert.equal(config.database, "shop");
    const ssl = config.ssl as { ca: string; rejectUnauthorized: boolean; checkServerIdentity?: unknown };
    assert.match(ssl.ca, /not checked here/);
    assert.equal(ssl.rejectUnauthorized, true);
    assert.equal(ssl.checkServerIdentity, undefined, "Node's own host name check stays on");
  });

  it("gives node-pg verify-ca without the host name check, and require without a CA as encryption only", () => {
    const verifyCa = nodePgConfig(parse(`postgresql://db/shop?sslmode=verify-ca&sslrootcert=${ca}`)).ssl as { checkServerIdentity: () => unknown };
    assert.equal(typeof verifyCa.checkServerIdentity, "function");
    assert.equal(verifyCa.checkServerIdentity(), undefined);
    assert.deepEqual(nodePgConfig(parse("postgresql://db/shop?sslmode=require")).ssl, { rejectUnauthorized: false });
    assert.equal(nodePgConfig(parse("postgresql://db/shop?sslmode=disable")).ssl, false);
  });

  it("reads PGSSLMODE and PGSSLROOTCERT as libpq does when the URL has none, and disable without either", () => {
    const url = parse("postgresql://db/shop");
    assert.deepEqual(tlsSettings(url, { PGSSLMODE: "verify-full", PGSSLROOTCERT: ca }), { mode: "verify-full", rootCert: ca, cert: undefined, key: undefined });
    assert.deepEqual(tlsSettings(url, {}), { mode: "disable" });
  });

  it("hands libpq the same mode and CA file in the URL, the password only in PGPASSWORD", () => {
    const { dbnameArg, env } = libpqInvocation(parse(`postgresql://app:p%23ss@db:5432/shop?sslmode=verify-full&sslrootcert=${ca}&application_name=restore`));
    assert.equal(dbnameArg, `--dbname=postgresql://app@db:5432/shop?application_name=restore&sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`);
    assert.equal(env.PGPASSWORD, "p#ss");
  });

  it("refuses sslmode=no-verify, which libpq rejects, naming the modes both halves share", () => {
    assert.throws(() => parse("postgresql://u:pw12@db/shop?sslmode=no-verify"), {
      message:
        "--to: postgresql://u:****@db/shop?sslmode=no-verify: sslmode=no-verify is node-pg's alone; libpq (pg_dump, pg_restore) refuses it. " +
        "Use sslmode=verify-full&sslrootcert=<CA bundle> (or sslmode=require: encrypted, the certificate not checked)",
    });
  });

  it("refuses prefer and allow, whose plain-text fallback node-pg cannot do", () => {
    assert.throws(() => parse("postgresql://db/shop?sslmode=prefer"), /--to: .*sslmode=prefer falls back to an unencrypted connection in libpq but not in node-pg/);
  });

  it("refuses verify-full without a CA file, and a CA file that does not exist, naming sslrootcert", () => {
    assert.throws(() => parse("postgresql://db/shop?sslmode=verify-full"), /--to: .*sslmode=verify-full checks the server's certificate against a CA; add sslrootcert=<CA bundle file>/);
    assert.throws(() => parse("postgresql://db/shop?sslmode=verify-full&sslrootcert=/nowhere/ca.pem"), {
      message: "--to: postgresql://db/shop?sslmode=verify-full&sslrootcert=/nowhere/ca.pem: sslrootcert=/nowhere/ca.pem does not exist; give the path of the file (for RDS, the CA bundle: see the README's TLS section)",
    });
    assert.throws(() => parse("postgresql://db/shop?sslmode=verify-full&sslrootcert=system"), /sslrootcert=system needs libpq 16 or later/);
  });

  it("refuses TLS parameters the two halves would read differently", () => {
    assert.throws(() => parse("postgresql://db/shop?sslmode=require&uselibpqcompat=true"), /--to: .*uselibpqcompat is not supported \(node-pg and libpq read it differently\)/);
    assert.throws(() => parse("postgresql://db/shop?ssl=true"), /--to: .*ssl is not supported/);
  });

  it("builds the RDS connection strings' TLS from one constant, the path the worker image installs the bundle at", () => {
    assert.equal(RDS_CA_BUNDLE_PATH, "/etc/ssl/certs/rds-global-bundle.pem");
  });
});

describe("masking passwords in every printed path", () => {
  it("keeps only what follows the last @ of a URL that cannot be read one way", () => {
    assert.equal(maskUrl("postgresql://app:ab@Kx9Lm/cd@db:5432/shop"), "postgresql://****@db:5432/shop");
    assert.equal(maskUrl("postgresql://app:ab#cd@db/shop"), "postgresql://****@db/shop");
    assert.equal(maskUrl("postgresql://db/shop?password=ab@cdefg"), "postgresql://****");
  });

  it("scrubs a remembered password and its pieces from any text, such as a DNS error", () => {
    parseDatabaseUrl("--to", "postgresql://app:Zx81%40Nq77@db/shop");
    assert.equal(maskText("connect failed for Zx81@Nq77 and Zx81%40Nq77"), "connect failed for **** and ****");
    assert.throws(() => parseDatabaseUrl("--to", "postgresql://app:ab@Pw4Tail/cd@db/shop"));
    assert.equal(maskText("getaddrinfo ENOTFOUND Pw4Tail"), "getaddrinfo ENOTFOUND ****");
  });
});

describe("telling the source's server from another", () => {
  const identity = (over: Partial<ServerIdentity> = {}): ServerIdentity => ({
    systemIdentifier: null,
    resolvedAddresses: ["10.0.0.5"],
    port: 5432,
    serverAddress: "10.0.0.5",
    serverPort: 5432,
    postmasterStartTime: "2026-11-30T10:00:00.123456Z",
    dataDirectory: null,
    database: { name: "shop", oid: 16384, catalogFingerprint: "a".repeat(64), tables: 3 },
    ...over,
  });
  const source = (over: Partial<ServerIdentity> = {}) => ({ ...identity(over), host: "db.internal" });

  it("decides by the system identifier alone when both sides have one", () => {
    const verdict = compareIdentity(source({ systemIdentifier: "1" }), identity({ systemIdentifier: "2" }));
    assert.deepEqual(verdict, { same: false, matched: [], compared: ["system identifier"] });
  });

  it("without a system identifier, a different server on another address, port, start time and catalog is not the source", () => {
    const other = identity({
      resolvedAddresses: ["10.0.0.9"],
      serverAddress: "10.0.0.9",
      postmasterStartTime: "2026-12-01T08:00:00.5Z",
      database: { name: "shop", oid: 16384, catalogFingerprint: "b".repeat(64), tables: 3 },
    });
    assert.equal(compareIdentity(source(), other).same, false);
  });

  it("without a system identifier, the server's start time alone is enough to refuse (a pooler in front)", () => {
    const behindPooler = identity({ resolvedAddresses: ["10.0.0.7"], port: 6432, serverAddress: "10.0.0.6", database: null });
    const verdict = compareIdentity(source(), behindPooler);
    assert.deepEqual(verdict.matched, ["the server start time 2026-11-30T10:00:00.123456Z"]);
  });
});
