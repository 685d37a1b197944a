import { strict as assert } from "node:assert";
import { startPostgres, createDatabase, type LocalPostgres } from "../support/postgres";
import { query } from "../support/seed-database";
import { RowCountCheck, tableDataIds } from "../../workers/row-count-check";

describe("row counts after a restore", function () {
  this.timeout(60_000);

  describe("tableDataIds", () => {
    const tables = [
      { schema: "public", name: "orders", rows: 1 },
      { schema: "archive", name: "orders", rows: 2 },
      { schema: "public", name: "order lines", rows: 3 },
      { schema: "public", name: "orders x", rows: 4 },
    ];
    const toc = [
      ";",
      "; Archive created at 2026-11-25 04:00:00 UTC",
      "215; 1259 16385 TABLE public orders postgres",
      "3350; 0 16385 TABLE DATA public orders postgres",
      "3351; 0 16390 TABLE DATA archive orders postgres",
      "3352; 0 16395 TABLE DATA public order lines postgres",
      "3353; 0 16399 TABLE DATA public not_in_manifest postgres",
      "3354; 0 16401 TABLE DATA public orders x postgres",
      "3206; 2606 16400 CONSTRAINT public orders orders_pkey postgres",
    ].join("\n");

    it("maps each TABLE DATA item to the manifest table it loads, schema included", () => {
      const ids = tableDataIds(toc, tables);
      assert.deepEqual(
        [...ids].map(([id, t]) => [id, `${t.schema}.${t.name}`]),
        [
          [3350, "public.orders"],
          [3351, "archive.orders"],
          [3352, "public.order lines"],
          [3354, "public.orders x"],
        ],
      );
    });
  });

  describe("RowCountCheck (real PostgreSQL)", () => {
    let pg: LocalPostgres | undefined;
    let url: string;

    before(async function () {
      this.timeout(60_000);
      pg = await startPostgres();
      url = createDatabase(pg, "counted");
      await query(
        url,
        `CREATE TABLE leaf (id int);
         INSERT INTO leaf SELECT generate_series(1, 10);
         CREATE TABLE parent (id int);
         INSERT INTO parent SELECT generate_series(1, 5);
         CREATE TABLE child () INHERITS (parent);`,
      );
    });

    after(() => pg?.stop());

    it("counts a table as soon as its data is loaded, and a table with children only at the end", async () => {
      const leaf = { schema: "public", name: "leaf", rows: 10 };
      const parent = { schema: "public", name: "parent", rows: 8 };
      const check = new RowCountCheck(new URL(url), [leaf, parent], 2);
      await check.loaded(leaf);
      await check.loaded(parent);
      // Rows arriving after the early count: the leaf was already counted, the parent's children
      // are still loading, so the parent must be counted at the end to see them.
      await query(url, "INSERT INTO leaf VALUES (11); INSERT INTO child SELECT generate_series(1, 3);");
      const results = await check.finish();
      assert.deepEqual(results, [
        { table: "public.leaf", expected: 10, actual: 10, ok: true },
        { table: "public.parent", expected: 8, actual: 8, ok: true },
      ]);
    });

    it("reports a missing table as a failed check, not an exception", async () => {
      const ghost = { schema: "public", name: "ghost", rows: 1 };
      const check = new RowCountCheck(new URL(url), [ghost], 2);
      await check.loaded(ghost);
      assert.deepEqual(await check.finish(), [{ table: "public.ghost", expected: 1, actual: null, ok: false }]);
    });
  });
});
