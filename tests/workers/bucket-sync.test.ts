import { strict as assert } from "node:assert";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { startMoto, type LocalAws } from "../support/moto";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy";
import { createBucket, fillBucket, versionSnapshot } from "../support/bucket-state";
import { runScript } from "../support/run-script";

const SMALL = 300;
const LARGE = 3;

describe("npm run sync (bucket sync from the replica)", function () {
  this.timeout(120_000);
  let aws: LocalAws | undefined;
  let proxy: FaultProxy | undefined;
  let s3: S3Client;
  let sourceBefore: string[];
  let env: Record<string, string>;

  before(async function () {
    this.timeout(120_000);
    aws = await startMoto();
    proxy = await startFaultProxy(aws.endpoint);
    env = { ...aws.env, AWS_ENDPOINT_URL: proxy.endpoint };
    s3 = new S3Client({});
    await createBucket(s3, "media-replica", true);
    await fillBucket(s3, "media-replica", SMALL, LARGE);
    sourceBefore = await versionSnapshot(s3, "media-replica");
  });

  after(async () => {
    await proxy?.stop();
    await aws?.stop();
  });

  beforeEach(() => proxy!.setRule(() => undefined));

  async function assertSourceUntouched(): Promise<void> {
    assert.deepEqual(await versionSnapshot(s3, "media-replica"), sourceBefore);
  }

  async function keysOf(bucket: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket }))
      for (const o of page.Contents ?? []) out.set(o.Key!, `${o.Size} ${o.ETag}`);
    return out;
  }

  type SyncJson = {
    ok: boolean;
    sync: {
      copied: { objects: number };
      skippedIdentical: { objects: number };
      failed: { key: string; error: string }[];
      retries: number;
      toCopy: { objects: number; keys?: string[] };
      parity: { exact: boolean; source: { objects: number; bytes: number }; target: { objects: number; bytes: number }; missingInTarget: { keys: string[] } };
    };
    undelete?: { restored: { key: string }[]; noEarlierVersion: string[] };
  };

  it("copies a few hundred objects, multipart ones included, with exact parity and the same ETags", async () => {
    await createBucket(s3, "media-target-a");
    const r = await runScript("sync", ["--from", "s3://media-replica", "--to", "s3://media-target-a", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as SyncJson;
    assert.equal(out.sync.copied.objects, SMALL + LARGE);
    assert.equal(out.sync.parity.exact, true);
    assert.deepEqual(out.sync.parity.target, out.sync.parity.source);
    assert.deepEqual(await keysOf("media-target-a"), await keysOf("media-replica"));
    const big = await s3.send(new HeadObjectCommand({ Bucket: "media-target-a", Key: "video/big-0.mp4" }));
    assert.equal(big.ContentType, "video/mp4");
    const small = await s3.send(new GetObjectCommand({ Bucket: "media-target-a", Key: "media/00042.bin" }));
    assert.equal(small.Metadata?.origin, "n42");
    assert.match(r.stderr, /parity: source 303 objects .* EXACT/);
    await assertSourceUntouched();
  });

  it("copies nothing when rerun with nothing changed, and only lists: no HEAD per object", async () => {
    const copiesBefore = proxy!.counts.copy ?? 0;
    const objectRequests: string[] = [];
    proxy!.setRule((req, kind) => {
      const [, bucket, key] = /^\/([^/?]+)\/?([^?]*)/.exec(req.url ?? "") ?? [];
      if (bucket && key && kind !== "list") objectRequests.push(`${req.method} ${req.url}`);
      return undefined;
    });
    const r = await runScript("sync", ["--from", "s3://media-replica", "--to", "s3://media-target-a", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as SyncJson;
    assert.equal(out.sync.copied.objects, 0);
    assert.equal(out.sync.skippedIdentical.objects, SMALL + LARGE);
    assert.equal((proxy!.counts.copy ?? 0) - copiesBefore, 0);
    assert.deepEqual(objectRequests, []);
    await assertSourceUntouched();
  });

  it("resumes after a crash mid-sync without copying any finished object twice", async () => {
    await createBucket(s3, "media-target-b");
    const copiesAtStart = proxy!.counts.copy ?? 0;
    const crashed = await runScript("sync", ["--from", "s3://media-replica", "--to", "s3://media-target-b", "--concurrency", "4"], {
      env,
      killWhen: () => (proxy!.counts.copy ?? 0) - copiesAtStart >= 120,
    });
    assert.notEqual(crashed.code, 0, "the first run was meant to be killed half way");
    const survived = await keysOf("media-target-b");
    assert.ok(survived.size > 0 && survived.size < SMALL + LARGE, `crash left ${survived.size} objects`);
    proxy!.copiedPaths.length = 0;
    const r = await runScript("sync", ["--from", "s3://media-replica", "--to", "s3://media-target-b", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as SyncJson;
    // A copy moto had received before the kill may still complete after the listing above: at
    // most the 4 in flight (--concurrency 4) are found identical without having been counted.
    assert.equal(out.sync.copied.objects + out.sync.skippedIdentical.objects, SMALL + LARGE);
    const lateFinished = out.sync.skippedIdentical.objects - survived.size;
    assert.ok(lateFinished >= 0 && lateFinished <= 4, `${lateFinished} copies finished after the kill`);
    const recopied = proxy!.copiedPaths.map((p) => p.replace(/^\/media-target-b\//, "")).filter((k) => survived.has(k));
    assert.deepEqual(recopied, []);
    assert.equal(out.sync.parity.exact, true);
    await assertSourceUntouched();
  });

  it("retries injected 503 SlowDown answers and still reaches exact parity", async () => {
    await createBucket(s3, "media-target-c");
    let injected = 0;
    proxy!.setRule((req, kind) => {
      if (kind === "copy" && (req.url ?? "").includes("00010.bin") && injected < 8) {
        injected += 1;
        return { status: 503, code: "SlowDown" };
      }
      if (kind === "list" && injected < 8 && (req.url ?? "").includes("media-target-c")) {
        injected += 1;
        return { status: 503, code: "SlowDown" };
      }
      return undefined;
    });
    const r = await runScript("sync", ["--from", "s3://media-replica", "--to", "s3://media-target-c", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as SyncJson;
    assert.equal(injected, 8);
    assert.ok(out.sync.retries >= 1, "our backoff layer retried after the SDK's own attempts ran out");
    assert.equal(out.sync.parity.exact, true);
    assert.equal(out.sync.failed.length, 0);
    await assertSourceUntouched();
  });

  it("reports a permanent error on one object in the summary and exits 1, copying the rest", async () => {
    await createBucket(s3, "media-target-d");
    proxy!.setRule((req, kind) => (kind === "copy" && (req.url ?? "").includes("00007.bin") ? { status: 403, code: "AccessDenied" } : undefined));
    const r = await runScript("sync", ["--from", "s3://media-replica", "--to", "s3://media-target-d", "--json"], { env });
    assert.equal(r.code, 1);
    const out = r.json as unknown as SyncJson;
    assert.deepEqual(out.sync.failed.map((f) => f.key), ["media/00007.bin"]);
    assert.equal(out.sync.copied.objects, SMALL + LARGE - 1);
    assert.deepEqual(out.sync.parity.missingInTarget.keys, ["media/00007.bin"]);
    assert.match(r.stderr, /FAILED media\/00007\.bin/);
    await assertSourceUntouched();
  });

  it("lists what would be copied in a dry run and writes nothing", async () => {
    await createBucket(s3, "media-target-e");
    const r = await runScript("sync", ["--from", "s3://media-replica", "--to", "s3://media-target-e", "--dry-run", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as unknown as SyncJson;
    assert.equal(out.sync.toCopy.objects, SMALL + LARGE);
    assert.equal(out.sync.toCopy.keys?.length, SMALL + LARGE);
    assert.equal((await keysOf("media-target-e")).size, 0);
    await assertSourceUntouched();
  });

  it("refuses a --to equal to --from with exit 2, naming the argument, and writes nothing", async () => {
    const before = proxy!.counts.copy ?? 0;
    const r = await runScript("sync", ["--from", "s3://media-replica", "--to", "s3://media-replica/restored"], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--to: "s3:\/\/media-replica\/restored" is the same bucket as --from; give a different target bucket/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal((proxy!.counts.copy ?? 0) - before, 0);
    await assertSourceUntouched();
  });

  it("refuses a --to that is a production source, replica or backup bucket of the inventory, and writes nothing", async () => {
    const before = proxy!.counts.copy ?? 0;
    for (const bucket of ["lomash-wood-media-prod", "lomash-wood-media-prod-replica", "lomash-wood-backups"]) {
      const r = await runScript("sync", ["--from", "s3://media-replica", "--to", `s3://${bucket}`], { env });
      assert.equal(r.code, 2, bucket);
      assert.match(r.stderr, new RegExp(`--to: s3://${bucket} belongs to production's inventory \\(a source, replica or backup bucket\\), which is never written`));
    }
    assert.equal((proxy!.counts.copy ?? 0) - before, 0);
    await assertSourceUntouched();
  });

  it("refuses bad usage with one message naming the argument and no stack trace", async () => {
    const cases: [string[], RegExp][] = [
      [["--to", "s3://x-target", "--undelete-after", "yesterday"], /--undelete-after: "yesterday" is not an ISO 8601 time/],
      [["--to", "s3://x-target", "--undelete-after", "2026-02-18T14:30:00"], /--undelete-after: "2026-02-18T14:30:00" is not an ISO 8601 time with a zone/],
      [["--from", "s3://media-replica", "--to", "s3://x-target", "--dryrun"], /^usage: --dryrun: unknown option; did you mean --dry-run\? \(see --help\)$/m],
    ];
    for (const [args, message] of cases) {
      const r = await runScript("sync", args, { env });
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  describe("undelete (--undelete-after)", () => {
    let t: string;
    const put = (key: string, body: string) =>
      s3.send(new PutObjectCommand({ Bucket: "media-prod", Key: key, Body: body }));
    const del = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: "media-prod", Key: key }));
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    before(async () => {
      await createBucket(s3, "media-prod", true);
      for (const k of ["a", "b", "c", "d", "e", "f", "g"]) await put(`img/${k}.jpg`, `original ${k}`);
      await del("img/a.jpg");
      await del("img/b.jpg");
      await sleep(1100);
      t = new Date().toISOString();
      await sleep(1100);
      await del("img/c.jpg");
      await del("img/d.jpg");
      await del("img/e.jpg");
      await put("img/f.jpg", "f changed after T");
      await put("img/new.jpg", "created after T");
      await del("img/new.jpg");
    });

    it("lists the objects deleted after T in a dry run and changes nothing", async () => {
      const before = await versionSnapshot(s3, "media-prod");
      const r = await runScript("sync", ["--to", "s3://media-prod", "--undelete-after", t, "--dry-run", "--json"], { env });
      assert.equal(r.code, 0, r.stderr);
      const out = r.json as unknown as SyncJson;
      assert.deepEqual(out.undelete?.restored.map((o) => o.key), ["img/c.jpg", "img/d.jpg", "img/e.jpg", "img/new.jpg"]);
      assert.deepEqual(await versionSnapshot(s3, "media-prod"), before);
    });

    it("brings back exactly the objects deleted after T and nothing else", async () => {
      const r = await runScript("sync", ["--to", "s3://media-prod", "--undelete-after", t, "--json"], { env });
      assert.equal(r.code, 0, r.stderr);
      const out = r.json as unknown as SyncJson;
      assert.deepEqual(out.undelete?.restored.map((o) => o.key), ["img/c.jpg", "img/d.jpg", "img/e.jpg", "img/new.jpg"]);
      const live = await keysOf("media-prod");
      assert.deepEqual([...live.keys()].sort(), ["img/c.jpg", "img/d.jpg", "img/e.jpg", "img/f.jpg", "img/g.jpg", "img/new.jpg"]);
      const body = async (k: string) =>
        (await s3.send(new GetObjectCommand({ Bucket: "media-prod", Key: k }))).Body!.transformToString();
      assert.equal(await body("img/c.jpg"), "original c");
      assert.equal(await body("img/f.jpg"), "f changed after T");
      const versions = await versionSnapshot(s3, "media-prod");
      assert.equal(versions.filter((v) => v.startsWith("d ")).length, 2, "only the markers of a and b (deleted before T) remain");
      assert.equal(versions.filter((v) => v.startsWith("v ")).length, 9, "no object version was deleted");
    });
  });
});
