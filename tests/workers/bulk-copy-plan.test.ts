import { strict as assert } from "node:assert";
import { planBulkCopy, syncJobMinutes } from "../../workers/bulk-copy-plan";

describe("bulk copy plan: one sync Job, or S3 Batch Operations past a threshold", () => {
  it("keeps a bucket of 5,000 objects on the sync Job even with an inventory", () => {
    const plan = planBulkCopy({ objects: 5000, inventoryConfigured: true });
    assert.equal(plan.mode, "sync-job");
    assert.equal(plan.minutes.total, plan.minutes.syncJob);
    assert.equal(plan.minutes.syncJob, (5000 * 72) / 32 / 60_000);
  });

  it("copies a hundred million objects with Batch Operations and the sync Job for the delta", () => {
    const plan = planBulkCopy({ objects: 100_000_000, inventoryConfigured: true });
    assert.equal(plan.mode, "batch-operations");
    // 15 min setup + 1e8 objects at 1,000 tasks/s; the delta Job lists 100,000 pages at 100 ms.
    assert.equal(plan.minutes.batch, 15 + 100_000_000 / 1000 / 60);
    assert.equal(plan.minutes.delta, (100_000 * 100) / 60_000);
    assert.equal(plan.minutes.total, plan.minutes.batch! + plan.minutes.delta!);
    assert.equal(plan.minutes.syncJob, (100_000_000 * 72) / 32 / 60_000);
  });

  it("stays on the sync Job without an inventory report, and says why", () => {
    const plan = planBulkCopy({ objects: 100_000_000 });
    assert.equal(plan.mode, "sync-job");
    assert.equal(
      plan.reason,
      "no S3 Inventory report of the replica exists (a first report takes up to 48 hours), so one sync Job copies everything",
    );
  });

  it("switches between 700,000 and 900,000 objects at the default rates", () => {
    assert.equal(planBulkCopy({ objects: 700_000, inventoryConfigured: true }).mode, "sync-job");
    assert.equal(planBulkCopy({ objects: 900_000, inventoryConfigured: true }).mode, "batch-operations");
  });

  it("never assumes more than S3's 3,500 COPY requests per second per prefix", () => {
    const plan = planBulkCopy({ objects: 42_000_000, inventoryConfigured: true, batchObjectsPerSecond: 1_000_000, batchSetupMinutes: 0, prefixes: 2 });
    assert.equal(plan.minutes.batch, 42_000_000 / 7000 / 60);
  });

  it("times the sync Job by the slower of its listing and its copies", () => {
    assert.equal(syncJobMinutes(1_000_000, { objects: 1_000_000, concurrency: 10_000, copyMs: 72, listPageMs: 100 }), (1000 * 100) / 60_000);
  });
});
