import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { LocalPostgres } from "./postgres";
import { query } from "./seed-database";

/** Roles the realistic database's objects are owned by or granted to. */
export const REALISTIC_ROLES = ["app_owner", "app_reader", "reporting"] as const;

/**
 * Creates the roles on a cluster (a cluster is where roles live, not a database). A second
 * cluster without some of them is how the tests meet "the new server lacks the role".
 */
export async function createRoles(pg: LocalPostgres, roles: readonly string[] = REALISTIC_ROLES): Promise<void> {
  for (const role of roles) await query(pg.url(), `CREATE ROLE ${role} NOLOGIN`);
}

/**
 * A database built from the features real ones have (issue 15): pgbench's schema, contrib
 * extensions, enums and domains, a partitioned table, the same table name in two schemas, a
 * quoted name, large objects, objects owned by a role, grants, a trigger function, a column
 * default calling a function, an owned sequence and foreign keys. The roles must exist first.
 */
export async function buildRealisticDatabase(pg: LocalPostgres, database: string, scale = 1): Promise<string> {
  execFileSync(join(pg.binDir, "createdb"), ["-h", pg.host, "-p", String(pg.port), "-U", "postgres", database]);
  execFileSync(join(pg.binDir, "pgbench"), ["-i", "-s", String(scale), "-q", "--foreign-keys", "-h", pg.host, "-p", String(pg.port), "-U", "postgres", database], {
    stdio: "pipe",
  });
  const url = pg.url(database);
  await query(
    url,
    `
    CREATE EXTENSION hstore; CREATE EXTENSION citext; CREATE EXTENSION pg_trgm; CREATE EXTENSION pgcrypto;
    CREATE EXTENSION "uuid-ossp"; CREATE EXTENSION btree_gist;

    CREATE SCHEMA sales AUTHORIZATION app_owner;
    CREATE TYPE public.order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
    CREATE DOMAIN public.positive_money AS numeric(12,2) CHECK (VALUE > 0);
    CREATE FUNCTION public.new_reference() RETURNS text LANGUAGE sql AS $$ SELECT 'R-' || substr(md5(random()::text), 1, 10) $$;
    CREATE FUNCTION public.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.updated_at := now(); RETURN NEW; END $$;

    CREATE TABLE public.customers (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email citext NOT NULL UNIQUE,
      attributes hstore NOT NULL DEFAULT '',
      token uuid NOT NULL DEFAULT uuid_generate_v4()
    );
    CREATE INDEX customers_email_trgm ON public.customers USING gin ((email::text) gin_trgm_ops);
    CREATE TABLE public.items (id serial PRIMARY KEY, name text NOT NULL, price public.positive_money NOT NULL);
    CREATE TABLE sales.items (id serial PRIMARY KEY, sku text NOT NULL UNIQUE, during tstzrange NOT NULL,
      EXCLUDE USING gist (sku WITH =, during WITH &&));
    CREATE SEQUENCE public.order_number_seq START 1000;
    CREATE TABLE public.orders (
      id bigserial,
      placed_at date NOT NULL,
      customer_id bigint NOT NULL REFERENCES public.customers(id),
      status public.order_status NOT NULL DEFAULT 'new',
      reference text NOT NULL DEFAULT public.new_reference(),
      number bigint NOT NULL DEFAULT nextval('public.order_number_seq'),
      total public.positive_money NOT NULL,
      updated_at timestamptz,
      PRIMARY KEY (id, placed_at)
    ) PARTITION BY RANGE (placed_at);
    ALTER SEQUENCE public.order_number_seq OWNED BY public.orders.number;
    CREATE TABLE public.orders_2025 PARTITION OF public.orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE public.orders_2026 PARTITION OF public.orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();
    CREATE TABLE public."Order Items" (
      order_id bigint NOT NULL,
      placed_at date NOT NULL,
      item_id int NOT NULL REFERENCES public.items(id),
      quantity int NOT NULL CHECK (quantity > 0),
      FOREIGN KEY (order_id, placed_at) REFERENCES public.orders(id, placed_at)
    );
    CREATE TABLE public.documents (id serial PRIMARY KEY, title text NOT NULL, body oid NOT NULL);
    ALTER TABLE sales.items OWNER TO app_owner;
    ALTER TABLE public.documents OWNER TO app_owner;

    INSERT INTO public.customers (email, attributes)
      SELECT 'Customer' || g || '@Example.test', hstore('tier', (g % 3)::text) FROM generate_series(1, 500) g;
    INSERT INTO public.items (name, price) SELECT 'item ' || g, g * 1.25 FROM generate_series(1, 200) g;
    INSERT INTO sales.items (sku, during)
      SELECT 'SKU-' || g, tstzrange('2026-01-01'::timestamptz + g * interval '1 day', '2026-01-01'::timestamptz + (g + 1) * interval '1 day')
        FROM generate_series(1, 300) g;
    INSERT INTO public.orders (placed_at, customer_id, status, total)
      SELECT DATE '2025-06-01' + (g % 400), 1 + g % 500, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4]::public.order_status, 10 + g % 90
        FROM generate_series(1, 3000) g;
    INSERT INTO public."Order Items" SELECT o.id, o.placed_at, 1 + o.id % 200, 1 + o.id % 5 FROM public.orders o;
    INSERT INTO public.documents (title, body) SELECT 'doc ' || g, lo_from_bytea(0, convert_to(repeat('page ' || g, 50), 'UTF8')) FROM generate_series(1, 5) g;
    `,
  );
  // Large objects owned by a role, and grants to roles the new server may not have.
  await query(url, `DO $$ DECLARE o oid; BEGIN FOR o IN SELECT body FROM public.documents LOOP EXECUTE format('ALTER LARGE OBJECT %s OWNER TO app_owner', o); END LOOP; END $$`);
  await query(
    url,
    `
    GRANT USAGE ON SCHEMA sales TO app_reader, reporting;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO app_reader;
    GRANT SELECT ON sales.items TO reporting;
    GRANT SELECT (id, name) ON public.items TO reporting;
    GRANT EXECUTE ON FUNCTION public.new_reference() TO app_reader;
    ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA sales GRANT SELECT ON TABLES TO reporting;
    `,
  );
  return url;
}

/** Tables of the realistic database, schema-qualified, with partitions. */
export const REALISTIC_TABLES = [
  "public.Order Items",
  "public.customers",
  "public.documents",
  "public.items",
  "public.orders",
  "public.orders_2025",
  "public.orders_2026",
  "public.pgbench_accounts",
  "public.pgbench_branches",
  "public.pgbench_history",
  "public.pgbench_tellers",
  "sales.items",
];

/**
 * `pg_dump --schema-only` of a database, normalised for comparing two databases: no comments,
 * session settings or pg_dump's per-run `\restrict` keys, and no owners (a restore never brings
 * them back: --no-owner). Privileges are kept. `tables` limits it to those tables (`-t`).
 */
export function schemaOf(pg: LocalPostgres, database: string, tables: readonly string[] = []): string {
  const out = execFileSync(
    join(pg.binDir, "pg_dump"),
    ["--schema-only", "--no-owner", ...tables.flatMap((t) => ["-t", t]), "-h", pg.host, "-p", String(pg.port), "-U", "postgres", database],
    { maxBuffer: 64 * 1024 * 1024 },
  ).toString();
  return out
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("--") && !/^SET |^SELECT pg_catalog\.set_config|^\\(un)?restrict /.test(l))
    .join("\n");
}

const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Every table's content as one md5 (rows as text, sorted), by `schema.name`. */
export async function tableChecksums(url: string, tables: readonly string[] = REALISTIC_TABLES): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const t of tables) {
    const dot = t.indexOf(".");
    const rows = await query<{ sum: string | null }>(
      url,
      `SELECT md5(string_agg(t::text, '' ORDER BY t::text)) AS sum FROM ${ident(t.slice(0, dot))}.${ident(t.slice(dot + 1))} t`,
    ).catch(() => [{ sum: "missing" }]);
    out[t] = rows[0].sum;
  }
  return out;
}

/** The large objects: oid → md5 of the content. */
export async function largeObjects(url: string): Promise<Record<string, string>> {
  const rows = await query<{ oid: string; sum: string }>(url, "SELECT oid::text AS oid, md5(lo_get(oid)) AS sum FROM pg_largeobject_metadata ORDER BY oid");
  return Object.fromEntries(rows.map((r) => [r.oid, r.sum]));
}

/** Autovacuum off, so that statistics in a restored database can only come from the restore. */
export async function withoutAutovacuum(pg: LocalPostgres): Promise<void> {
  await query(pg.url(), "ALTER SYSTEM SET autovacuum = off");
  await query(pg.url(), "SELECT pg_reload_conf()");
}

/**
 * Test instruments on a target cluster, in template1 so every new database has them: in a
 * database named `fail_…` creating an index fails (a restore that fails mid-way, after the data);
 * in one named `hold_…` it waits until the role `release_hold` exists (a restore caught mid-way,
 * for signals). Other databases are untouched.
 */
export async function installRestoreHooks(pg: LocalPostgres): Promise<void> {
  await query(
    pg.url("template1"),
    `CREATE FUNCTION public.restore_hook() RETURNS event_trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF current_database() LIKE 'fail\\_%' THEN
         RAISE EXCEPTION 'index builds are switched off in %', current_database();
       END IF;
       IF current_database() LIKE 'hold\\_%' THEN
         WHILE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'release_hold') LOOP PERFORM pg_sleep(0.05); END LOOP;
       END IF;
     END $$;
     CREATE EVENT TRIGGER restore_hook ON ddl_command_start WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION public.restore_hook();`,
  );
}
