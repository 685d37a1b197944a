import * as assert from "node:assert/strict";
import { exitCode } from "../../blast-radius/render";
import { buildPlan } from "../../plan";
import { loadStack } from "../../stacks";
import { NOW, reportOf } from "./helpers";

/** The judgement of each fixture, asserted whole: what a reviewer would read. */
describe("blast-radius: the fixtures, judged", () => {
  describe("a clean first rebuild (everything created)", () => {
    const report = reportOf("rebuild.json");

    it("is not dangerous and exits 0", () => {
      assert.equal(report.verdict, "clean");
      assert.deepEqual(report.dangers, []);
      assert.equal(exitCode(report), 0);
    });

    it("counts every resource as a create, grouped by plan step kind", () => {
      assert.deepEqual(report.counts, { create: 122 });
      assert.deepEqual(
        report.byKind.map((k) => [k.kind, k.counts.create]),
        [["stack", 1], ["provider", 3], ["environment", 1], ["cluster-config", 4], ["database", 17], ["secret", 8], ["cache", 3], ["bucket", 34], ["service", 35], ["migration", 12], ["smoke", 2], ["traffic", 2]],
      );
    });

    it("estimates the whole plan's RTO, because everything is created", () => {
      const plan = buildPlan(loadStack("recovery", { now: NOW }));
      const e = report.estimate!;
      assert.equal(e.estimatedRtoMinutes, plan.estimatedRtoMinutes);
      assert.equal(e.estimatedRtoMinutes, 73);
      assert.equal(e.sequentialMinutes, plan.sequentialMinutes);
      assert.deepEqual(e.criticalPath, plan.criticalPath);
      assert.equal(e.steps.length, plan.steps.length);
      assert.equal(e.unmappedResources, 5);
    });

    it("counts the smoke gate and its Job under the smoke step", () => {
      assert.deepEqual(report.estimate!.steps.find((s) => s.id === "smoke:api-gateway"), { id: "smoke:api-gateway", estimateMinutes: 5, resources: 2 });
    });
  });

  describe("a second run with nothing to do", () => {
    const report = reportOf("no-changes.json");

    it("lists no change, only the unchanged stack, and exits 0", () => {
      assert.deepEqual(report.counts, { same: 1 });
      assert.deepEqual(report.changes, []);
      assert.equal(exitCode(report), 0);
    });

    it("estimates no time", () => {
      assert.deepEqual(report.estimate!.steps, []);
      assert.equal(report.estimate!.estimatedRtoMinutes, 0);
    });
  });

  describe("the restored database replaced because its snapshot changed", () => {
    const report = reportOf("replace-database.json");

    it("is DANGER with the forcing property and both of its values", () => {
      assert.deepEqual(report.dangers, [
        {
          urn: "urn:pulumi:recovery::recovery-stacks::recovery:environment:RecoveryEnvironment$recovery:database:RestoredDatabase$aws:rds/instance:Instance::database-orders-db",
          name: "database-orders-db",
          type: "aws:rds/instance:Instance",
          op: "replace",
          rule: "stateful-replace",
          why: 'RDS instance database-orders-db (lomash-orders-prod-recovery) is replaced: the old one is deleted with everything written to it, a new one is created from scratch; forced by snapshotIdentifier "rds:lomash-orders-prod-2026-11-24-03-10" → "rds:lomash-orders-prod-2026-11-25-03-10" (update-replace)',
        },
      ]);
      assert.equal(exitCode(report), 4);
    });

    it("does not call a replaced Job or an updated Secret dangerous", () => {
      assert.deepEqual(
        report.changes.map((c) => [c.op, c.name, c.stateful ?? null]),
        [
          ["replace", "database-orders-db", "RDS instance"],
          ["update", "service-order-payment-env", "Kubernetes secret"],
          ["replace", "migration-order-payment-job", null],
        ],
      );
    });

    it("prices the replacement as a second restore plus the migrations that follow it", () => {
      const e = report.estimate!;
      assert.deepEqual(e.steps, [
        { id: "database:orders", estimateMinutes: 40, resources: 1 },
        { id: "migration:order-payment", estimateMinutes: 5, resources: 1 },
      ]);
      assert.equal(e.estimatedRtoMinutes, 45);
      assert.deepEqual(e.criticalPath, ["database:orders", "migration:order-payment"]);
    });
  });

  describe("a bucket dropped from the program", () => {
    const report = reportOf("delete-bucket.json");

    it("is DANGER for the bucket and its access-log bucket only, not for its sync Job or versioning", () => {
      assert.deepEqual(
        report.dangers.map((d) => [d.rule, d.name, d.why]),
        [
          ["stateful-delete", "bucket-uploads-logs-bucket", "bucket bucket-uploads-logs-bucket (lomash-wood-uploads-prod-recovery-logs) is deleted, with what it holds; it is no longer in the program"],
          ["stateful-delete", "bucket-uploads-bucket", "bucket bucket-uploads-bucket (lomash-wood-uploads-prod-recovery) is deleted, with what it holds; it is no longer in the program"],
        ],
      );
      assert.equal(exitCode(report), 4);
    });

    it("counts sixteen deletes (the component and everything under it) and one update", () => {
      assert.deepEqual(report.counts, { update: 1, delete: 16, same: 1 });
    });
  });

  describe("an update touching a resource of the source inventory", () => {
    const report = reportOf("update-source.json");

    it("is DANGER naming the production bucket it writes to", () => {
      assert.deepEqual(
        report.dangers.map((d) => [d.rule, d.op, d.name, d.why]),
        [
          [
            "source-touched",
            "update",
            "bucket-media-policy",
            'update touches a production resource named in the source inventory: bucket "lomash-wood-media-prod-replica" (old and new state); a recovery never writes to the source',
          ],
        ],
      );
      assert.equal(exitCode(report), 4);
    });

    it("leaves the gateway's image update alone", () => {
      assert.deepEqual(report.changes.map((c) => [c.op, c.name, c.step]), [
        ["update", "bucket-media-policy", "bucket:media"],
        ["update", "service-api-gateway-deployment", "service:api-gateway"],
      ]);
    });
  });

  describe("a drill teardown", () => {
    const report = reportOf("drill-teardown.json", "drill");

    it("lists the drill's stateful deletes as its teardown, not as DANGER, and exits 0", () => {
      assert.deepEqual(report.dangers, []);
      assert.equal(report.teardowns.length, 27);
      assert.deepEqual(
        [...new Set(report.teardowns.map((t) => t.stateful))].sort(),
        ["Kubernetes secret", "RDS instance", "bucket", "namespace"],
      );
      assert.equal(exitCode(report), 0);
    });

    it("counts every resource but the stack as deleted", () => {
      assert.deepEqual(report.counts, { delete: 119, same: 1 });
    });
  });
});
