import { strict as assert } from "node:assert";
import { CacheSnapshotNotFound } from "../../components/cache-snapshot-lookup";
import { RestoredCache, type CacheSnapshotLookup } from "../../components/restored-cache";
import { promiseOf, startMocks } from "../../mocked-program/pulumi-mocks";
import { changedPaths, uncoveredPaths } from "../support/pinned-paths";
import { cacheArgs } from "./fixtures";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const answering = (name: string, createTime: string): CacheSnapshotLookup => async () => ({ name, createTime });

describe("RestoredCache: the latest snapshot, resolved once", () => {
  it("asks the lookup for the source group's snapshot, telling it the restored group's id", async () => {
    const rec = await startMocks();
    const asked: unknown[] = [];
    new RestoredCache("cache-sessions", cacheArgs({ lookup: async (...a) => (asked.push(a), { name: "s-0300", createTime: "2026-11-24T03:00:00.000Z" }) }));
    await rec.settle();
    assert.deepEqual(asked, [["lomash-wood-redis-prod", { restoredReplicationGroupId: "lomash-wood-redis-prod-recovery" }]]);
  });

  it("restores from the snapshot the lookup resolved and tags the group with it", async () => {
    const rec = await startMocks();
    const cache = new RestoredCache("cache-sessions", cacheArgs({ lookup: answering("s-0300", "2026-11-24T03:00:00.000Z") }));
    await rec.settle();
    const group = rec.one(GROUP, "cache-sessions-redis");
    assert.equal(group.inputs.snapshotName, "s-0300");
    assert.deepEqual(group.inputs.tags, {
      "recovery:stack": "recovery",
      "recovery:source": "lomash-wood-redis-prod",
      "recovery:restored-from": "snapshot:s-0300",
      "recovery:restore-point": "2026-11-24T03:00:00.000Z",
    });
    assert.equal(await promiseOf(cache.snapshotName), "s-0300");
  });

  it("gives the group a description that no lookup changes", async () => {
    const rec = await startMocks();
    new RestoredCache("cache-sessions", cacheArgs({ lookup: answering("s-0300", "2026-11-24T03:00:00.000Z") }));
    await rec.settle();
    assert.equal(
      rec.one(GROUP, "cache-sessions-redis").inputs.description,
      "Restored from lomash-wood-redis-prod (recovery); the snapshot is in tag recovery:restored-from",
    );
  });

  it("changes no input outside ignoreChanges when a second up's lookup answers a newer snapshot", async () => {
    const runs = [];
    for (const [name, time] of [["s-0300", "2026-11-24T03:00:00.000Z"], ["s-0900", "2026-11-24T09:00:00.000Z"]]) {
      const rec = await startMocks();
      new RestoredCache("cache-sessions", cacheArgs({ lookup: answering(name, time) }));
      await rec.settle();
      runs.push(rec.one(GROUP, "cache-sessions-redis"));
    }
    const changed = changedPaths(runs[0].inputs, runs[1].inputs);
    assert.deepEqual(changed, ["snapshotName", 'tags["recovery:restore-point"]', 'tags["recovery:restored-from"]']);
    assert.deepEqual(uncoveredPaths(changed, runs[1].ignoreChanges), []);
  });

  it("passes the lookup's own message on when no snapshot can be restored", async () => {
    await startMocks();
    const cache = new RestoredCache(
      "cache-sessions",
      cacheArgs({ lookup: async () => Promise.reject(new CacheSnapshotNotFound('replication group "lomash-wood-redis-prod" has no available snapshot in eu-west-2; wait')) }),
    );
    await assert.rejects(promiseOf(cache.snapshotName), {
      message: 'RestoredCache: replication group "lomash-wood-redis-prod" has no available snapshot in eu-west-2; wait',
    });
  });

  it("names the group and the fix when the lookup itself fails (credentials, network)", async () => {
    await startMocks();
    const cache = new RestoredCache(
      "cache-sessions",
      cacheArgs({ lookup: async () => Promise.reject(new Error("Could not load credentials from any providers\n    at stack")) }),
    );
    await assert.rejects(promiseOf(cache.snapshotName), {
      message:
        'RestoredCache: could not look up the newest snapshot of replication group "lomash-wood-redis-prod" (Could not load credentials from any providers); check the AWS credentials and aws:region, or name a snapshot under recovery:caches.<name>.snapshot',
    });
  });
});

describe("RestoredCache: production's parameter group (issue 19)", () => {
  const named = "cache-sessions-redis";

  it("gives the restored group the inventory's parameter group, which a snapshot restore does not carry over", async () => {
    const rec = await startMocks();
    new RestoredCache("cache-sessions", cacheArgs({ lookup: answering("s-0300", "2026-11-24T03:00:00.000Z"), parameterGroupName: "lomash-wood-redis7" }));
    await rec.settle();
    assert.equal(rec.one(GROUP, named).inputs.parameterGroupName, "lomash-wood-redis7");
  });

  it("leaves the engine's default parameter group when the inventory names none", async () => {
    const rec = await startMocks();
    new RestoredCache("cache-sessions", cacheArgs({ lookup: answering("s-0300", "2026-11-24T03:00:00.000Z") }));
    await rec.settle();
    assert.equal(rec.one(GROUP, named).inputs.parameterGroupName, undefined);
  });
});
