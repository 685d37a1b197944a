import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { RestoredDatabase } from "../../components";
import { MOCK_SNAPSHOT_TIME, promiseOf, startMocks, type Recording } from "../../mocked-program/pulumi-mocks";
import { databaseArgs, ORDERS_SOURCE } from "./fixtures";

const RDS = "aws:rds/instance:Instance";
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";

async function restore(args = databaseArgs(), snapshots: "found" | "none" = "found"): Promise<{ rec: Recording; db: RestoredDatabase }> {
  const rec = await startMocks({ stack: "recovery", snapshots });
  const db = new RestoredDatabase("database-orders", args);
  await rec.settle();
  return { rec, db };
}

describe("RestoredDatabase", () => {
  it("restores the latest restorable time into the new identifier, private, encrypted, protected, tagged", async () => {
    const { rec, db } = await restore(databaseArgs({ rotatePassword: false }));
    const component = rec.one("recovery:database:RestoredDatabase", "database-orders");
    const instance = rec.one(RDS, "database-orders-db");
    assert.equal(instance.parent, component.urn);
    assert.deepEqual(instance.inputs, {
      identifier: "lomash-orders-prod-recovery",
      instanceClass: "db.r6g.large",
      multiAz: true,
      publiclyAccessible: false,
      storageEncrypted: true,
      kmsKeyId: ORDERS_SOURCE.kmsKeyId,
      dbSubnetGroupName: "lomash-wood-db-subnet",
      vpcSecurityGroupIds: ["sg-0a1b2c3d4e5f60718"],
      port: 5432,
      backupRetentionPeriod: 7,
      copyTagsToSnapshot: true,
      applyImmediately: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "lomash-orders-prod-recovery-final",
      restoreToPointInTime: { sourceDbInstanceIdentifier: "lomash-orders-prod", useLatestRestorableTime: true },
      tags: {
        "recovery:stack": "recovery",
        "recovery:source": "lomash-orders-prod",
        "recovery:restored-from": "point-in-time:lomash-orders-prod",
        "recovery:restore-point": "latest",
      },
    });
    assert.equal(await promiseOf(db.restorePoint), "latest");
    assert.equal(await promiseOf(db.identifier), "lomash-orders-prod-recovery");
    assert.equal(rec.invokes.length, 0);
  });

  it("ignores changes to the restore inputs, so a moved 'latest', a changed snapshot or a removed point-in-time block never replaces it", async () => {
    const { rec } = await restore();
    assert.deepEqual(rec.one(RDS, "database-orders-db").ignoreChanges, ["restoreToPointInTime", "snapshotIdentifier"]);
  });

  it("restores to a given time when one is configured", async () => {
    const { rec, db } = await restore(databaseArgs({ restoreTime: "2026-11-24T14:30:00Z" }));
    const instance = rec.one(RDS, "database-orders-db");
    assert.deepEqual(instance.inputs.restoreToPointInTime, { sourceDbInstanceIdentifier: "lomash-orders-prod", restoreTime: "2026-11-24T14:30:00Z" });
    assert.equal((instance.inputs.tags as Record<string, string>)["recovery:restore-point"], "2026-11-24T14:30:00Z");
    assert.equal(await promiseOf(db.restorePoint), "2026-11-24T14:30:00Z");
  });

  it("restores the newest snapshot of the source, resolved once by a SnapshotResolution in state, not an invoke", async () => {
    const { rec, db } = await restore(databaseArgs({ method: "snapshot" }));
    assert.deepEqual(rec.invokes, []);
    const resolution = rec.one(DYNAMIC, "database-orders-snapshot");
    assert.deepEqual(
      { ...resolution.inputs, __provider: undefined },
      { __provider: undefined, resolution: "rds-snapshot", sourceIdentifier: "lomash-orders-prod", snapshot: "latest" },
    );
    const instance = rec.one(RDS, "database-orders-db");
    assert.equal(instance.inputs.snapshotIdentifier, "rds:lomash-orders-prod-2026-11-24-03-00");
    assert.deepEqual(instance.propertyDependencies.snapshotIdentifier, [resolution.urn]);
    assert.equal(instance.inputs.restoreToPointInTime, undefined);
    assert.equal((instance.inputs.tags as Record<string, string>)["recovery:restored-from"], "snapshot:rds:lomash-orders-prod-2026-11-24-03-00");
    assert.equal(await promiseOf(db.restorePoint), MOCK_SNAPSHOT_TIME);
  });

  it("restores a named snapshot, resolved with the same resolution", async () => {
    const { rec } = await restore(databaseArgs({ method: "snapshot", snapshot: "lomash-orders-prod-pre-deploy-202602181200" }));
    assert.equal(rec.one(DYNAMIC, "database-orders-snapshot").inputs.snapshot, "lomash-orders-prod-pre-deploy-202602181200");
    assert.equal(rec.one(RDS, "database-orders-db").inputs.snapshotIdentifier, "lomash-orders-prod-pre-deploy-202602181200");
  });

  it("fails with a clear error naming the source database when no snapshot is found, and creates no instance", async () => {
    const rec = await startMocks({ stack: "recovery", snapshots: "none" });
    const db = new RestoredDatabase("database-orders", databaseArgs({ method: "snapshot" }));
    await assert.rejects(promiseOf(db.restorePoint), (error: Error) => {
      assert.match(
        error.message,
        /no available snapshot of database "lomash-orders-prod" was found; list them with `aws rds describe-db-snapshots --db-instance-identifier lomash-orders-prod`, then name one under recovery:databases.<name>.snapshot or use method point-in-time/,
      );
      return true;
    });
    // The instance's inputs wait on the resolution, so its registration fails before it is sent.
    assert.equal(rec.ofType(RDS).length, 0);
  });

  it("restores a deleted source's retained backups by its DbiResourceId when the inventory gives one, naming nothing else", async () => {
    const source = { ...ORDERS_SOURCE, dbiResourceId: "db-H6TZP3QK8XW2NR5MJ7CBV4YLDF" };
    const { rec } = await restore(databaseArgs({ source, restoreTime: "2026-11-24T14:30:00Z" }));
    assert.deepEqual(rec.one(RDS, "database-orders-db").inputs.restoreToPointInTime, {
      sourceDbiResourceId: "db-H6TZP3QK8XW2NR5MJ7CBV4YLDF",
      restoreTime: "2026-11-24T14:30:00Z",
    });
  });

  it("waits 4 hours for the create, 2 for an update and 2 for the delete, since a restore sits in backing-up for hours (#44104)", async () => {
    const { rec } = await restore();
    assert.deepEqual(rec.one(RDS, "database-orders-db").customTimeouts, { create: "4h", update: "2h", delete: "2h" });
  });

  it("takes the stack's timeouts over the defaults, one operation at a time", async () => {
    const { rec } = await restore(databaseArgs({ timeouts: { create: "6h" } }));
    assert.deepEqual(rec.one(RDS, "database-orders-db").customTimeouts, { create: "6h", update: "2h", delete: "2h" });
  });

  it("takes no deletion protection and no final snapshot in a drill, with skipFinalSnapshot set explicitly", async () => {
    const { rec } = await restore(databaseArgs({ mode: "drill", stack: "drill", identifier: "lomash-orders-prod-drill" }));
    const instance = rec.one(RDS, "database-orders-db");
    assert.equal(instance.inputs.deletionProtection, false);
    assert.equal(instance.inputs.skipFinalSnapshot, true);
    assert.equal("finalSnapshotIdentifier" in instance.inputs, false);
  });

  it("creates no password and a connection string without one when rotation is turned off", async () => {
    const { rec, db } = await restore(databaseArgs({ rotatePassword: false }));
    assert.equal(rec.ofType("random:index/randomPassword:RandomPassword").length, 0);
    assert.equal("password" in rec.one(RDS, "database-orders-db").inputs, false);
    assert.equal(await promiseOf(db.connectionString), "postgresql://lomash_admin@lomash-orders-prod-recovery.c1a2b3c4d5e6.eu-west-2.rds.amazonaws.com:5432/lomash_orders?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem");
    assert.equal(await pulumi.isSecret(db.connectionString), true);
  });

  it("rotates the master password with @pulumi/random by default, the password and connection string secrets", async () => {
    const { rec, db } = await restore();
    const password = rec.one("random:index/randomPassword:RandomPassword", "database-orders-password");
    assert.deepEqual(password.inputs, { length: 32, special: false });
    const instance = rec.one(RDS, "database-orders-db");
    assert.equal(instance.inputs.password, "mock-password-database-orders-password");
    assert.ok(instance.secretPaths.includes("password"));
    assert.equal(await pulumi.isSecret(db.connectionString), true);
    assert.match(await promiseOf(db.connectionString), /^postgresql:\/\/lomash_admin:mock-password-database-orders-password@/);
  });

  it("refuses the source's own identifier before creating anything", async () => {
    const rec = await startMocks({ stack: "recovery" });
    assert.throws(
      () => new RestoredDatabase("database-orders", databaseArgs({ identifier: "lomash-orders-prod" })),
      (e: Error) => e instanceof pulumi.ResourceError && e.message.startsWith('RestoredDatabase: identifier: "lomash-orders-prod" is the source database\'s own identifier'),
    );
    await rec.settle();
    assert.equal(rec.ofType(RDS).length, 0);
  });
});
