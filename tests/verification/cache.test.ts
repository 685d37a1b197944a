import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { loadStack } from "../../stacks";
import type { CacheRestore, RecoveryConfig } from "../../stacks/types";
import { parseOutputs, Redactor, runVerification } from "../../verification";
import { cacheChecks, type CacheOutput } from "../../verification/checks/cache";
import { runChecks } from "../../verification/runner";
import { freePort } from "../support/free-port";
import { startMoto, type LocalAws } from "../support/moto";
import { createBucket } from "../support/bucket-state";
import { runScript } from "../support/run-script";
import { fillDataset, startRedis, type LocalRedis } from "../support/redis";
import { FIXTURE_ROOT, STACK } from "./support/environment";

describe("verify's cache checks (seed 004 Restore 2A: PING, DBSIZE, session:* against the manifest)", function () {
  this.timeout(60_000);
  let aws: LocalAws | undefined;
  let source: LocalRedis | undefined;
  let restored: LocalRedis | undefined;
  let s3: S3Client;
  let manifest: string;
  let scratch: string;
  const password = "verify-pw-31";

  before(async function () {
    this.timeout(120_000);
    aws = await startMoto();
    s3 = new S3Client({});
    await createBucket(s3, "cache-backups");
    source = await startRedis();
    fillDataset(source, 5000);
    const backup = await runScript("backup-redis", ["--redis", source.url, "--to", "s3://cache-backups/redis/", "--json"], { env: aws.env });
    assert.equal(backup.code, 0, backup.stderr);
    manifest = String(backup.json?.manifest);
    scratch = mkdtempSync(join(tmpdir(), "verify-cache-"));
    const restore = await runScript("restore-redis", ["--from", String(backup.json?.rdb), "--to-dir", join(scratch, "data"), "--json"], { env: aws.env });
    assert.equal(restore.code, 0, restore.stderr);
    restored = await startRedis({ dir: join(scratch, "data"), password });
  });

  after(async () => {
    await restored?.stop();
    await source?.stop();
    await aws?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const output = (extra: Partial<CacheOutput> = {}): CacheOutput => ({
    kind: "cluster",
    endpoint: "127.0.0.1",
    tls: false,
    port: restored!.port,
    url: `redis://:${password}@127.0.0.1:${restored!.port}`,
    manifest,
    ...extra,
  });

  async function check(out: CacheOutput) {
    const redactor = new Redactor();
    redactor.addUrl(out.url);
    const results = await runChecks(cacheChecks({ name: "sessions", output: out, s3, rpoMinutes: 60, tolerance: 0.005 }), {
      concurrency: 4,
      timeoutMs: 30_000,
      redactor,
    });
    return results.map((r) => [r.name, r.target, r.result, r.detail] as const);
  }

  it("passes PING, the key count and the session:* count on a cache restored from its RDB", async () => {
    const results = await check(output());
    assert.deepEqual(results.map(([n, t, r]) => [n, t, r]), [
      ["cache.ping", "sessions", "pass"],
      ["cache.keys", "sessions", "pass"],
      ["cache.prefix", "sessions session:*", "pass"],
    ]);
    assert.match(results[1][3], /^db0 30501 keys \(manifest 30501, 25501 without a TTL\), db1 500 keys \(manifest 500, 0 without a TTL\); RDB saved \S+ \(\d+ min ago, RPO 60 min\)$/);
    assert.equal(results[2][3], "5000 keys session:* (manifest 5000)");
  });

  it("never prints the cache's password", async () => {
    const results = await check(output({ url: `redis://:wrong-${password}@127.0.0.1:${restored!.port}` }));
    assert.equal(results[0][2], "fail");
    assert.equal(JSON.stringify(results).includes(password), false);
  });

  it("fails the counts, not PING, when Redis came up without loading the RDB", async () => {
    const empty = await startRedis();
    try {
      const results = await check(output({ port: empty.port, url: undefined }));
      assert.deepEqual(results.map(([n, , r]) => [n, r]), [["cache.ping", "pass"], ["cache.keys", "fail"], ["cache.prefix", "fail"]]);
      assert.match(results[1][3], /^db0 0 keys \(manifest 30501, 25501 without a TTL; at least 25373 expected\), db1 0 keys/);
      assert.equal(results[2][3], "0 keys session:* (manifest 5000; at least 4975 expected within the tolerance)");
    } finally {
      await empty.stop();
    }
  });

  it("lets keys with a TTL fall short in the key count, but not sessions beyond the tolerance", async () => {
    const gone = Array.from({ length: 100 }, (_, i) => `session:${i}`);
    const copy = await startRedis({ dir: join(scratch, "data") });
    try {
      copy.cli(["DEL", ...gone]);
      const results = await check(output({ port: copy.port, url: undefined }));
      assert.deepEqual(results.map(([n, , r]) => [n, r]), [["cache.ping", "pass"], ["cache.keys", "pass"], ["cache.prefix", "fail"]]);
      assert.equal(results[2][3], "4900 keys session:* (manifest 5000; at least 4975 expected within the tolerance)");
    } finally {
      await copy.stop();
    }
  });

  it("reads the newest manifest under a prefix, as a cache seeded with --latest names its backups", async () => {
    const results = await check(output({ manifest: "s3://cache-backups/redis/" }));
    assert.deepEqual(results.map(([n, , r]) => [n, r]), [["cache.ping", "pass"], ["cache.keys", "pass"], ["cache.prefix", "pass"]]);
  });

  it("checks only PING for a cache with no RDB manifest (ElastiCache)", async () => {
    const results = await check(output({ manifest: undefined }));
    assert.deepEqual(results.map(([n, , r]) => [n, r]), [["cache.ping", "pass"]]);
    assert.match(results[0][3], /^127\.0\.0\.1:\d+ answered PONG in \d+ ms$/);
  });

  it("fails PING on a cache nobody answers, naming where it looked", async () => {
    const port = await freePort();
    const results = await check(output({ port, url: undefined, manifest: undefined }));
    assert.equal(results[0][2], "fail");
    assert.match(results[0][3], new RegExp(`^redis://127\\.0\\.0\\.1:${port}: redis-cli exited with 1: Could not connect to Redis at 127\\.0\\.0\\.1:${port}: Connection refused`));
  });

  it("runs for every cache of the stack under --only caches, and a cache missing from the outputs fails", async () => {
    const base = loadStack(STACK, { root: FIXTURE_ROOT });
    const cache = (name: string) => ({ name, estimateMinutes: 5, source: {} }) as unknown as CacheRestore;
    const config: RecoveryConfig = { ...base, caches: [cache("sessions"), cache("ratelimit")] };
    const outputs = parseOutputs({ namespace: "drill", caches: { sessions: output() } }, "test outputs");
    const result = await runVerification({ config, outputs, only: ["caches"], checkTimeoutMs: 30_000 });
    assert.deepEqual(result.checks.map((c) => [c.name, c.target, c.result]), [
      ["outputs", "caches.ratelimit", "fail"],
      ["cache.ping", "sessions", "pass"],
      ["cache.keys", "sessions", "pass"],
      ["cache.prefix", "sessions session:*", "pass"],
    ]);
  });
});
