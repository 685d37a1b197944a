import { strict as assert } from "node:assert";
import { readStackConfig } from "../../stacks";
import { runProgram, type ProgramRun } from "../../mocked-program/pulumi-mocks";

/**
 * What the real providers need of the whole program (docs/components.md, "What the real providers
 * do"), asserted on the registrations the engine would receive for the example stacks.
 */
const RDS = "aws:rds/instance:Instance";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const tagsOf = (inputs: Record<string, unknown>) => (inputs.tags ?? {}) as Record<string, string>;

describe("the whole program against what the real providers do", () => {
  let recovery: ProgramRun;

  before(async () => {
    recovery = await runProgram("recovery");
  });

  it("gives every RDS instance of the recovery stack the long default timeouts", () => {
    const timeouts = recovery.ofType(RDS).map((r) => [r.name, r.customTimeouts]);
    assert.equal(timeouts.length, 5);
    for (const [name, t] of timeouts) assert.deepEqual(t, { create: "4h", update: "2h", delete: "2h" }, String(name));
  });

  it("restores every database that has a DbiResourceId in the inventory by it", () => {
    const pitr = recovery.ofType(RDS).filter((r) => r.inputs.restoreToPointInTime !== undefined);
    assert.deepEqual(
      pitr.map((r) => [r.name, r.inputs.restoreToPointInTime]),
      [
        ["database-identity-db", { sourceDbiResourceId: "db-7KQ2M4XN5RBW3TJ6HZC8VYDPLA", useLatestRestorableTime: true }],
        ["database-catalog-db", { sourceDbiResourceId: "db-R3F8WQ2ZK5NJ7HX4MC6TBVYPGE", useLatestRestorableTime: true }],
        ["database-orders-db", { sourceDbiResourceId: "db-H6TZP3QK8XW2NR5MJ7CBV4YLDF", useLatestRestorableTime: true }],
        ["database-appointments-db", { sourceDbiResourceId: "db-N2XK7WB4QJ8ZR3TF6HMC5VPYLG", useLatestRestorableTime: true }],
      ],
    );
  });

  it("tags every AWS resource it creates with the stack and the source, so a teardown can find what is not in state", () => {
    const aws = recovery.resources.filter((r) => r.custom && r.type.startsWith("aws:") && "tags" in r.inputs);
    // The example's cache is in the cluster (seed 004), so the AWS resources are the databases' and buckets'.
    assert.ok(aws.length >= 7);
    for (const r of aws) {
      assert.equal(tagsOf(r.inputs)["recovery:stack"], "recovery", r.name);
      assert.ok(tagsOf(r.inputs)["recovery:source"], r.name);
    }
  });

  it("takes the stack's timeouts from recovery:timeouts for every instance and the Ingress", async () => {
    const config = { ...readStackConfig("recovery"), "recovery:timeouts": { database: { create: "6h" }, traffic: { create: "45m" } } };
    const run = await runProgram("recovery", { config });
    for (const r of run.ofType(RDS)) assert.deepEqual(r.customTimeouts, { create: "6h", update: "2h", delete: "2h" }, r.name);
    assert.deepEqual(run.one(INGRESS, "traffic-api-gateway-ingress").customTimeouts, { create: "45m", update: "45m" });
  });

  it("asks the logical restore's empty instance for the source's major version", () => {
    assert.equal(recovery.one(RDS, "database-analytics-db").inputs.engineVersion, "15");
  });

  it("re-runs the logical restore only when restoreRun asks, as a new Job", async () => {
    const base = readStackConfig("recovery");
    const config = { ...base, "recovery:databases": { analytics: { method: "logical", restoreRun: 1 } } };
    const run = await runProgram("recovery", { config });
    const jobs = run.ofType("kubernetes:batch/v1:Job").map((j) => j.name).filter((n) => n.startsWith("database-analytics"));
    assert.deepEqual(jobs, ["database-analytics-restore-run-1"]);
  });
});
