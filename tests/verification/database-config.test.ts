import { strict as assert } from "node:assert";
import {
  CreateDBInstanceCommand,
  CreateDBParameterGroupCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  type DBInstance,
} from "@aws-sdk/client-rds";
import type { DatabaseConfiguration } from "../../stacks/types";
import { compareConfiguration, databaseConfigCheck } from "../../verification/checks/database-config";
import { startMoto, type LocalAws } from "../support/moto";

const ID = "lomash-orders-prod-recovery";
const GROUP = "lomash-wood-postgres15";
/** What moto 5.2.1 holds and reports of an instance: no enhanced monitoring, no Performance Insights. */
const RECORDED: DatabaseConfiguration = {
  parameterGroup: GROUP,
  caCertificateIdentifier: "rds-ca-rsa2048-g1",
  logExports: ["postgresql", "upgrade"],
  iamAuth: true,
};

describe("verify: database.configuration against moto's DescribeDBInstances", function () {
  this.timeout(60_000);
  let aws: LocalAws | undefined;
  let rds: RDSClient;

  before(async function () {
    this.timeout(60_000);
    aws = await startMoto();
    rds = new RDSClient({ region: "eu-west-2" });
    await rds.send(new CreateDBParameterGroupCommand({ DBParameterGroupName: GROUP, DBParameterGroupFamily: "postgres15", Description: "production's settings" }));
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: ID,
        Engine: "postgres",
        EngineVersion: "15.7",
        DBInstanceClass: "db.r6g.large",
        AllocatedStorage: 20,
        MasterUsername: "lomash_admin",
        MasterUserPassword: "not-a-real-password",
        DBParameterGroupName: GROUP,
        CACertificateIdentifier: "rds-ca-rsa2048-g1",
        EnableCloudwatchLogsExports: ["postgresql", "upgrade"],
        EnableIAMDatabaseAuthentication: true,
      }),
    );
  });

  after(async () => {
    rds?.destroy();
    await aws?.stop();
  });

  const run = (expected: DatabaseConfiguration) =>
    databaseConfigCheck({ name: "orders", identifier: ID, stack: "recovery", expected, rds }).run(AbortSignal.timeout(10_000));

  it("passes an instance configured as the inventory records, naming what it compared", async () => {
    assert.deepEqual(await run(RECORDED), {
      ok: true,
      detail: "configured as the inventory records: parameter group lomash-wood-postgres15 (in-sync), CA rds-ca-rsa2048-g1, log exports postgresql, upgrade, IAM auth on",
    });
  });

  it("fails an instance running another parameter group, saying a restore attaches the default unless one is named", async () => {
    const result = await run({ ...RECORDED, parameterGroup: "lomash-wood-postgres15-v2" });
    assert.deepEqual(result, {
      ok: false,
      detail: `${ID} runs parameter group lomash-wood-postgres15, the inventory records lomash-wood-postgres15-v2: a restore attaches the engine's default unless one is named, so production's settings are missing; run \`pulumi up --stack recovery\` (the instance names it), then reboot it`,
    });
  });

  it("fails an instance whose CA is not the inventory's, naming the provider gap and the second up", async () => {
    const result = await run({ ...RECORDED, caCertificateIdentifier: "rds-ca-ecc384-g1" });
    assert.equal(result.ok, false);
    assert.equal(
      result.detail,
      `${ID} presents a certificate from rds-ca-rsa2048-g1, the inventory records rds-ca-ecc384-g1, so clients that trust only production's CA refuse it; the provider does not send the CA with a restore (hashicorp/terraform-provider-aws#35711): run \`pulumi up --stack recovery\` again, which applies it with a ModifyDBInstance`,
    );
  });

  it("fails an instance missing a log export and with IAM auth off, every difference in one detail", async () => {
    const result = await run({ ...RECORDED, logExports: ["postgresql", "upgrade", "iam-db-auth-error"], iamAuth: false });
    assert.deepEqual(result, {
      ok: false,
      detail: [
        `${ID} exports logs postgresql, upgrade to CloudWatch, the inventory records postgresql, upgrade, iam-db-auth-error; run \`pulumi up --stack recovery\``,
        `IAM database authentication is on on ${ID}, the inventory records off; run \`pulumi up --stack recovery\``,
      ].join("; "),
    });
  });

  it("passes Performance Insights only by name in its detail when the endpoint does not report it (moto 5.2.1), never as compared", async () => {
    const result = await run({ ...RECORDED, performanceInsights: { enabled: true, retentionDays: 7 } });
    assert.equal(result.ok, true);
    assert.match(result.detail, /; not reported by this endpoint, so not compared: Performance Insights$/);
  });

  it("fails an enhanced-monitoring interval that differs once the endpoint reports it (after a ModifyDBInstance)", async () => {
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: ID, MonitoringInterval: 30, ApplyImmediately: true }));
    const result = await run({ ...RECORDED, monitoring: { intervalSeconds: 60, roleArn: "arn:aws:iam::123456789012:role/lomash-wood-rds-monitoring" } });
    assert.equal(result.ok, false);
    assert.equal(
      result.detail,
      `${ID} samples enhanced monitoring every 30 s, the inventory records 60 s; the provider sets it with a ModifyDBInstance right after the restore: run \`pulumi up --stack recovery\` again`,
    );
  });

  it("fails a restored instance that does not exist", async () => {
    const check = databaseConfigCheck({ name: "orders", identifier: "lomash-nothing-recovery", stack: "recovery", expected: RECORDED, rds });
    await assert.rejects(check.run(AbortSignal.timeout(10_000)), /DBInstanceNotFound|not found/i);
  });

  it("reads the instance as moto stores it: parameter group in-sync, CA, log exports and IAM auth reported", async () => {
    const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: ID }));
    const i = DBInstances![0];
    assert.deepEqual(
      [i.DBParameterGroups, i.CACertificateIdentifier, i.EnabledCloudwatchLogsExports, i.IAMDatabaseAuthenticationEnabled, i.PerformanceInsightsEnabled],
      [[{ DBParameterGroupName: GROUP, ParameterApplyStatus: "in-sync" }], "rds-ca-rsa2048-g1", ["postgresql", "upgrade"], true, undefined],
    );
  });
});

describe("verify: compareConfiguration on what AWS reports", () => {
  const where = { identifier: ID, stack: "recovery" };
  const instance = (o: Partial<DBInstance> = {}): DBInstance => ({
    DBParameterGroups: [{ DBParameterGroupName: GROUP, ParameterApplyStatus: "in-sync" }],
    CACertificateIdentifier: "rds-ca-rsa2048-g1",
    EnabledCloudwatchLogsExports: ["upgrade", "postgresql"],
    IAMDatabaseAuthenticationEnabled: true,
    MonitoringInterval: 60,
    MonitoringRoleArn: "arn:aws:iam::123456789012:role/lomash-wood-rds-monitoring",
    PerformanceInsightsEnabled: true,
    PerformanceInsightsRetentionPeriod: 7,
    ...o,
  });
  const full: DatabaseConfiguration = {
    ...RECORDED,
    monitoring: { intervalSeconds: 60, roleArn: "arn:aws:iam::123456789012:role/lomash-wood-rds-monitoring" },
    performanceInsights: { enabled: true, retentionDays: 7 },
  };

  it("finds nothing to say of an instance configured as recorded, log exports in any order", () => {
    assert.deepEqual(compareConfiguration(full, instance(), where).differences, []);
  });

  it("says to reboot when the parameter group is pending-reboot, since static parameters apply only then", () => {
    const pending = instance({ DBParameterGroups: [{ DBParameterGroupName: GROUP, ParameterApplyStatus: "pending-reboot" }] });
    assert.deepEqual(compareConfiguration(full, pending, where).differences, [
      `parameter group ${GROUP} is attached to ${ID} but pending-reboot: static parameters such as shared_preload_libraries apply only after a reboot; reboot it before traffic (\`aws rds reboot-db-instance --db-instance-identifier ${ID}\`, a minute or two), then verify again`,
    ]);
  });

  it("says to wait while the parameter group is still applying", () => {
    const applying = instance({ DBParameterGroups: [{ DBParameterGroupName: GROUP, ParameterApplyStatus: "applying" }] });
    assert.deepEqual(compareConfiguration(full, applying, where).differences, [
      `parameter group ${GROUP} of ${ID} is applying, not in-sync; wait until it is applied, then verify again`,
    ]);
  });

  it("names the engine's default group a restore attached when none was named", () => {
    const defaulted = instance({ DBParameterGroups: [{ DBParameterGroupName: "default.postgres15", ParameterApplyStatus: "in-sync" }] });
    assert.match(compareConfiguration(full, defaulted, where).differences[0], /^lomash-orders-prod-recovery runs parameter group default\.postgres15, the inventory records lomash-wood-postgres15/);
  });

  it("says Performance Insights is off after a point-in-time restore and that the next up applies it", () => {
    assert.deepEqual(compareConfiguration(full, instance({ PerformanceInsightsEnabled: false }), where).differences, [
      "Performance Insights is off on lomash-orders-prod-recovery, the inventory records on; a restore does not take Performance Insights, the provider applies it with a ModifyDBInstance (after a point-in-time restore only on the next up): run `pulumi up --stack recovery` again",
    ]);
  });

  it("compares no parameter group when the inventory records none", () => {
    const { parameterGroup: _none, ...withoutGroup } = full;
    void _none;
    const defaulted = instance({ DBParameterGroups: [{ DBParameterGroupName: "default.postgres15", ParameterApplyStatus: "in-sync" }] });
    assert.deepEqual(compareConfiguration(withoutGroup, defaulted, where).differences, []);
  });
});
