import { strict as assert } from "node:assert";
import { runProgram, type ProgramRun } from "../../mocked-program/pulumi-mocks";

const RDS = "aws:rds/instance:Instance";

/** The example stacks' RDS instances against the inventory's recorded configuration (Pulumi.prod.yaml). */
describe("the whole program: restored databases configured like production", () => {
  let recovery: ProgramRun;
  let drill: ProgramRun;

  before(async () => {
    recovery = await runProgram("recovery");
    drill = await runProgram("drill");
  });

  it("names production's custom parameter group on every restored instance of the recovery stack, whatever the method", () => {
    const groups = recovery.ofType(RDS).map((r) => [r.name, r.inputs.parameterGroupName]);
    assert.deepEqual(groups, [
      ["database-identity-db", "lomash-wood-postgres15"],
      ["database-catalog-db", "lomash-wood-postgres15"],
      ["database-orders-db", "lomash-wood-postgres15"],
      ["database-appointments-db", "lomash-wood-postgres15"],
      ["database-analytics-db", "lomash-wood-postgres15"],
    ]);
  });

  it("carries the CA, log exports, monitoring, Performance Insights and IAM auth of the inventory in the recovery stack", () => {
    for (const r of recovery.ofType(RDS))
      assert.deepEqual(
        {
          ca: r.inputs.caCertIdentifier,
          logs: r.inputs.enabledCloudwatchLogsExports,
          monitoring: [r.inputs.monitoringInterval, r.inputs.monitoringRoleArn],
          pi: [r.inputs.performanceInsightsEnabled, r.inputs.performanceInsightsRetentionPeriod, r.inputs.performanceInsightsKmsKeyId],
          iam: r.inputs.iamDatabaseAuthenticationEnabled,
        },
        {
          ca: "rds-ca-rsa2048-g1",
          logs: ["postgresql", "upgrade"],
          monitoring: [60, "arn:aws:iam::123456789012:role/lomash-wood-rds-monitoring"],
          pi: [true, 7, "arn:aws:kms:eu-west-2:123456789012:key/8c1d2f7e-1b0a-4a41-9d0e-6f1e2d3c4b5a"],
          iam: false,
        },
        r.name,
      );
  });

  it("turns enhanced monitoring off in the drill, as Pulumi.drill.yaml overrides, and keeps the rest of production's configuration", () => {
    for (const r of drill.ofType(RDS)) {
      assert.equal(r.inputs.monitoringInterval, 0, r.name);
      assert.equal(r.inputs.monitoringRoleArn, undefined, r.name);
      assert.equal(r.inputs.parameterGroupName, "lomash-wood-postgres15", r.name);
      assert.equal(r.inputs.performanceInsightsEnabled, true, r.name);
    }
  });
});
