import { strict as assert } from "node:assert";
import {
  CreateReplicationGroupCommand,
  CreateSnapshotCommand,
  DeleteReplicationGroupCommand,
  ElastiCacheClient,
  type Snapshot,
} from "@aws-sdk/client-elasticache";
import {
  CacheSnapshotNotFound,
  newestAvailableSnapshot,
  resolveCacheSnapshot,
} from "../../components/cache-snapshot-lookup";
import { startMoto, type LocalAws } from "../support/moto";

/**
 * The lookup against a real moto_server (5.2.1), which answers replication groups, CreateSnapshot,
 * DescribeSnapshots (with SnapshotStatus) and tags. Two things AWS returns and moto does not: every
 * moto snapshot is `available` at once, and none has NodeSnapshots. `asAws` adds exactly those two
 * fields to moto's parsed answers, per snapshot name, as AWS would give them; everything else is
 * moto's own answer.
 */
type Facts = Record<string, { readonly status?: string; readonly nodeSnapshotAt: string }>;

function asAws(facts: Facts, region = "eu-west-2"): ElastiCacheClient {
  const client = new ElastiCacheClient({ region });
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { Snapshots?: Snapshot[] };
      for (const s of output.Snapshots ?? []) {
        const fact = facts[s.SnapshotName ?? ""];
        if (fact === undefined) continue;
        s.SnapshotStatus = fact.status ?? s.SnapshotStatus;
        s.NodeSnapshots = [{ CacheClusterId: `${s.ReplicationGroupId}-001`, SnapshotCreateTime: new Date(fact.nodeSnapshotAt) }];
      }
      return result;
    },
    { step: "initialize", name: "asAwsAnswers" },
  );
  return client;
}

async function group(id: string, options: { region?: string; snapshots?: string[]; tags?: Record<string, string> } = {}): Promise<void> {
  const client = new ElastiCacheClient({ region: options.region ?? "eu-west-2" });
  await client.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: id,
      ReplicationGroupDescription: "a test group",
      Engine: "redis",
      CacheNodeType: "cache.t4g.small",
      NumCacheClusters: 2,
      Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  for (const name of options.snapshots ?? []) await client.send(new CreateSnapshotCommand({ ReplicationGroupId: id, SnapshotName: name }));
}

const notFound = (message: string) => (error: unknown) => {
  assert.ok(error instanceof CacheSnapshotNotFound, `expected CacheSnapshotNotFound, got ${String(error)}`);
  assert.equal(error.message, message);
  return true;
};

describe("the ElastiCache snapshot lookup (AWS SDK against moto_server)", function () {
  let moto: LocalAws;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => {
    await moto?.stop();
  });

  it("picks the available snapshot whose node was snapshotted last, wherever it is listed", async () => {
    await group("sessions-a", { snapshots: ["sessions-a-0300", "sessions-a-0500", "sessions-a-0400"] });
    const client = asAws({
      "sessions-a-0300": { nodeSnapshotAt: "2026-11-24T03:00:00Z" },
      "sessions-a-0500": { nodeSnapshotAt: "2026-11-24T05:00:00Z" },
      "sessions-a-0400": { nodeSnapshotAt: "2026-11-24T04:00:00Z" },
    });
    assert.deepEqual(await newestAvailableSnapshot("sessions-a", { client }), { name: "sessions-a-0500", createTime: "2026-11-24T05:00:00.000Z" });
  });

  it("skips a snapshot still creating, even when it is the newest", async () => {
    await group("sessions-b", { snapshots: ["sessions-b-0300", "sessions-b-0500"] });
    const client = asAws({
      "sessions-b-0300": { nodeSnapshotAt: "2026-11-24T03:00:00Z" },
      "sessions-b-0500": { status: "creating", nodeSnapshotAt: "2026-11-24T05:00:00Z" },
    });
    assert.deepEqual(await newestAvailableSnapshot("sessions-b", { client }), { name: "sessions-b-0300", createTime: "2026-11-24T03:00:00.000Z" });
  });

  it("refuses with the group, what is not available yet and the fix when no snapshot is available", async () => {
    await group("sessions-c", { snapshots: ["sessions-c-0500"] });
    const client = asAws({ "sessions-c-0500": { status: "creating", nodeSnapshotAt: "2026-11-24T05:00:00Z" } });
    await assert.rejects(
      newestAvailableSnapshot("sessions-c", { client }),
      notFound(
        'replication group "sessions-c" has no available snapshot in eu-west-2 (1 not available yet: sessions-c-0500 creating); wait until one is available, or name one under recovery:caches.<name>.snapshot (aws elasticache describe-snapshots --replication-group-id sessions-c)',
      ),
    );
  });

  it("reaches moto through AWS_ENDPOINT_URL alone, and refuses a group without snapshots with the fix", async () => {
    await group("sessions-d");
    await assert.rejects(
      newestAvailableSnapshot("sessions-d", { region: "eu-west-2" }),
      notFound(
        'replication group "sessions-d" has no available snapshot in eu-west-2; wait until one is available, or name one under recovery:caches.<name>.snapshot (aws elasticache describe-snapshots --replication-group-id sessions-d)',
      ),
    );
  });

  it("refuses a group that does not exist, naming it, the region and the fix", async () => {
    await assert.rejects(
      newestAvailableSnapshot("sessions-gone", { region: "eu-west-2" }),
      notFound(
        'replication group "sessions-gone" does not exist in eu-west-2, so none of its snapshots can be listed; name a snapshot that survived it (a manual or final one) under recovery:caches.<name>.snapshot',
      ),
    );
  });

  it("looks in the region it is given, not the SDK's default one", async () => {
    await group("sessions-west1", { region: "eu-west-1", snapshots: ["sessions-west1-0300"] });
    assert.equal(moto.env.AWS_REGION, "eu-west-2");
    assert.equal((await newestAvailableSnapshot("sessions-west1", { region: "eu-west-1" })).name, "sessions-west1-0300");
    await assert.rejects(newestAvailableSnapshot("sessions-west1", { region: "eu-west-2" }), CacheSnapshotNotFound);
  });

  describe("resolved once", () => {
    const TAGS = { "recovery:restored-from": "snapshot:sessions-e-0300", "recovery:restore-point": "2026-11-24T03:00:00.000Z" };

    it("answers the snapshot an existing restored group came from, without asking its source, which is gone", async () => {
      await group("sessions-e-recovery", { tags: TAGS });
      assert.deepEqual(await resolveCacheSnapshot("sessions-e", "sessions-e-recovery", { region: "eu-west-2" }), {
        name: "sessions-e-0300",
        createTime: "2026-11-24T03:00:00.000Z",
      });
    });

    it("keeps that snapshot when the source has a newer one since", async () => {
      await group("sessions-f", { snapshots: ["sessions-f-0900"] });
      await group("sessions-f-recovery", { tags: { ...TAGS, "recovery:restored-from": "snapshot:sessions-f-0300" } });
      const client = asAws({ "sessions-f-0900": { nodeSnapshotAt: "2026-11-24T09:00:00Z" } });
      assert.equal((await resolveCacheSnapshot("sessions-f", "sessions-f-recovery", { client })).name, "sessions-f-0300");
    });

    it("asks the source when the restored group does not exist yet", async () => {
      await group("sessions-g", { snapshots: ["sessions-g-0300"] });
      const client = asAws({ "sessions-g-0300": { nodeSnapshotAt: "2026-11-24T03:00:00Z" } });
      assert.deepEqual(await resolveCacheSnapshot("sessions-g", "sessions-g-recovery", { client }), {
        name: "sessions-g-0300",
        createTime: "2026-11-24T03:00:00.000Z",
      });
    });

    it("asks the source again when the restored group is being deleted (a drill's last teardown)", async () => {
      await group("sessions-h", { snapshots: ["sessions-h-0900"] });
      await group("sessions-h-drill", { tags: { ...TAGS, "recovery:restored-from": "snapshot:sessions-h-0100" } });
      await new ElastiCacheClient({ region: "eu-west-2" }).send(new DeleteReplicationGroupCommand({ ReplicationGroupId: "sessions-h-drill" }));
      const client = asAws({ "sessions-h-0900": { nodeSnapshotAt: "2026-11-24T09:00:00Z" } });
      assert.equal((await resolveCacheSnapshot("sessions-h", "sessions-h-drill", { client })).name, "sessions-h-0900");
    });

    it("asks the source when a group of that id exists but was not restored by this project", async () => {
      await group("sessions-i", { snapshots: ["sessions-i-0300"] });
      await group("sessions-i-recovery", { tags: { owner: "someone-else" } });
      const client = asAws({ "sessions-i-0300": { nodeSnapshotAt: "2026-11-24T03:00:00Z" } });
      assert.equal((await resolveCacheSnapshot("sessions-i", "sessions-i-recovery", { client })).name, "sessions-i-0300");
    });
  });
});
