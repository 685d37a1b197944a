import { strict as assert } from "node:assert";
import { ModifyDBInstanceCommand } from "@aws-sdk/client-rds";
import { parse } from "yaml";
import { awsClients } from "../../readiness/aws";
import { runReadiness, type ReadinessRun } from "../../readiness/run";
import { suggestYaml } from "../../readiness/suggest";
import { loadStack, type RecoveryConfig } from "../../stacks";
import type { StackFiles } from "../support/stack-files";
import { createDatabase, createParameterGroup, itemOf, rds, useMotoFleet } from "../support/fleet";

const ENGINE_UNCHECKED = "could not check that postgres 15.7 is still offered (DescribeDBEngineVersions is not implemented by this endpoint)";
const UNREPORTED = (id: string) =>
  `DescribeDBInstances reports no MonitoringInterval or PerformanceInsightsEnabled for ${id}, so enhanced monitoring and Performance Insights could not be compared with the inventory`;

describe("readiness against moto: production's configuration against the inventory's record", function () {
  this.timeout(120_000);
  const fleet = useMotoFleet();
  let recovery: RecoveryConfig;

  before(() => {
    recovery = loadStack("recovery");
  });

  const build = async (edit?: (files: StackFiles) => void): Promise<void> => {
    await fleet.build(recovery, {}, edit);
  };
  const check = (): Promise<ReadinessRun> => runReadiness({ config: fleet.stack!.config, root: fleet.stack!.root, aws: awsClients(10_000) });
  const item = (run: ReadinessRun, name: string) => itemOf(run.report, "database", name);

  it("finds no drift in a fleet configured as recorded, and says what the endpoint did not report", async () => {
    await build();
    const run = await check();
    const orders = item(run, "orders");
    assert.deepEqual([orders.status, orders.problems], ["warn", [ENGINE_UNCHECKED]]);
    assert.ok(orders.notes.includes(UNREPORTED("lomash-orders-prod")), orders.notes.join("\n"));
    assert.deepEqual(run.inventoryUpdates, []);
  });

  it("reports a parameter group production switched to since the inventory was written, with the fix", async () => {
    await build();
    await createParameterGroup("lomash-wood-postgres15-v2");
    await rds().send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "lomash-orders-prod", DBParameterGroupName: "lomash-wood-postgres15-v2", ApplyImmediately: true }));
    const run = await check();
    const orders = item(run, "orders");
    assert.equal(orders.status, "warn");
    assert.deepEqual(orders.problems, [
      ENGINE_UNCHECKED,
      "lomash-orders-prod has parameterGroup lomash-wood-postgres15-v2 now, the inventory records lomash-wood-postgres15, so a restore would attach lomash-wood-postgres15 and miss production's settings; update parameterGroup in the inventory (npm run readiness -- --suggest prints it)",
    ]);
    assert.deepEqual(run.inventoryUpdates, [{ name: "orders", id: "lomash-orders-prod", fields: { parameterGroup: "lomash-wood-postgres15-v2" } }]);
    assert.deepEqual(item(run, "catalog").problems, [ENGINE_UNCHECKED]);
  });

  it("reports log exports and IAM auth turned on in production but not recorded", async () => {
    await build();
    await rds().send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: "lomash-catalog-prod",
        CloudwatchLogsExportConfiguration: { EnableLogTypes: ["iam-db-auth-error"] },
        EnableIAMDatabaseAuthentication: true,
        ApplyImmediately: true,
      }),
    );
    const run = await check();
    assert.deepEqual(item(run, "catalog").problems.slice(1), [
      "lomash-catalog-prod has logExports [postgresql, upgrade, iam-db-auth-error] now, the inventory records [postgresql, upgrade], so a restore would export other logs; update logExports in the inventory (npm run readiness -- --suggest prints it)",
      "lomash-catalog-prod has iamAuth true now, the inventory records false, so a restore would treat IAM logins unlike production; update iamAuth in the inventory (npm run readiness -- --suggest prints it)",
    ]);
  });

  it("fails a database whose named parameter group does not exist in the region, since the restore would fail", async () => {
    await build((files) => {
      const dbs = files.prod.config["recovery:databases"] as Record<string, unknown>[];
      dbs[3].parameterGroup = "lomash-wood-postgres16";
    });
    const run = await check();
    const appointments = item(run, "appointments");
    assert.equal(appointments.status, "fail");
    assert.ok(
      appointments.problems.includes(
        "parameter group lomash-wood-postgres16 does not exist in eu-west-2, so the restore would fail with DBParameterGroupNotFound; create it there (aws rds copy-db-parameter-group, or from production's settings) or fix recovery:databases[].parameterGroup (or recovery:databases.appointments.parameterGroup)",
      ),
      appointments.problems.join("\n"),
    );
  });

  it("prints the drifted fields with --suggest as comments after the new entries, still valid YAML", async () => {
    await build();
    await createParameterGroup("lomash-wood-postgres15-v2");
    await rds().send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "lomash-orders-prod", DBParameterGroupName: "lomash-wood-postgres15-v2", ApplyImmediately: true }));
    await createDatabase("lomash-search-prod", 7, { parameterGroup: "lomash-wood-postgres15", caCertificateIdentifier: "rds-ca-rsa2048-g1", logExports: ["postgresql"], iamAuth: true });
    const run = await check();
    const yaml = await suggestYaml(run.uncoveredDetail, awsClients(10_000), run.inventoryUpdates);
    const entry = (parse(yaml) as Record<string, Record<string, unknown>[]>)["recovery:databases"][0];
    assert.deepEqual(
      [entry.identifier, entry.parameterGroup, entry.caCertificateIdentifier, entry.logExports, entry.iamAuth],
      ["lomash-search-prod", "lomash-wood-postgres15", "rds-ca-rsa2048-g1", ["postgresql"], true],
    );
    assert.ok(
      yaml.endsWith(
        [
          "# Production's configuration drifted from these recovery:databases entries; change them to what the account has now:",
          "#   orders (lomash-orders-prod):",
          "#     parameterGroup: lomash-wood-postgres15-v2",
          "",
        ].join("\n"),
      ),
      yaml,
    );
  });
});
