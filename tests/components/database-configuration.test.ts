import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { LogicalRestore, RestoredDatabase, validateRestoredDatabaseArgs } from "../../components";
import { startMocks, type Recording } from "../../mocked-program/pulumi-mocks";
import type { DatabaseConfiguration } from "../../stacks/types";
import { databaseArgs, logicalArgs } from "./fixtures";

const RDS = "aws:rds/instance:Instance";

/** The inventory's configuration of a database, as Pulumi.prod.yaml records it. */
const PRODUCTION: DatabaseConfiguration = {
  parameterGroup: "lomash-wood-postgres15",
  optionGroup: "lomash-wood-postgres15-options",
  caCertificateIdentifier: "rds-ca-rsa2048-g1",
  logExports: ["postgresql", "upgrade"],
  monitoring: { intervalSeconds: 60, roleArn: "arn:aws:iam::123456789012:role/lomash-wood-rds-monitoring" },
  performanceInsights: { enabled: true, retentionDays: 7, kmsKeyId: "arn:aws:kms:eu-west-2:123456789012:key/8c1d2f7e" },
  iamAuth: true,
};

/** What aws.rds.Instance takes for PRODUCTION: one input per recorded setting. */
const PRODUCTION_INPUTS = {
  parameterGroupName: "lomash-wood-postgres15",
  optionGroupName: "lomash-wood-postgres15-options",
  caCertIdentifier: "rds-ca-rsa2048-g1",
  enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
  iamDatabaseAuthenticationEnabled: true,
  monitoringInterval: 60,
  monitoringRoleArn: "arn:aws:iam::123456789012:role/lomash-wood-rds-monitoring",
  performanceInsightsEnabled: true,
  performanceInsightsRetentionPeriod: 7,
  performanceInsightsKmsKeyId: "arn:aws:kms:eu-west-2:123456789012:key/8c1d2f7e",
};

const configurationOf = (inputs: Record<string, unknown>) =>
  Object.fromEntries(Object.keys(PRODUCTION_INPUTS).filter((k) => k in inputs).map((k) => [k, inputs[k]]));

async function registered(make: () => pulumi.ComponentResource): Promise<Recording> {
  const rec = await startMocks({ stack: "recovery" });
  make();
  await rec.settle();
  return rec;
}

describe("restored databases carry production's configuration", () => {
  it("gives a point-in-time restore the inventory's parameter group, option group, CA, log exports, monitoring, Performance Insights and IAM auth", async () => {
    const rec = await registered(() => new RestoredDatabase("database-orders", databaseArgs({ configuration: PRODUCTION })));
    const inputs = rec.one(RDS, "database-orders-db").inputs;
    assert.deepEqual(configurationOf(inputs), PRODUCTION_INPUTS);
    assert.deepEqual(inputs.restoreToPointInTime, { sourceDbInstanceIdentifier: "lomash-orders-prod", useLatestRestorableTime: true });
  });

  it("gives a snapshot restore the same configuration", async () => {
    const rec = await registered(() => new RestoredDatabase("database-orders", databaseArgs({ method: "snapshot", configuration: PRODUCTION })));
    const inputs = rec.one(RDS, "database-orders-db").inputs;
    assert.deepEqual(configurationOf(inputs), PRODUCTION_INPUTS);
    assert.equal(inputs.snapshotIdentifier, "rds:lomash-orders-prod-2026-11-24-03-00");
  });

  it("gives a logical restore's new instance the same configuration", async () => {
    const rec = await registered(() => new LogicalRestore("database-orders", logicalArgs({ configuration: PRODUCTION })));
    assert.deepEqual(configurationOf(rec.one(RDS, "database-orders-db").inputs), PRODUCTION_INPUTS);
  });

  it("names no parameter group, monitoring or Performance Insights when the inventory records none, leaving AWS's defaults", async () => {
    const rec = await registered(() => new RestoredDatabase("database-orders", databaseArgs({ configuration: { logExports: [], iamAuth: false } })));
    assert.deepEqual(configurationOf(rec.one(RDS, "database-orders-db").inputs), {
      enabledCloudwatchLogsExports: [],
      iamDatabaseAuthenticationEnabled: false,
    });
  });

  it("turns Performance Insights off without its retention or key, and monitoring off without a role", async () => {
    const configuration: DatabaseConfiguration = { ...PRODUCTION, monitoring: { intervalSeconds: 0 }, performanceInsights: { enabled: false } };
    const rec = await registered(() => new RestoredDatabase("database-orders", databaseArgs({ mode: "drill", stack: "drill", identifier: "lomash-orders-prod-drill", configuration })));
    const inputs = configurationOf(rec.one(RDS, "database-orders-db").inputs);
    assert.equal(inputs.monitoringInterval, 0);
    assert.equal(inputs.performanceInsightsEnabled, false);
    assert.equal(inputs.monitoringRoleArn, undefined);
    assert.equal(inputs.performanceInsightsRetentionPeriod, undefined);
    assert.equal(inputs.performanceInsightsKmsKeyId, undefined);
  });

  it("refuses enhanced monitoring without its role, before anything is created", () => {
    const configuration: DatabaseConfiguration = { ...PRODUCTION, monitoring: { intervalSeconds: 60 } };
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ configuration })), [
      "configuration.monitoring.roleArn: enhanced monitoring every 60 s needs the role RDS publishes the metrics with; add roleArn (`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].MonitoringRoleArn'` prints the source's), or set intervalSeconds: 0 to turn monitoring off",
    ]);
  });

  it("refuses a Performance Insights key given as an alias, since it can never be changed once set", () => {
    const configuration: DatabaseConfiguration = { ...PRODUCTION, performanceInsights: { enabled: true, kmsKeyId: "alias/pi" } };
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ configuration })), [
      'configuration.performanceInsights.kmsKeyId: the string "alias/pi" is not a KMS key ARN; kmsKeyId is replace-only and a restore cannot change it, so give the full key ARN (arn:aws:kms:<region>:<account>:key/<id>), which `aws kms describe-key --key-id alias/pi --query KeyMetadata.Arn --output text` prints',
    ]);
  });

  it("refuses a parameter group name RDS would refuse", () => {
    assert.deepEqual(validateRestoredDatabaseArgs(databaseArgs({ configuration: { ...PRODUCTION, parameterGroup: "lomash_wood" } })), [
      'configuration.parameterGroup: the string "lomash_wood" is not an RDS parameter or option group name (a letter, then letters, digits and single hyphens, not ending in one); give the group\'s name as `aws rds describe-db-instances --db-instance-identifier <identifier> --query \'DBInstances[0].[DBParameterGroups[0].DBParameterGroupName,OptionGroupMemberships[0].OptionGroupName]\'` prints it',
    ]);
  });
});
