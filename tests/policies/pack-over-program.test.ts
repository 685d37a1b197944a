import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkStackPolicies, packConfigForStack } from "../../mocked-program/policy-check";
import { loadStack, readStackConfig } from "../../stacks";

const ROOT = join(__dirname, "..", "..");

/** A hand-written resource slipped into the program, as a teammate's quick fix might. */
const rogueDatabase = (props: Partial<aws.rds.InstanceArgs>) => (): void => {
  new aws.rds.Instance("rogue-db", {
    identifier: "lomash-orders-prod-recovery-2",
    instanceClass: "db.r6g.large",
    publiclyAccessible: false,
    storageEncrypted: true,
    deletionProtection: true,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: "rogue-final",
    ...props,
  });
};

describe("policies: the whole pack over the program", function () {
  this.timeout(120_000);

  for (const stack of ["recovery", "drill"]) {
    it(`passes every mandatory policy for the ${stack} stack`, async () => {
      const result = await checkStackPolicies(stack);
      assert.deepEqual(result.violations, []);
      assert.equal(result.passed, true);
      assert.ok(result.resources > 50, `only ${result.resources} resources`);
    });

    it(`keeps policies/config/${stack}.json in step with the inventory (npm run policy:config)`, () => {
      const committed = JSON.parse(readFileSync(join(ROOT, "policies", "config", `${stack}.json`), "utf8"));
      assert.deepEqual(committed, JSON.parse(JSON.stringify(packConfigForStack(loadStack(stack)))));
    });
  }

  it("catches a database made public, naming restored-db-not-public", async () => {
    const result = await checkStackPolicies("recovery", { alsoRegister: rogueDatabase({ publiclyAccessible: true }) });
    assert.equal(result.passed, false);
    assert.deepEqual(
      result.violations.map((v) => [v.policy, v.resource, v.message]),
      [["restored-db-not-public", "rogue-db", "restored databases must set publiclyAccessible: false; restore into the source's private subnet group"]],
    );
  });

  it("catches a restore named after its source, naming restore-never-targets-source", async () => {
    const result = await checkStackPolicies("recovery", { alsoRegister: rogueDatabase({ identifier: "lomash-orders-prod" }) });
    assert.deepEqual(
      result.violations.map((v) => [v.policy, v.resource]),
      [["restore-never-targets-source", "rogue-db"]],
    );
  });

  it("catches a drill database named like the recovery stack's, naming drill-isolated (deletion protection is off for drills by pack config)", async () => {
    // In a drill the deletion-protection policy is disabled by the pack config, not by the policy.
    const result = await checkStackPolicies("drill", {
      alsoRegister: rogueDatabase({ identifier: "lomash-orders-prod-recovery", deletionProtection: false, skipFinalSnapshot: true }),
    });
    assert.deepEqual(
      result.violations.map((v) => v.policy),
      ["drill-isolated"],
    );
  });

  it("catches a stack output holding a plain connection string, naming credentials-are-secret", async () => {
    const result = await checkStackPolicies("drill", {
      alsoRegister: () => ({ debugDatabaseUrl: pulumi.output("postgresql://lomash_admin:hunter2@db.internal:5432/lomash_orders") }),
    });
    assert.deepEqual(
      result.violations.map((v) => [v.policy, v.message]),
      [["credentials-are-secret", "stack output debugDatabaseUrl holds a credential and must be a Pulumi secret: wrap it in pulumi.secret"]],
    );
  });

  it("refuses the production inventory before running anything", async () => {
    await assert.rejects(() => checkStackPolicies("prod", { config: readStackConfig("prod") }), /prod is the source inventory/);
  });
});
