import type { ClientBase } from "pg";

/**
 * Catalog queries shared by the baseline (on the source) and the checks (on the restore):
 * the integrity queries are generated from these, never hand-written per table.
 */

export interface TableRef {
  readonly schema: string;
  readonly table: string;
}

export interface KeyDef extends TableRef {
  readonly name: string;
  readonly columns: readonly string[];
}

/** A unique key as the catalog has it; `valid` when PostgreSQL enforces it (a usable index). */
export interface UniqueIndex extends KeyDef {
  readonly valid: boolean;
}

export interface ForeignKeyDef extends KeyDef {
  readonly refSchema: string;
  readonly refTable: string;
  readonly refColumns: readonly string[];
}

export interface SequenceUse extends TableRef {
  readonly sequence: string;
  readonly column: string;
}

/** Prisma's migration history (seed 004, step 5): data about the schema, not data. */
export const MIGRATIONS_TABLE = "_prisma_migrations";

const USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'";

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const qualified = (t: TableRef): string => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
/** The key tables go by in baselines and details: `public.orders`. */
export const tableKey = (t: TableRef): string => `${t.schema}.${t.table}`;
export function parseTableKey(key: string): TableRef {
  const dot = key.indexOf(".");
  return { schema: key.slice(0, dot), table: key.slice(dot + 1) };
}

export async function listTables(db: ClientBase): Promise<TableRef[]> {
  const { rows } = await db.query<TableRef>(
    `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${USER_SCHEMAS} ORDER BY 1, 2`,
  );
  return rows;
}

/** Unique indexes on plain columns: primary keys, unique constraints and unique indexes alike. */
export async function listUniqueKeys(db: ClientBase): Promise<UniqueIndex[]> {
  const { rows } = await db.query<UniqueIndex>(
    `SELECT n.nspname AS schema, t.relname AS table, i.relname AS name, x.indisvalid AND x.indisready AS valid,
       ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS columns
     FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE x.indisunique AND x.indexprs IS NULL AND x.indpred IS NULL AND ${USER_SCHEMAS} ORDER BY 1, 2, 3`,
  );
  return rows;
}

export async function listForeignKeys(db: ClientBase): Promise<ForeignKeyDef[]> {
  const { rows } = await db.query<ForeignKeyDef>(
    `SELECT n.nspname AS schema, t.relname AS table, con.conname AS name,
       rn.nspname AS "refSchema", r.relname AS "refTable",
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS columns,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS "refColumns"
     FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     JOIN pg_class r ON r.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
     WHERE con.contype = 'f' AND ${USER_SCHEMAS} ORDER BY 1, 2, 3`,
  );
  return rows;
}

/** Sequences that feed a column: `serial` (owned) and identity columns. */
export async function listSequenceUses(db: ClientBase): Promise<SequenceUse[]> {
  const { rows } = await db.query<SequenceUse>(
    `SELECT sn.nspname || '.' || s.relname AS sequence, n.nspname AS schema, t.relname AS table, a.attname AS column
     FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace
     JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace
     JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
     WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       AND ${USER_SCHEMAS} ORDER BY 1`,
  );
  return rows;
}

/** A string as an SQL literal, for the generated batch queries (identifiers use quoteIdent). */
export const quoteLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/**
 * Runs one-row SELECTs (same columns each) as UNION ALL batches: one round trip per hundred
 * tables instead of one per table, which is most of a check's time on a busy server.
 */
export async function batch<T extends object>(db: ClientBase, selects: readonly string[], size = 100): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < selects.length; i += size) {
    const { rows } = await db.query<T>(selects.slice(i, i + size).map((s) => `(${s})`).join(" UNION ALL "));
    out.push(...rows);
  }
  return out;
}

/** Timestamp columns per table (`schema.table` → columns). */
export async function listTimestampColumns(db: ClientBase): Promise<Map<string, string[]>> {
  // pg_attribute, not information_schema.columns: the latter costs more than the checks.
  const { rows } = await db.query<{ schema: string; table: string; column: string }>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS column
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE a.attnum > 0 AND NOT a.attisdropped AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype)
       AND c.relkind IN ('r', 'p') AND ${USER_SCHEMAS} ORDER BY 1, 2, a.attnum`,
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(tableKey(r), [...(out.get(tableKey(r)) ?? []), r.column]);
  return out;
}

/**
 * The columns that say when a row was written. Conventional names when a table has them
 * (`expires_at` or `scheduled_for` may lie in the future and would hide stale data);
 * otherwise every timestamp column.
 */
export function freshnessColumns(columns: readonly string[]): string[] {
  const conventional = columns.filter((c) => /^(created|updated|inserted|modified)_?at$/i.test(c));
  return conventional.length > 0 ? conventional : [...columns];
}

/** Max of each column, in ms since the epoch (timestamps without time zone read as UTC). */
export async function maxTimestamps(db: ClientBase, t: TableRef, columns: readonly string[]): Promise<Record<string, number | null>> {
  if (columns.length === 0) return {};
  const selects = columns.map((c, i) => `(extract(epoch FROM max(${quoteIdent(c)})) * 1000)::float8 AS c${i}`);
  const { rows } = await db.query<Record<string, number | null>>(`SELECT ${selects.join(", ")} FROM ${qualified(t)}`);
  return Object.fromEntries(columns.map((c, i) => [c, rows[0][`c${i}`]]));
}

/** The latest finished, not rolled back Prisma migration; undefined when there is no history table. */
export async function latestMigration(
  db: ClientBase,
): Promise<{ table: boolean; latest: string | null; finished: string[]; failed: string[] }> {
  const { rows: found } = await db.query<{ oid: string | null }>("SELECT to_regclass($1)::text AS oid", [`public.${MIGRATIONS_TABLE}`]);
  if (found[0].oid === null) return { table: false, latest: null, finished: [], failed: [] };
  const { rows } = await db.query<{ migration_name: string; finished: boolean }>(
    `SELECT migration_name, finished_at IS NOT NULL AS finished FROM public.${MIGRATIONS_TABLE}
     WHERE rolled_back_at IS NULL ORDER BY migration_name`,
  );
  const finished = rows.filter((r) => r.finished).map((r) => r.migration_name);
  return { table: true, latest: finished.at(-1) ?? null, finished, failed: rows.filter((r) => !r.finished).map((r) => r.migration_name) };
}
