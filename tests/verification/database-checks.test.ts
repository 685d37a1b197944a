import { strict as assert } from "node:assert";
import { RDSClient } from "@aws-sdk/client-rds";
import type { Pool } from "pg";
import { databaseChecks, type DatabaseTarget } from "../../verification/checks/database";

// No connection is made: databaseChecks only lists the checks; a pool is touched when one runs.
const target: DatabaseTarget = {
  name: "orders",
  identifier: "lomash-orders-recovery",
  pool: {} as Pool,
  baseline: { tables: {}, migration: null, uniqueKeys: [], foreignKeys: [] } as unknown as DatabaseTarget["baseline"],
  rpoMinutes: 15,
  rowTolerance: 0.005,
};

const SQL_CHECKS = [
  "database.connect",
  "database.tables",
  "database.migrations",
  "database.row-counts",
  "database.foreign-keys",
  "database.unique",
  "database.sequences",
  "database.freshness",
];

describe("databaseChecks (verification/checks/database.ts)", () => {
  it("lists the eight SQL checks in their reporting order, each for the database and in the db group", () => {
    const checks = databaseChecks(target);
    assert.deepEqual(
      checks.map((c) => [c.name, c.target, c.group]),
      SQL_CHECKS.map((n) => [n, "orders", "db"]),
    );
  });

  it("adds database.private last, and only when it is given an RDS client", () => {
    const rds = new RDSClient({ region: "eu-west-2" });
    try {
      assert.deepEqual(
        databaseChecks({ ...target, rds }).map((c) => c.name),
        [...SQL_CHECKS, "database.private"],
      );
    } finally {
      rds.destroy();
    }
  });
});
