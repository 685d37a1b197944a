import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startMoto, type LocalAws } from "../support/moto";
import { createBucket, versionSnapshot } from "../support/bucket-state";
import { runScript } from "../support/run-script";
import { expiryTimes, fillDataset, startRedis, type Dataset, type LocalRedis } from "../support/redis";
import { parseRedisManifest, type RedisManifest } from "../../workers/redis-manifest";

type RestoreJson = { ok: boolean; error?: string; written: string | null; rdbVersion: number; keys: number; durationsMs: Record<string, number> };

describe("npm run backup:redis and npm run restore:redis (seed 004 Restore 2A)", function () {
  this.timeout(120_000);
  let aws: LocalAws | undefined;
  let source: LocalRedis | undefined;
  const started: LocalRedis[] = [];
  let s3: S3Client;
  let dataset: Dataset;
  let rdbKey: string;
  let manifest: RedisManifest;
  let scratch: string;

  before(async function () {
    this.timeout(120_000);
    aws = await startMoto();
    s3 = new S3Client({});
    await createBucket(s3, "redis-backups", true);
    source = await startRedis({ password: "s3cret-pw" });
    dataset = fillDataset(source, 5000);
    scratch = mkdtempSync(join(tmpdir(), "redis-restore-test-"));
    const r = await runScript("backup-redis", ["--redis", source.url, "--to", "s3://redis-backups/redis/", "--json"], { env: aws.env });
    assert.equal(r.code, 0, r.stderr);
    rdbKey = String(r.json?.rdb).replace("s3://redis-backups/", "");
    manifest = parseRedisManifest((await bytesOf(`${rdbKey}.manifest.json`)).toString(), "test");
  });

  after(async () => {
    for (const r of started) await r.stop();
    await source?.stop();
    await aws?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  async function bytesOf(key: string): Promise<Buffer> {
    const res = await s3.send(new GetObjectCommand({ Bucket: "redis-backups", Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  const restore = (args: string[]) => runScript("restore-redis", [...args, "--json"], { env: aws!.env });

  function emptyDir(name: string): string {
    const dir = join(scratch, name);
    mkdirSync(dir);
    return dir;
  }

  /** Uploads a tampered copy of the backup with a manifest beside it that describes it. */
  async function putCopy(key: string, body: Buffer, change: (m: RedisManifest) => void = () => undefined): Promise<void> {
    const copy = JSON.parse(JSON.stringify(manifest)) as RedisManifest;
    copy.rdb.key = key;
    change(copy);
    await s3.send(new PutObjectCommand({ Bucket: "redis-backups", Key: key, Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: "redis-backups", Key: `${key}.manifest.json`, Body: JSON.stringify(copy) }));
  }

  it("backs up an RDB with a manifest giving its size, sha256, versions, save time and keys per database and prefix", async () => {
    const rdb = await bytesOf(rdbKey);
    assert.match(rdbKey, /^redis\/redis-dump-\d{8}T\d{6}Z\.rdb$/);
    assert.equal(manifest.rdb.sizeBytes, rdb.length);
    assert.equal(manifest.rdb.sha256, createHash("sha256").update(rdb).digest("hex"));
    assert.equal(rdb.subarray(0, 9).toString("latin1"), "REDIS0010");
    assert.equal(manifest.rdb.rdbVersion, 10);
    assert.match(manifest.source.redisVersion, /^7\.0\./);
    assert.equal(manifest.source.port, source!.port);
    assert.ok(Math.abs(Date.parse(manifest.source.savedAt) - Date.now()) < 120_000, manifest.source.savedAt);
    assert.deepEqual(manifest.databases, [
      {
        db: 0,
        keys: dataset.db0Keys,
        expires: dataset.sessions,
        prefixes: { "board:": 5000, "counter:": 5000, "queue:": 5000, "session:": 5000, "tags:": 5000, "user:": 5000, "events:": 500, "": 1 },
        otherPrefixKeys: 0,
      },
      { db: 1, keys: dataset.db1Keys, expires: dataset.db1Keys, prefixes: { "cart:": 500 }, otherPrefixKeys: 0 },
    ]);
  });

  it("never prints the source's password", async () => {
    const r = await runScript("backup-redis", ["--redis", source!.url, "--to", "s3://redis-backups/pw-check/", "--json"], { env: aws!.env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(`${r.stdout}${r.stderr}`.includes("s3cret-pw"), false);
    assert.equal(r.json?.source, `redis://:****@127.0.0.1:${source!.port}`);
    assert.equal((await bytesOf(`${String(r.json?.rdb).replace("s3://redis-backups/", "")}.manifest.json`)).toString().includes("s3cret-pw"), false);
  });

  it("restores into an empty data dir, and a new redis-server started there holds the same dataset", async () => {
    const dir = emptyDir("roundtrip");
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", dir]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as RestoreJson;
    assert.equal(out.written, join(dir, "dump.rdb"));
    assert.equal(out.keys, dataset.db0Keys + dataset.db1Keys);
    assert.deepEqual(readdirSync(dir), ["dump.rdb"]);
    const restored = await startRedis({ dir });
    started.push(restored);
    assert.equal(restored.cli(["DEBUG", "DIGEST"]), source!.cli(["DEBUG", "DIGEST"]));
    assert.equal(restored.cli(["DBSIZE"], 0), String(dataset.db0Keys));
    assert.equal(restored.cli(["DBSIZE"], 1), String(dataset.db1Keys));
    assert.equal(restored.cli(["TYPE", "events:7"]), "stream");
    assert.equal(restored.cli(["HGET", "user:42", "email"]), "u42@example.com");
  });

  it("keeps every key's expiry time exactly (RDB stores absolute times)", async () => {
    const restored = started[0];
    const before = expiryTimes(source!, dataset.ttlKeys);
    const after = expiryTimes(restored, dataset.ttlKeys);
    assert.equal(after.size, dataset.ttlKeys.length);
    assert.ok([...before.values()].every((t) => t > Date.now()), "every TTL is still in the future");
    assert.deepEqual(after, before);
    assert.equal(restored.cli(["PEXPIRETIME", "counter:1"]), "-1", "keys without a TTL stay without one");
  });

  it("refuses an RDB with one byte flipped and leaves the data dir untouched", async () => {
    const rdb = await bytesOf(rdbKey);
    rdb[Math.floor(rdb.length / 2)] ^= 0x01;
    await putCopy("corrupt/redis-dump.rdb", rdb);
    const dir = emptyDir("corrupt");
    const r = await restore(["--from", "s3://redis-backups/corrupt/redis-dump.rdb", "--to-dir", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused: --from: s3:\/\/redis-backups\/corrupt\/redis-dump\.rdb fails its checksum \(sha256 [0-9a-f]{64}, manifest says [0-9a-f]{64}\); the RDB is corrupt, nothing was written; use another backup/);
    assert.equal((r.json as unknown as RestoreJson).ok, false);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("refuses a data dir that is not empty without --force and leaves its dump.rdb alone", async () => {
    const dir = emptyDir("busy");
    writeFileSync(join(dir, "dump.rdb"), "the old data");
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split("\n").pop(), `refused: --to-dir: ${dir} is not empty (dump.rdb); add --force to replace its dump.rdb`);
    assert.equal(readFileSync(join(dir, "dump.rdb"), "utf8"), "the old data");
  });

  it("replaces the dump.rdb of a non-empty data dir with --force", async () => {
    const dir = emptyDir("forced");
    writeFileSync(join(dir, "dump.rdb"), "the old data");
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", dir, "--force"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(dir), ["dump.rdb"]);
    assert.equal(createHash("sha256").update(readFileSync(join(dir, "dump.rdb"))).digest("hex"), manifest.rdb.sha256);
  });

  it("leaves a data dir that holds data alone with --if-empty, and succeeds", async () => {
    const dir = emptyDir("restarted-pod");
    writeFileSync(join(dir, "dump.rdb"), "saved by Redis since the restore");
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", dir, "--if-empty"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json?.skipped, true);
    assert.equal(r.json?.written, null);
    assert.equal(readFileSync(join(dir, "dump.rdb"), "utf8"), "saved by Redis since the restore");
  });

  it("ignores a fresh volume's lost+found", async () => {
    const dir = emptyDir("volume");
    mkdirSync(join(dir, "lost+found"));
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ["dump.rdb", "lost+found"]);
  });

  it("refuses a data dir holding an AOF, which Redis would load instead, even with --force", async () => {
    const dir = emptyDir("aof");
    mkdirSync(join(dir, "appendonlydir"));
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", dir, "--force"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused: --to-dir: .* holds appendonlydir, which Redis loads instead of dump\.rdb when appendonly is on; move it away/);
    assert.deepEqual(readdirSync(dir), ["appendonlydir"]);
  });

  it("refuses an RDB newer than the target Redis loads, before downloading it", async () => {
    const dir = join(scratch, "old-redis");
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", dir, "--redis-version", "6.2"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim().split("\n").pop(),
      `refused: --from: s3://redis-backups/${rdbKey} is RDB version 10, but Redis 6.2 (from --redis-version) loads at most version 9; ` +
        "nothing was written; restore into Redis 7.0 or later",
    );
    assert.equal((r.json as unknown as RestoreJson).durationsMs.download, undefined);
    assert.deepEqual(readdirSync(scratch).includes("old-redis"), false);
  });

  it("refuses a file whose header is a newer RDB version than its manifest claims", async () => {
    const rdb = await bytesOf(rdbKey);
    rdb.write("REDIS0012", 0, "latin1");
    await putCopy("lying/redis-dump.rdb", rdb, (m) => (m.rdb.sha256 = createHash("sha256").update(rdb).digest("hex")));
    const dir = emptyDir("lying");
    const r = await restore(["--from", "s3://redis-backups/lying/redis-dump.rdb", "--to-dir", dir, "--redis-version", "7.0"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is RDB version 12, but Redis 7\.0 \(from --redis-version\) loads at most version 10; nothing was written; restore into Redis 7\.4 or later/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("takes the target version from the local redis-server when --redis-version is not given", async () => {
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", join(scratch, "local"), "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(String(r.json?.targetRedisVersion), /^7\.0\.\d+$/);
    assert.equal(r.json?.targetRedisVersionFrom, "redis-server --version");
    assert.equal(r.json?.maxRdbVersion, 10);
  });

  it("checks everything in a dry run and writes nothing, not even the data dir", async () => {
    const dir = join(scratch, "dry");
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", dir, "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as RestoreJson;
    assert.equal(out.ok, true);
    assert.equal(out.written, null);
    assert.ok("download" in out.durationsMs, "the RDB was downloaded and its checksum checked");
    assert.match(r.stderr, /^dry run: would restore /m);
    assert.equal(readdirSync(scratch).includes("dry"), false);
  });

  it("a dry run still refuses a corrupt RDB", async () => {
    const r = await restore(["--from", "s3://redis-backups/corrupt/redis-dump.rdb", "--to-dir", join(scratch, "dry-corrupt"), "--dry-run"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fails its checksum/);
  });

  it("picks the newest RDB under a prefix with --latest, by save time", async () => {
    const older = JSON.parse(JSON.stringify(manifest)) as RedisManifest;
    const rdb = await bytesOf(rdbKey);
    await putCopy("several/redis-dump-20200101T000000Z.rdb", rdb, (m) => (m.source.savedAt = "2020-01-01T00:00:00.000Z"));
    await putCopy("several/redis-dump-20300101T000000Z.rdb", rdb, (m) => (m.source.savedAt = older.source.savedAt));
    const without = await restore(["--from", "s3://redis-backups/several/", "--to-dir", join(scratch, "latest"), "--dry-run"]);
    assert.equal(without.code, 2);
    assert.match(without.stderr, /holds 2 RDB files .*; name one RDB key, or add --latest for the newest/);
    const r = await restore(["--from", "s3://redis-backups/several/", "--latest", "--to-dir", join(scratch, "latest"), "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json?.rdb, "s3://redis-backups/several/redis-dump-20300101T000000Z.rdb");
  });

  it("refuses an RDB with no manifest beside it", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "redis-backups", Key: "orphan/redis-dump.rdb", Body: await bytesOf(rdbKey) }));
    const r = await restore(["--from", "s3://redis-backups/orphan/", "--to-dir", join(scratch, "orphan")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /1 RDB file\(s\) under s3:\/\/redis-backups\/orphan\/ but no manifest beside any .*restore refuses an RDB it cannot verify/);
  });

  it("only reads the backup bucket when restoring", async () => {
    const beforeVersions = await versionSnapshot(s3, "redis-backups");
    const r = await restore(["--from", `s3://redis-backups/${rdbKey}`, "--to-dir", join(scratch, "readonly")]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await versionSnapshot(s3, "redis-backups"), beforeVersions);
  });
});

describe("npm run backup:redis and restore:redis refuse bad usage with exit 2", function () {
  this.timeout(60_000);
  const cases: [string, string[], string][] = [
    ["backup-redis", ["--to", "s3://b-ok/x"], "usage: --redis: is required; give a Redis URL like redis://host:6379 (or rediss://user@host:6380 for TLS)"],
    ["backup-redis", ["--redis", "http://h:1", "--to", "s3://b-ok/x"], 'usage: --redis: "http://h:1/" is not a redis:// URL; write it as redis://host:6379 (or rediss://user@host:6380 for TLS)'],
    ["backup-redis", ["--redis", "redis://:pw@h:1/x", "--to", "s3://b-ok/x"], 'usage: --redis: "redis://:****@h:1/x" has "x" as its database; give a number (redis://host:6379/0) or none'],
    ["backup-redis", ["--redis", "redis://h:1", "--to", "b-ok"], 'usage: --to: "b-ok" is not an S3 location; write it as s3://bucket/prefix'],
    ["restore-redis", ["--from", "s3://b-ok/x"], "usage: --to-dir: is required; give Redis's data dir, e.g. --to-dir /data"],
    ["restore-redis", ["--from", "s3://b-ok/x", "--to-dir", "/tmp/x", "--redis-version", "seven"], 'usage: --redis-version: "seven" is not a Redis version this tool knows (2.6 or later); write it like 7.0 or 7.2.4'],
    ["restore-redis", ["--from", "s3://b-ok/x", "--to-dir", "/tmp/x", "--frce"], "usage: --frce: unknown option; did you mean --force? (see --help)"],
  ];
  for (const [script, args, message] of cases) {
    it(`${script} ${args.join(" ")} → ${message.slice(7, 40)}…`, async () => {
      const r = await runScript(script, args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split("\n")[0], message);
    });
  }

  it("prints --help with every option and exit 0", async () => {
    const r = await runScript("restore-redis", ["--help"]);
    assert.equal(r.code, 0);
    for (const flag of ["--from", "--latest", "--to-dir", "--redis-version", "--force", "--dry-run", "--json"]) assert.match(r.stdout, new RegExp(`  ${flag} `));
  });
});
