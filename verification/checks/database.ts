import { DescribeDBInstancesCommand, type RDSClient } from "@aws-sdk/client-rds";
import type { Pool, PoolClient } from "pg";
import type { DatabaseBaseline } from "../baseline";
import {
  batch,
  freshnessColumns,
  latestMigration,
  listForeignKeys,
  listSequenceUses,
  listTimestampColumns,
  listUniqueKeys,
  MIGRATIONS_TABLE,
  parseTableKey,
  qualified,
  quoteIdent,
  quoteLiteral,
  tableKey,
  type ForeignKeyDef,
  type KeyDef,
  type TableRef,
} from "../catalog";
import { some } from "../format";
import type { Check, CheckVerdict } from "../types";

export interface DatabaseTarget {
  readonly name: string;
  /** The restored instance's identifier, for the RDS API. */
  readonly identifier: string;
  readonly pool: Pool;
  readonly baseline: DatabaseBaseline;
  readonly rpoMinutes: number;
  /** The time the restore targets (ms); undefined when only `latest` is known. */
  readonly restorePoint?: number;
  /** Extra share of rows a table may lack beyond those written within the RPO. */
  readonly rowTolerance: number;
  /** Undefined: the RDS API check is not run (`--no-rds-api`). */
  readonly rds?: RDSClient;
}

const verdict = (ok: boolean, detail: string): CheckVerdict => ({ ok, detail });

async function withClient<T>(pool: Pool, fn: (db: PoolClient) => Promise<T>): Promise<T> {
  const db = await pool.connect();
  try {
    return await fn(db);
  } finally {
    db.release();
  }
}

async function existingTables(db: PoolClient, keys: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ key: string; found: boolean }>(
    "SELECT k AS key, to_regclass(quote_ident(split_part(k, '.', 1)) || '.' || quote_ident(substr(k, strpos(k, '.') + 1))) IS NOT NULL AS found FROM unnest($1::text[]) k",
    [keys],
  );
  return new Set(rows.filter((r) => r.found).map((r) => r.key));
}

/** Data tables: the migration history is judged by the migrations check alone. */
const dataTables = (b: DatabaseBaseline): string[] => Object.keys(b.tables).filter((k) => parseTableKey(k).table !== MIGRATIONS_TABLE);

function dedupe<T extends KeyDef>(defs: readonly T[], id: (d: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const d of defs) if (!seen.has(id(d))) seen.set(id(d), d);
  return [...seen.values()];
}

const keyId = (k: KeyDef): string => `${tableKey(k)}(${k.columns.join(",")})`;
const fkId = (k: ForeignKeyDef): string => `${keyId(k)}->${k.refSchema}.${k.refTable}(${k.refColumns.join(",")})`;

/** One check over a pooled connection to the restored database. */
type SqlCheck = (db: PoolClient, t: DatabaseTarget) => Promise<CheckVerdict>;

/** The restored instance answers a query. */
async function connect(db: PoolClient): Promise<CheckVerdict> {
  const { rows } = await db.query<{ one: number; version: string }>("SELECT 1 AS one, current_setting('server_version') AS version");
  return verdict(rows[0].one === 1, `SELECT 1 answered (PostgreSQL ${rows[0].version})`);
}

/** Every table of the source's baseline exists. */
async function tables(db: PoolClient, t: DatabaseTarget): Promise<CheckVerdict> {
  const expected = Object.keys(t.baseline.tables);
  const found = await existingTables(db, expected);
  const missing = expected.filter((k) => !found.has(k));
  return missing.length === 0
    ? verdict(true, `all ${expected.length} tables of the baseline exist`)
    : verdict(false, `${missing.length} of ${expected.length} tables missing: ${some(missing)}`);
}

/** The migration history reached the source's latest migration, with none left unfinished. */
async function migrations(db: PoolClient, t: DatabaseTarget): Promise<CheckVerdict> {
  const expected = t.baseline.migration;
  const state = await latestMigration(db);
  if (expected === null) return verdict(true, `the source has no ${MIGRATIONS_TABLE}; nothing to compare`);
  if (!state.table) return verdict(false, `${MIGRATIONS_TABLE} is missing; expected ${expected}`);
  if (state.failed.length > 0) return verdict(false, `unfinished migrations: ${some(state.failed)}; run \`prisma migrate resolve\`/\`deploy\``);
  if (!state.finished.includes(expected)) return verdict(false, `${expected} is not applied (latest is ${state.latest ?? "none"}); run the migration job`);
  return verdict(true, `at ${state.latest ?? expected} (baseline ${expected})`);
}

/** Each table holds the baseline's rows, less at most those written within the RPO (and the tolerance). */
async function rowCounts(db: PoolClient, t: DatabaseTarget): Promise<CheckVerdict> {
  const keys = dataTables(t.baseline);
  const found = await existingTables(db, keys);
  // A missing table is the tables check's finding; counting it here would report it twice.
  const present = keys.filter((k) => found.has(k));
  const counts = await batch<{ key: string; n: string }>(
    db,
    present.map((k) => `SELECT ${quoteLiteral(k)} AS key, count(*)::text AS n FROM ${qualified(parseTableKey(k))}`),
  );
  const short: string[] = [];
  for (const { key, n } of counts) {
    const base = t.baseline.tables[key];
    const restored = Number(n);
    const allowed = base.recentRows + Math.ceil(base.rows * t.rowTolerance);
    if (base.rows - restored > allowed) short.push(`${key} has ${restored} rows, baseline ${base.rows} (may lack ${allowed})`);
  }
  return short.length === 0
    ? verdict(true, `${present.length} tables within the RPO's tolerance of the baseline`)
    : verdict(false, some(short, 2));
}

/** No row references a parent row that is not there. */
async function foreignKeys(db: PoolClient, t: DatabaseTarget): Promise<CheckVerdict> {
  const fks = dedupe([...t.baseline.foreignKeys, ...(await listForeignKeys(db))], fkId);
  const found = await existingTables(db, [...new Set(fks.flatMap((f) => [tableKey(f), `${f.refSchema}.${f.refTable}`]))]);
  // Scanned even when the constraint exists: a data-only restore with triggers disabled
  // (pg_restore --disable-triggers) loads orphans past it.
  const checked = fks.filter((fk) => found.has(tableKey(fk)) && found.has(`${fk.refSchema}.${fk.refTable}`));
  const results = await batch<{ i: number; n: string }>(
    db,
    checked.map((fk, i) => {
      const parent: TableRef = { schema: fk.refSchema, table: fk.refTable };
      // MATCH SIMPLE: a row with any NULL in the key references nothing.
      const notNull = fk.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(" AND ");
      const join = fk.columns.map((c, j) => `p.${quoteIdent(fk.refColumns[j])} = c.${quoteIdent(c)}`).join(" AND ");
      return `SELECT ${i} AS i, count(*)::text AS n FROM (SELECT 1 FROM ${qualified(fk)} c WHERE ${notNull}
        AND NOT EXISTS (SELECT 1 FROM ${qualified(parent)} p WHERE ${join}) LIMIT 1000) o`;
    }),
  );
  const orphans = results
    .filter((r) => Number(r.n) > 0)
    .map(({ i, n }) => {
      const fk = checked[i];
      return `${tableKey(fk)}(${fk.columns.join(", ")}) → ${fk.refSchema}.${fk.refTable}: ${Number(n) >= 1000 ? "≥1000" : n} orphan rows`;
    });
  return orphans.length === 0 ? verdict(true, `${checked.length} foreign keys, no orphan rows`) : verdict(false, some(orphans, 2));
}

/** No unique key holds duplicates. */
async function uniqueKeys(db: PoolClient, t: DatabaseTarget): Promise<CheckVerdict> {
  const restored = await listUniqueKeys(db);
  // A valid unique index is PostgreSQL's own guarantee; only keys without one (an index
  // that failed to build, a constraint the restore lost) can hide duplicates.
  const enforced = new Set(restored.filter((k) => k.valid).map(keyId));
  const keys = dedupe([...t.baseline.uniqueKeys, ...restored], keyId);
  const found = await existingTables(db, [...new Set(keys.map(tableKey))]);
  const present = keys.filter((k) => found.has(tableKey(k)));
  const scan = present.filter((k) => !enforced.has(keyId(k)));
  // Only whether a duplicate exists: its values may be personal data and are never printed.
  const results = await batch<{ i: number; dup: boolean }>(
    db,
    scan.map((k, i) => {
      const cols = k.columns.map(quoteIdent).join(", ");
      return `SELECT ${i} AS i, EXISTS (SELECT 1 FROM ${qualified(k)} WHERE ${k.columns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(" AND ")}
        GROUP BY ${cols} HAVING count(*) > 1) AS dup`;
    }),
  );
  const broken = results.filter((r) => r.dup).map(({ i }) => `${tableKey(scan[i])}(${scan[i].columns.join(", ")}) has duplicates (${scan[i].name} is not enforced)`);
  const how = scan.length > 0 ? `, ${scan.length} without a valid index scanned` : "";
  return broken.length === 0 ? verdict(true, `${present.length} unique keys hold${how}`) : verdict(false, some(broken, 2));
}

/** Every sequence hands out ids beyond those already restored. */
async function sequences(db: PoolClient): Promise<CheckVerdict> {
  const uses = await listSequenceUses(db);
  const rows = await batch<{ i: number; max: string | null; last_value: string; is_called: boolean; increment_by: string }>(
    db,
    uses.map((u, i) => {
      const seq = parseTableKey(u.sequence);
      // pg_sequence by oid: the pg_sequences view would read every sequence once per row.
      return `SELECT ${i} AS i, (SELECT max(${quoteIdent(u.column)}) FROM ${qualified(u)})::text AS max, s.last_value::text AS last_value,
        s.is_called, p.seqincrement::text AS increment_by FROM ${qualified(seq)} s, pg_sequence p
        WHERE p.seqrelid = ${quoteLiteral(qualified(seq))}::regclass`;
    }),
  );
  const behind: string[] = [];
  for (const r of rows) {
    if (r.max === null) continue;
    const next = r.is_called ? BigInt(r.last_value) + BigInt(r.increment_by) : BigInt(r.last_value);
    const u = uses[r.i];
    // The next insert would collide with a restored row: the classic forgotten setval after a logical restore.
    if (next <= BigInt(r.max)) behind.push(`${u.sequence} would hand out ${next} but ${tableKey(u)}.${u.column} reaches ${r.max}`);
  }
  return behind.length === 0 ? verdict(true, `${uses.length} sequences ahead of the ids they serve`) : verdict(false, some(behind, 2));
}

/** The newest restored row is within the RPO of the restore point (or of the source's newest row). */
async function freshness(db: PoolClient, t: DatabaseTarget): Promise<CheckVerdict> {
  const rpoMs = t.rpoMinutes * 60_000;
  const keys = dataTables(t.baseline);
  const found = await existingTables(db, keys);
  const columnsOf = await listTimestampColumns(db);
  const selects = keys
    .filter((k) => found.has(k))
    .flatMap((k) =>
      freshnessColumns(columnsOf.get(k) ?? []).map(
        (c) => `SELECT ${quoteLiteral(`${k}.${c}`)} AS "where", (extract(epoch FROM max(${quoteIdent(c)})) * 1000)::float8 AS ms FROM ${qualified(parseTableKey(k))}`,
      ),
    );
  let newest: { ms: number; where: string } | undefined;
  for (const r of await batch<{ where: string; ms: number | null }>(db, selects))
    if (r.ms !== null && (newest === undefined || r.ms > newest.ms)) newest = { ms: r.ms, where: r.where };
  // The source may have been quiet: its own newest row bounds what a restore can hold.
  let sourceNewest: number | undefined;
  for (const key of keys) {
    const ts = t.baseline.tables[key].timestamps;
    for (const c of freshnessColumns(Object.keys(ts))) {
      const v = ts[c];
      if (v !== null && (sourceNewest === undefined || Date.parse(v) > sourceNewest)) sourceNewest = Date.parse(v);
    }
  }
  const reference = Math.min(t.restorePoint ?? Infinity, sourceNewest ?? Infinity);
  if (!Number.isFinite(reference)) return verdict(true, "no timestamp columns in the baseline and no restore point; nothing to compare");
  const needed = reference - rpoMs;
  if (newest === undefined) return verdict(false, `no timestamped rows; expected rows up to ${new Date(needed).toISOString()}`);
  const age = Math.round((reference - newest.ms) / 60_000);
  return newest.ms >= needed
    ? verdict(true, `newest row ${new Date(newest.ms).toISOString()} (${newest.where}), within the ${t.rpoMinutes}-minute RPO`)
    : verdict(false, `newest row ${new Date(newest.ms).toISOString()} (${newest.where}) is ${age} minutes before ${new Date(reference).toISOString()}; the RPO allows ${t.rpoMinutes}`);
}

/** The checks run over SQL, in the order they are reported. */
const SQL_CHECKS: ReadonlyArray<{ readonly name: string; readonly run: SqlCheck }> = [
  { name: "connect", run: connect },
  { name: "tables", run: tables },
  { name: "migrations", run: migrations },
  { name: "row-counts", run: rowCounts },
  { name: "foreign-keys", run: foreignKeys },
  { name: "unique", run: uniqueKeys },
  { name: "sequences", run: sequences },
  { name: "freshness", run: freshness },
];

/** The RDS API says the instance is not publicly accessible (invariant 2). */
async function isPrivate(rds: RDSClient, identifier: string, signal: AbortSignal): Promise<CheckVerdict> {
  const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }), { abortSignal: signal });
  const instance = out.DBInstances?.[0];
  if (!instance) return verdict(false, `RDS has no instance ${identifier}`);
  return instance.PubliclyAccessible
    ? verdict(false, `${identifier} is publicly accessible; set publiclyAccessible: false (invariant 2)`)
    : verdict(true, `${identifier} is not publicly accessible`);
}

/** The database checks of one restored database: the SQL checks, then the RDS API's (unless `--no-rds-api`). */
export function databaseChecks(t: DatabaseTarget): Check[] {
  const checks: Check[] = SQL_CHECKS.map(({ name, run }) => ({
    name: `database.${name}`,
    target: t.name,
    group: "db",
    run: () => withClient(t.pool, (db) => run(db, t)),
  }));
  const rds = t.rds;
  if (rds) checks.push({ name: "database.private", target: t.name, group: "db", run: (signal) => isPrivate(rds, t.identifier, signal) });
  return checks;
}
