import { strict as assert } from "node:assert";
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, DeleteDBInstanceCommand, RDSClient } from "@aws-sdk/client-rds";
import { chooseSnapshot, snapshotResolutionProvider, type SnapshotFacts } from "../../components";
import { startMoto, type LocalAws } from "../support/moto";

const SOURCE = "lomash-orders-prod";
const snap = (id: string, status: string, createTime: string, source = SOURCE): SnapshotFacts => ({ id, sourceIdentifier: source, status, createTime });
const FIX = `list them with \`aws rds describe-db-snapshots --db-instance-identifier ${SOURCE}\`, then name one under recovery:databases.<name>.snapshot or use method point-in-time`;

describe("chooseSnapshot", () => {
  const snapshots = [
    snap("rds:orders-2026-11-23", "available", "2026-11-23T03:00:00Z"),
    snap("rds:orders-2026-11-24", "available", "2026-11-24T03:00:00Z"),
    snap("rds:orders-2026-11-25", "creating", "2026-11-25T03:00:00Z"),
    snap("rds:other-2026-11-26", "available", "2026-11-26T03:00:00Z", "lomash-other-prod"),
  ];

  it("takes the newest available snapshot of the source for latest, never one still creating or of another database", () => {
    assert.deepEqual(chooseSnapshot({ sourceIdentifier: SOURCE, snapshot: "latest" }, snapshots), {
      snapshotId: "rds:orders-2026-11-24",
      createTime: "2026-11-24T03:00:00Z",
    });
  });

  it("refuses a named snapshot that is not available yet, with the fix", () => {
    assert.equal(
      chooseSnapshot({ sourceIdentifier: SOURCE, snapshot: "rds:orders-2026-11-25" }, snapshots),
      `snapshot "rds:orders-2026-11-25" is creating, not available yet; wait for it, or ${FIX}`,
    );
  });

  it("refuses a named snapshot of another database", () => {
    assert.equal(
      chooseSnapshot({ sourceIdentifier: SOURCE, snapshot: "rds:other-2026-11-26" }, snapshots),
      `snapshot "rds:other-2026-11-26" is of database "lomash-other-prod", not "${SOURCE}"; ${FIX}`,
    );
  });

  it("says which database has no snapshot when there is none", () => {
    assert.equal(chooseSnapshot({ sourceIdentifier: SOURCE, snapshot: "latest" }, []), `no available snapshot of database "${SOURCE}" was found; ${FIX}`);
  });
});

describe("SnapshotResolution's provider against moto_server's RDS", () => {
  let aws: LocalAws;
  let rds: RDSClient;
  const check = snapshotResolutionProvider.check as NonNullable<typeof snapshotResolutionProvider.check>;
  const diff = snapshotResolutionProvider.diff as NonNullable<typeof snapshotResolutionProvider.diff>;
  const request = { resolution: "rds-snapshot", sourceIdentifier: SOURCE, snapshot: "latest", region: "eu-west-2" };

  before(async () => {
    aws = await startMoto();
    rds = new RDSClient({ region: "eu-west-2" });
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: SOURCE,
        DBInstanceClass: "db.t4g.large",
        Engine: "postgres",
        AllocatedStorage: 20,
        MasterUsername: "lomash_admin",
        MasterUserPassword: "not-a-real-password",
      }),
    );
    await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: SOURCE, DBSnapshotIdentifier: "orders-manual-1" }));
  });

  after(async () => {
    rds?.destroy();
    await aws?.stop();
  });

  it("resolves the source's snapshot at the first check, when nothing is in state yet", async () => {
    const result = await check({}, request);
    assert.equal(result.failures, undefined);
    assert.equal(result.inputs?.snapshotId, "orders-manual-1");
    assert.match(String(result.inputs?.createTime), /^\d{4}-\d{2}-\d{2}T/);
  });

  it("keeps the stored resolution on a later up without asking AWS, even after the source and its snapshots are gone", async () => {
    const stored = { ...request, snapshotId: "orders-manual-0", createTime: "2026-11-20T03:00:00Z" };
    const endpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:9"; // nothing listens: any AWS call would fail the check
    try {
      const result = await check(stored, request);
      assert.deepEqual(result, { inputs: { ...request, snapshotId: "orders-manual-0", createTime: "2026-11-20T03:00:00Z" } });
    } finally {
      process.env.AWS_ENDPOINT_URL = endpoint;
    }
  });

  it("reports no change for the kept resolution, so a newer snapshot never updates or replaces anything", async () => {
    const stored = { ...request, snapshotId: "orders-manual-0", createTime: "2026-11-20T03:00:00Z" };
    assert.deepEqual(await diff("id", stored, (await check(stored, request)).inputs ?? {}), { changes: false, replaces: [] });
  });

  it("fails the first check with one line naming the source when it has no snapshot left", async () => {
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: SOURCE, SkipFinalSnapshot: true }));
    const result = await check({}, { ...request, sourceIdentifier: "lomash-analytics-prod" });
    assert.deepEqual(result.failures, [
      {
        property: "snapshot",
        reason: `no available snapshot of database "lomash-analytics-prod" was found; ${FIX.replaceAll(SOURCE, "lomash-analytics-prod")}`,
      },
    ]);
  });
});
