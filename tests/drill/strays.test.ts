import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateDBInstanceCommand, DeleteDBInstanceCommand, DescribeDBInstancesCommand, RDSClient, type Tag } from "@aws-sdk/client-rds";
import { runDrill } from "../../drill/run";
import { awsStrayLookup } from "../../drill/strays";
import { startMoto, type LocalAws } from "../support/moto";
import { fakeDrill, removeReportsDirs } from "./helpers";

/** The tags RestoredDatabase and LogicalRestore put on an instance (components/tags.ts recoveryTags). */
const tagsOf = (stack: string, source: string): Tag[] => [
  { Key: "recovery:stack", Value: stack },
  { Key: "recovery:source", Value: source },
  { Key: "recovery:restored-from", Value: `pitr:${source}` },
  { Key: "recovery:restore-point", Value: "latest" },
];

describe("the drill's teardown finds RDS instances it created that are not in the state (moto)", function () {
  this.timeout(60_000);
  let aws: LocalAws | undefined;
  let rds: RDSClient;
  const create = (id: string, tags: Tag[]) =>
    rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: id, Engine: "postgres", DBInstanceClass: "db.t4g.micro", AllocatedStorage: 20, MasterUsername: "lomash_admin", MasterUserPassword: "not-a-real-password", Tags: tags }));

  before(async () => {
    aws = await startMoto();
    rds = new RDSClient({});
    // A drill create that timed out: in AWS under the drill's identifier and tags, in no state.
    await create("lomash-orders-prod-drill", tagsOf("drill", "lomash-orders-prod"));
    // Not the drill's: untagged, and the recovery stack's own restore.
    await create("analytics-scratch", []);
    await create("lomash-orders-prod-recovery", tagsOf("recovery", "lomash-orders-prod"));
    // Tagged as the drill's, but a production name: never offered for deletion.
    await create("lomash-catalog-prod", tagsOf("drill", "lomash-catalog-prod"));
  });

  after(async () => {
    removeReportsDirs();
    rds?.destroy();
    await aws?.stop();
  });

  it("moto keeps the tags given to create_db_instance and returns them from describe_db_instances", async () => {
    const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "lomash-orders-prod-drill" }));
    assert.deepEqual(DBInstances?.[0]?.TagList, tagsOf("drill", "lomash-orders-prod"));
  });

  it("names the tagged instance the fake engine's state never listed, with the exact command, and fails the drill", async () => {
    const lines: string[] = [];
    const { drill } = fakeDrill({}, { strays: awsStrayLookup(), onProgress: (p) => lines.push(`${p.level} ${p.message}`) });
    const { exitCode, report, reportDir } = await runDrill(drill);
    const command = "aws rds delete-db-instance --db-instance-identifier lomash-orders-prod-drill --skip-final-snapshot";
    assert.deepEqual(report.destroy.strays?.instances, [{ identifier: "lomash-orders-prod-drill", status: "available", command }]);
    assert.equal(exitCode, 1);
    assert.equal(report.outcome, "failed");
    assert.equal(report.destroy.status, "failed");
    assert.deepEqual(report.destroy.leftovers, [], "the stack itself was destroyed");
    assert.ok(lines.includes(`error lomash-orders-prod-drill (RDS, available) is not in the state; remove it with: ${command}`), lines.join("\n"));
    assert.ok(readFileSync(join(reportDir, "report.md"), "utf8").includes(`| lomash-orders-prod-drill | available | \`${command}\` |`));
  });

  it("names neither an untagged instance nor another stack's, and offers no production name for deletion", async () => {
    const { drill } = fakeDrill({}, { strays: awsStrayLookup() });
    const { report } = await runDrill(drill);
    const named = report.destroy.strays?.instances.map((x) => x.identifier) ?? [];
    for (const id of ["analytics-scratch", "lomash-orders-prod-recovery", "lomash-catalog-prod"]) assert.ok(!named.includes(id), id);
    assert.deepEqual(report.destroy.strays?.refused, ["lomash-catalog-prod"]);
  });

  it("counts an instance the state still holds as a leftover of the failed destroy, not as outside the state", async () => {
    const { drill } = fakeDrill({ failDestroySteps: ["database:orders"] }, { strays: awsStrayLookup() });
    const { report } = await runDrill(drill);
    assert.ok(report.destroy.leftovers.some((r) => r.identifier === "lomash-orders-prod-drill"));
    assert.deepEqual(report.destroy.strays?.instances, []);
  });

  it("passes when nothing of the drill's is left in AWS", async () => {
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "lomash-orders-prod-drill", SkipFinalSnapshot: true }));
    const { drill } = fakeDrill({}, { strays: awsStrayLookup() });
    const { exitCode, report } = await runDrill(drill);
    assert.deepEqual([exitCode, report.destroy.status, report.destroy.strays?.instances], [0, "destroyed", []]);
  });
});
