import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { checkStackPolicies } from "../../mocked-program/policy-check";
import { restoredDbParameterGroup } from "../../policies/database";
import { TYPES } from "../../policies/resources";
import { createResourceValidationArgs as args, resourceViolations as check, withProp } from "../support/policy-args";

/** A restored database as the components register it, naming the inventory's parameter group: compliant. */
const restoredDb = () => ({
  identifier: "lomash-orders-prod-recovery",
  instanceClass: "db.r6g.large",
  publiclyAccessible: false,
  storageEncrypted: true,
  parameterGroupName: "lomash-wood-postgres15",
  restoreToPointInTime: { sourceDbInstanceIdentifier: "lomash-orders-prod", useLatestRestorableTime: true },
});
const CONFIG = { parameterGroups: { "lomash-orders-prod-recovery": "lomash-wood-postgres15" } };

describe("policies: restored-db-parameter-group", () => {
  it("passes a restored database that names the inventory's parameter group", async () => {
    assert.deepEqual(await check(restoredDbParameterGroup, args(TYPES.rdsInstance, restoredDb(), CONFIG)), []);
  });

  it("refuses a restored database without a parameter group when the inventory names one", async () => {
    assert.deepEqual(await check(restoredDbParameterGroup, args(TYPES.rdsInstance, withProp(restoredDb(), "parameterGroupName", undefined), CONFIG)), [
      "restored database lomash-orders-prod-recovery names no parameter group, so RDS attaches the engine's default and production's settings are lost; set parameterGroupName: lomash-wood-postgres15 (recovery:databases[].parameterGroup in the inventory)",
    ]);
  });

  it("refuses a restored database that names another parameter group", async () => {
    assert.deepEqual(await check(restoredDbParameterGroup, args(TYPES.rdsInstance, withProp(restoredDb(), "parameterGroupName", "default.postgres15"), CONFIG)), [
      "restored database lomash-orders-prod-recovery names parameter group default.postgres15, but the inventory records lomash-wood-postgres15; set parameterGroupName: lomash-wood-postgres15, or name the copy in recovery:databases.<name>.parameterGroup",
    ]);
  });

  it("passes a database the inventory records no parameter group for", async () => {
    const props = withProp(withProp(restoredDb(), "identifier", "lomash-search-prod-recovery"), "parameterGroupName", undefined);
    assert.deepEqual(await check(restoredDbParameterGroup, args(TYPES.rdsInstance, props, CONFIG)), []);
  });

  it("reports that it checked nothing when the pack config lacks parameterGroups", async () => {
    assert.deepEqual(await check(restoredDbParameterGroup, args(TYPES.rdsInstance, restoredDb())), [
      "parameterGroups is not in the pack config, so nothing could be checked; pass --policy-pack-config policies/config/<stack>.json (npm run policy:config writes it)",
    ]);
  });

  it("ignores resources that are not RDS instances", async () => {
    assert.deepEqual(await check(restoredDbParameterGroup, args(TYPES.cacheGroup, { replicationGroupId: "lomash-orders-prod-recovery" }, CONFIG)), []);
  });

  it("catches, over the whole recovery program, a restored database registered without its parameter group", async function () {
    this.timeout(120_000);
    const result = await checkStackPolicies("recovery", {
      alsoRegister: () => {
        // A teammate's quick fix: the orders database by hand, under an identifier the inventory's restore owns.
        new aws.rds.Instance("orders-by-hand", {
          identifier: "lomash-orders-prod-recovery",
          instanceClass: "db.r6g.large",
          publiclyAccessible: false,
          storageEncrypted: true,
          deletionProtection: true,
          skipFinalSnapshot: false,
          finalSnapshotIdentifier: "orders-by-hand-final",
        });
      },
    });
    assert.deepEqual(
      result.violations.filter((v) => v.policy === "restored-db-parameter-group").map((v) => [v.resource, v.message]),
      [
        [
          "orders-by-hand",
          "restored database lomash-orders-prod-recovery names no parameter group, so RDS attaches the engine's default and production's settings are lost; set parameterGroupName: lomash-wood-postgres15 (recovery:databases[].parameterGroup in the inventory)",
        ],
      ],
    );
  });
});
