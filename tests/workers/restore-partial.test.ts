import { strict as assert } from "node:assert";
import { S3Client } from "@aws-sdk/client-s3";
import { startPostgres, type LocalPostgres } from "../support/postgres";
import { startMoto, type LocalAws } from "../support/moto";
import { createBucket } from "../support/bucket-state";
import { runScript } from "../support/run-script";
import { databaseExists, query } from "../support/seed-database";
import { buildRealisticDatabase, createRoles, schemaOf, tableChecksums } from "../support/realistic-database";

type Json = Record<string, unknown> & {
  ok: boolean;
  restoredTables: string[];
  brought: string[];
  alreadyInTarget: string[];
  skippedForeignKeys: string[];
  addedForeignKeys: string[];
  notRestored: { object: string; reason: string }[];
  rowCounts: { table: string; actual: number | null; ok: boolean }[];
  largeObjects: { inDump: number; restored: boolean };
};

/** Partial restores (`--tables`, seed 004 Restore 1C) of a realistic database. */
describe("restoring some tables of a realistic database (--tables)", function () {
  this.timeout(180_000);
  let pg: LocalPostgres | undefined;
  let aws: LocalAws | undefined;
  let dump: string;
  let sourceSums: Record<string, string | null>;

  before(async function () {
    this.timeout(180_000);
    pg = await startPostgres();
    aws = await startMoto();
    await createBucket(new S3Client({}), "db-backups", true);
    await createRoles(pg);
    const source = await buildRealisticDatabase(pg, "shop");
    sourceSums = await tableChecksums(source);
    const b = await runScript("backup", ["--database", source, "--to", "s3://db-backups/real", "--json"], { env: aws.env });
    assert.equal(b.code, 0, b.stderr);
    dump = String(b.json?.dump);
  });

  after(async () => {
    pg?.stop();
    await aws?.stop();
  });

  const restore = (args: string[]) => runScript("restore", ["--from", dump, ...args, "--json"], { env: aws!.env });
  const orders = ["public.orders", "public.orders_2025", "public.orders_2026"];

  it("refuses a name found in two schemas, listing both, before anything is downloaded or created", async () => {
    const r = await restore(["--to", pg!.url("ambiguous"), "--tables", "items"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage: --tables: "items" is in several schemas \(public\.items, sales\.items\); name the one you mean, e\.g\. --tables public\.items/);
    assert.equal(await databaseExists(pg!.url(), "ambiguous"), false);
  });

  it("restores sales.items with its schema, its extension's exclusion constraint and its sequence, and nothing of public.items", async () => {
    const r = await restore(["--to", pg!.url("sales_only"), "--tables", "sales.items"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as Json;
    assert.deepEqual(out.restoredTables, ["sales.items"]);
    assert.deepEqual(await tableChecksums(pg!.url("sales_only"), ["sales.items"]), { "sales.items": sourceSums["sales.items"] });
    assert.equal(schemaOf(pg!, "sales_only", ["sales.items"]), schemaOf(pg!, "shop", ["sales.items"]));
    const publicTables = await query(pg!.url("sales_only"), "SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
    assert.deepEqual(publicTables, []);
    const next = await query<{ id: number }>(pg!.url("sales_only"), "INSERT INTO sales.items (sku, during) VALUES ('new', tstzrange(now(), null)) RETURNING id");
    assert.deepEqual(next, [{ id: 301 }], "the owned sequence came back at its dumped value");
  });

  it("takes a quoted name and a schema-qualified quoted name for the same table", async () => {
    for (const [name, database] of [['"Order Items"', "quoted"], ['public."Order Items"', "quoted_qualified"]]) {
      const r = await restore(["--to", pg!.url(database), "--tables", name]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^restored INCOMPLETE \(exit 1\) /m, "a foreign key to an absent table makes a partial restore incomplete");
      assert.deepEqual((r.json as Json).restoredTables, ['public."Order Items"'], name);
      assert.deepEqual(await tableChecksums(pg!.url(database), ["public.Order Items"]), { "public.Order Items": sourceSums["public.Order Items"] });
    }
  });

  it("says loudly, in the summary and the record, which foreign keys point to tables absent from the target", async () => {
    const r = await restore(["--to", pg!.url("lonely_lines"), "--tables", '"Order Items"']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^restored INCOMPLETE \(exit 1\) /m, "a foreign key to an absent table makes a partial restore incomplete");
    const out = r.json as Json;
    assert.deepEqual(out.skippedForeignKeys, ["Order Items Order Items_item_id_fkey", "Order Items Order Items_order_id_placed_at_fkey"]);
    assert.deepEqual(out.notRestored, [
      { object: "FK CONSTRAINT public Order Items Order Items_item_id_fkey", reason: "needs public.items, which is neither restored nor in the target" },
      { object: "FK CONSTRAINT public Order Items Order Items_order_id_placed_at_fkey", reason: "needs public.orders, which is neither restored nor in the target" },
    ]);
    assert.match(r.stderr, /NOT restored: FK CONSTRAINT public Order Items Order Items_item_id_fkey: needs public\.items, which is neither restored nor in the target/);
  });

  it("restores a partitioned table with its partitions, enum, domain, functions, trigger and owned sequence", async () => {
    const r = await restore(["--to", pg!.url("orders_only"), "--tables", "orders"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^restored INCOMPLETE \(exit 1\) /m, "a foreign key to an absent table makes a partial restore incomplete");
    const out = r.json as Json;
    assert.deepEqual(out.restoredTables, orders);
    assert.deepEqual(out.rowCounts.map((c) => [c.table, c.actual, c.ok]), [
      ["public.orders", 3000, true],
      ["public.orders_2025", 1698, true],
      ["public.orders_2026", 1302, true],
    ]);
    for (const needed of ["TYPE public.order_status", "DOMAIN public.positive_money", "FUNCTION public.new_reference()", "FUNCTION public.touch_updated_at()", "SEQUENCE public.order_number_seq"]) {
      assert.ok(out.brought.includes(needed), needed);
    }
    const sums = await tableChecksums(pg!.url("orders_only"), orders);
    assert.deepEqual(sums, Object.fromEntries(orders.map((t) => [t, sourceSums[t]])));
    const [row] = await query<{ number: string; reference: string }>(
      pg!.url("orders_only"),
      "INSERT INTO public.orders (placed_at, customer_id, total) VALUES ('2026-03-01', 1, 5) RETURNING number::text, reference",
    );
    assert.equal(row.number, "4000", "the default drew from the owned sequence at its dumped value");
    assert.match(row.reference, /^R-[0-9a-f]{10}$/, "the default's function came back");
    const [updated] = await query<{ touched: boolean }>(pg!.url("orders_only"), "UPDATE public.orders SET status = 'paid' WHERE number = 4000 RETURNING updated_at IS NOT NULL AS touched");
    assert.equal(updated.touched, true, "the trigger and its function came back");
  });

  it("says in the summary of a partial restore that large objects are not included", async () => {
    const r = await restore(["--to", pg!.url("no_blobs"), "--tables", "customers"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((r.json as Json).largeObjects, { inDump: 5, restored: false });
    assert.match(r.stderr, /large objects: NOT included in a partial restore \(5 in the dump; a full restore brings them back\)/);
    const objects = await query<{ n: string }>(pg!.url("no_blobs"), "SELECT count(*) AS n FROM pg_largeobject_metadata");
    assert.equal(objects[0].n, "0");
  });

  it("restores the foreign keys whose other table is in the target, reusing what the target already has", async () => {
    const first = await restore(["--to", pg!.url("two_steps"), "--tables", "customers"]);
    assert.equal(first.code, 0, first.stderr);
    const r = await restore(["--to", pg!.url("two_steps"), "--tables", "public.orders", "--force"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json as Json;
    assert.deepEqual(out.addedForeignKeys, ["orders orders_customer_id_fkey"]);
    assert.ok(out.alreadyInTarget.includes("EXTENSION citext"));
    assert.match(r.stderr, /foreign keys to tables in the target: orders orders_customer_id_fkey/);
    assert.equal(schemaOf(pg!, "two_steps", [...orders, "public.customers"]), schemaOf(pg!, "shop", [...orders, "public.customers"]));
  });

  it("refuses --force over a table that other tables of the target reference, before writing", async () => {
    const r = await restore(["--to", pg!.url("two_steps"), "--tables", "customers", "--force"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused: --tables: in postgresql:\/\/postgres@127\.0\.0\.1:\d+\/two_steps, foreign keys of other tables point into the tables to replace \(orders \(orders_customer_id_fkey\) → customers\)/);
    const rows = await query<{ n: string }>(pg!.url("two_steps"), "SELECT count(*) AS n FROM public.orders");
    assert.equal(rows[0].n, "3000");
  });
});
