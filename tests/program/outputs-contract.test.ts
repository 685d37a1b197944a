import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { MOCK_INGRESS_HOSTNAME, MOCK_JOB_START_TIME, MOCK_SNAPSHOT_TIME, promiseOf, runProgram } from "../../mocked-program/pulumi-mocks";
import { readStackConfig } from "../../stacks";
import { bothCacheKindsStackFiles, programCopy } from "../support/cache-kinds";
import { stackOutputsSchema } from "../../stacks/outputs";
import { allKeyPaths } from "../../stacks/schema-walk";
import { parseOutputs } from "../../verification";

/** Every Output in an export resolved, at any depth, as `pulumi stack output --json --show-secrets` prints it. */
async function resolved(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) return resolved(await promiseOf(value as pulumi.Output<unknown>));
  if (Array.isArray(value)) return Promise.all(value.map(resolved));
  if (value !== null && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolved(v)] as const));
    // An undefined export is no output at all (Pulumi drops it).
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  return value;
}

/**
 * The contract's key paths (`databases.<name>.restorePoint`), from the schema itself. A database's
 * inline `connectionString` is the hand-written spelling of `connectionStrings.<name>`, which is
 * what the program produces (so `pulumi stack output` without --show-secrets shows the endpoints).
 */
const CONTRACT = allKeyPaths(stackOutputsSchema.in).filter((p) => p !== "databases.<name>.connectionString");
const hasChildren = (path: string) => CONTRACT.some((p) => p.startsWith(`${path}.`));

/** The paths a value holds, `<name>` where the contract has a map by name; and the keys the contract does not know. */
function pathsOf(value: unknown, prefix = ""): { present: Set<string>; unknown: string[] } {
  const present = new Set<string>();
  const unknown: string[] = [];
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { present, unknown };
  const byName = hasChildren(`${prefix}.<name>`);
  for (const [key, child] of Object.entries(value)) {
    const path = byName ? `${prefix}.<name>` : prefix ? `${prefix}.${key}` : key;
    if (!CONTRACT.includes(path) && !hasChildren(path)) {
      unknown.push(prefix ? `${prefix}.${key}` : key);
      continue;
    }
    present.add(path);
    if (!hasChildren(path)) continue;
    const inner = pathsOf(child, path);
    inner.present.forEach((p) => present.add(p));
    unknown.push(...inner.unknown);
  }
  return { present, unknown };
}

/**
 * A recovery stack with every kind of output: point-in-time, snapshot and logical restores, a
 * promoted and a rebuilt bucket, both kinds of cache (the example's in-cluster Redis and an
 * ElastiCache group beside it, from an inventory of the test's own), secrets, services and the
 * traffic cutover.
 */
function everyKind(): Record<string, unknown> {
  const c = readStackConfig("recovery");
  return {
    ...c,
    "recovery:databases": { ...(c["recovery:databases"] as Record<string, object>), catalog: { method: "snapshot" }, orders: { time: "2026-11-25T09:00:00Z" } },
    "recovery:buckets": { media: { mode: "promote" }, uploads: { mode: "rebuild" } },
  };
}

describe("the stack outputs contract (stacks/outputs.ts), program against consumers", () => {
  let outputs: Record<string, unknown>;

  let copy: { root: string; cleanup: () => void } | undefined;

  before(async () => {
    copy = programCopy(bothCacheKindsStackFiles());
    const run = await runProgram("recovery", { config: everyKind(), root: copy.root });
    outputs = (await resolved({ ...run.outputs })) as Record<string, unknown>;
  });
  after(() => copy?.cleanup());

  it("every field a consumer can read is produced by a stack that has every kind", () => {
    const { present } = pathsOf(outputs);
    assert.deepEqual(CONTRACT.filter((p) => !present.has(p)), []);
  });

  it("gives the in-cluster Redis its URL and the RDB prefix verify counts against, and no replication group", () => {
    const caches = outputs.caches as Record<string, object>;
    assert.deepEqual(caches.sessions, {
      kind: "cluster",
      endpoint: "cache-sessions.lomash-wood-recovery.svc.cluster.local",
      port: 6379,
      tls: false,
      url: "redis://cache-sessions.lomash-wood-recovery.svc.cluster.local:6379",
      manifest: "s3://lomash-wood-backups/redis/",
    });
  });

  it("gives an ElastiCache cache its new group, TLS and its rediss URL, and no manifest", () => {
    const caches = outputs.caches as Record<string, object>;
    const endpoint = "master.lomash-wood-ratelimit-prod-recovery.abcdef.euw2.cache.amazonaws.com";
    assert.deepEqual(caches["rate-limits"], {
      kind: "elasticache",
      replicationGroupId: "lomash-wood-ratelimit-prod-recovery",
      endpoint,
      port: 6379,
      tls: true,
      url: `rediss://${endpoint}:6379`,
    });
  });

  it("exports every cache URL as a Pulumi secret", async () => {
    const run = await runProgram("recovery", { config: everyKind(), root: copy!.root });
    const caches = run.outputs.caches as Record<string, { url: pulumi.Output<string> }>;
    assert.deepEqual(Object.keys(caches).sort(), ["rate-limits", "sessions"]);
    for (const [name, c] of Object.entries(caches)) assert.equal(await pulumi.isSecret(c.url), true, name);
  });

  it("the program exports nothing the contract does not name", () => {
    assert.deepEqual(pathsOf(outputs).unknown, []);
  });

  it("what the program exports parses as verify and the drill parse it, every database with its connection string", () => {
    const parsed = parseOutputs(outputs, "the program's outputs");
    assert.equal(stackOutputsSchema.safeParse(outputs).success, true);
    assert.deepEqual(Object.keys(parsed.databases).sort(), ["analytics", "appointments", "catalog", "identity", "orders"]);
    for (const db of Object.values(parsed.databases)) assert.match(db.connectionString, /^postgresql:\/\//);
  });

  it("gives a rebuilt bucket the sync Job's start as syncedAt, and a promoted one none", () => {
    const buckets = outputs.buckets as Record<string, { syncedAt?: string }>;
    assert.equal(buckets.uploads.syncedAt, MOCK_JOB_START_TIME);
    assert.equal(buckets.media.syncedAt, undefined);
  });

  it("gives each database its own restore point where Pulumi knows it: the PITR time, the snapshot's time; none for latest or a dump", () => {
    const dbs = outputs.databases as Record<string, { restorePoint?: string }>;
    assert.deepEqual(
      Object.fromEntries(Object.entries(dbs).map(([n, d]) => [n, d.restorePoint])),
      { identity: undefined, catalog: MOCK_SNAPSHOT_TIME, orders: "2026-11-25T09:00:00Z", appointments: undefined, analytics: undefined },
    );
    assert.equal("restorePoint" in outputs, false, "no stack-wide restore point: it is per database");
  });

  it("sends smoke tests to the public host once traffic is switched", () => {
    assert.equal(outputs.gatewayHostname, MOCK_INGRESS_HOSTNAME);
    assert.equal(outputs.gatewayUrl, `https://${MOCK_INGRESS_HOSTNAME}`);
  });

  it("would catch a consumer field nothing produces: without the rebuilt bucket, syncedAt is reported unproduced", () => {
    const withoutSync = { ...outputs, buckets: { media: (outputs.buckets as Record<string, object>).media } };
    assert.deepEqual(CONTRACT.filter((p) => !pathsOf(withoutSync).present.has(p)), ["buckets.<name>.syncedAt"]);
  });
});
