import { strict as assert } from "node:assert";
import { S3Client } from "@aws-sdk/client-s3";
import { startPostgres, createDatabase, type LocalPostgres } from "../support/postgres";
import { startMoto, type LocalAws } from "../support/moto";
import { createBucket } from "../support/bucket-state";
import { runScript, type ScriptResult } from "../support/run-script";
import { query, seedShop } from "../support/seed-database";

/** Every run's stdout, stderr and JSON together: none may hold any 3-character piece of the password. */
function assertNeverShown(r: ScriptResult, password: string): void {
  const all = `${r.stdout}\n${r.stderr}\n${JSON.stringify(r.json ?? {})}`;
  for (let i = 0; i + 3 <= password.length; i++) {
    const piece = password.slice(i, i + 3);
    assert.ok(!all.includes(piece), `the output shows "${piece}" of the password: ${all}`);
  }
}

/**
 * Passwords with the characters that break a URL (`@ : / # ?`), against a real server that checks
 * them (scram-sha-256): percent-encoded they work in both halves (node-pg and pg_dump), and raw
 * they are refused or read right; in no path does any piece of one reach the output.
 */
describe("passwords with special characters never reach the output", function () {
  this.timeout(120_000);
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;

  // One role per special character, each password holding it twice.
  const PASSWORDS: Record<string, string> = {
    "@": "Hv7@Qz4@Nk2w",
    ":": "Jd5:Wc8:Ry3t",
    "/": "Fb2/Xm6/Lp9s",
    "#": "Gk4#Tn7#Vy1q",
    "?": "Zr3?Bh5?Ds8u",
  };
  const roleOf = (c: string) => `app_${"@:/#?".indexOf(c)}`;

  before(async function () {
    this.timeout(120_000);
    pg = await startPostgres({ hba: ["host all postgres 127.0.0.1/32 trust", "host all all 127.0.0.1/32 scram-sha-256"] });
    aws = await startMoto();
    await createBucket(new S3Client({}), "pw-backups", true);
    await seedShop(createDatabase(pg, "shop"), 10);
    for (const [c, password] of Object.entries(PASSWORDS)) {
      await query(pg.url(), `CREATE ROLE ${roleOf(c)} LOGIN SUPERUSER PASSWORD '${password}'`);
    }
  });

  after(async () => {
    pg?.stop();
    await aws?.stop();
  });

  const url = (c: string, password: string, host = "127.0.0.1") => `postgresql://${roleOf(c)}:${password}@${host}:${pg!.port}/shop`;
  // A prefix per backup: dump keys are named to the second and never overwritten, so two backups
  // in the same second under one prefix would refuse the second.
  let backups = 0;
  const backup = (database: string) =>
    runScript("backup", ["--database", database, "--to", `s3://pw-backups/shop-${++backups}`, "--json"], { env: aws!.env });

  for (const [c, password] of Object.entries(PASSWORDS)) {
    it(`backs up with a percent-encoded password holding "${c}" (node-pg and pg_dump both authenticate) and never shows it`, async () => {
      const r = await backup(url(c, encodeURIComponent(password)));
      assert.equal(r.code, 0, r.stderr);
      assert.match(String(r.json?.source), new RegExp(`^postgresql://${roleOf(c)}:\\*+@127\\.0\\.0\\.1:\\d+/shop$`));
      assertNeverShown(r, password);
    });
  }

  for (const c of ["/", "#", "?"]) {
    it(`refuses a raw "${c}" in the password with exit 2, telling to percent-encode, and never shows it`, async () => {
      const r = await backup(url(c, PASSWORDS[c]));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /usage: --database: "postgresql:\/\/\*\*\*\*@127\.0\.0\.1:\d+\/shop" cannot be read one way only .*percent-encode special characters .*# → %23/);
      assertNeverShown(r, PASSWORDS[c]);
    });
  }

  for (const c of ["@", ":"]) {
    it(`reads a raw "${c}" in the password the one way a URL allows and never shows it`, async () => {
      const r = await backup(url(c, PASSWORDS[c]));
      assert.equal(r.code, 0, r.stderr);
      assertNeverShown(r, PASSWORDS[c]);
    });
  }

  it("refuses a password whose raw @ and / would send part of it to DNS as a host name", async () => {
    const password = "ab@Kx9Lm/cd";
    const r = await runScript("restore", ["--from", "s3://pw-backups/shop", "--latest", "--to", `postgresql://app:${password}@127.0.0.1:${pg!.port}/other`, "--json"], { env: aws!.env });
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /ENOTFOUND/);
    assert.equal(r.json?.ok, false);
    assertNeverShown(r, password);
  });

  it("masks the password in a DNS error for a host that does not exist", async () => {
    const password = PASSWORDS["@"];
    const r = await backup(`postgresql://app:${encodeURIComponent(password)}@no-such-host.invalid:5432/shop`);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /refused: --database: cannot connect to postgresql:\/\/app:\*+@no-such-host\.invalid:5432\/shop: getaddrinfo ENOTFOUND no-such-host\.invalid/);
    assertNeverShown(r, password);
  });

  it("masks the password of a URL that does not parse (a port out of range)", async () => {
    const password = "Qm4xWv7k";
    const r = await backup(`postgresql://app:${password}@127.0.0.1:99999/shop`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /usage: --database: "postgresql:\/\/app:\*+@127\.0\.0\.1:99999\/shop" is not a connection URL/);
    assertNeverShown(r, password);
  });

  it("masks a wrong password's authentication failure", async () => {
    const password = "Wx5#Pq8@Ty2";
    const r = await backup(url("@", encodeURIComponent(password)));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /password authentication failed for user "app_0"/);
    assertNeverShown(r, password);
  });
});
