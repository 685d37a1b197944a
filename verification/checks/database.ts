import { DescribeDBInstancesCommand, type RDSClient } from "@aws-sdk/client-rds";
import type { Pool, PoolClient } from "pg";
import type { DatabaseBaseline } from "../baseline";
import {
  freshnessColumns,
  latestMigration,
  listForeignKeys,
  listSequenceUses,
  listTimestampColumns,
  listUniqueKeys,
  maxTimestamps,
  MIGRATIONS_TABLE,
  nextSequenceValue,
  parseTableKey,
  qualified,
  quoteIdent,
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

export function databaseChecks(t: DatabaseTarget): Check[] {
  const check = (name: string, run: (db: PoolClient, signal: AbortSignal) => Promise<CheckVerdict>): Check => ({
    name: `database.${name}`,
    target: t.name,
    group: "db",
    run: (signal) => withClient(t.pool, (db) => run(db, signal)),
  });
  const checks: Check[] = [
    check("connect", async (db) => {
      const { rows } = await db.query<{ one: number; version: string }>("SELECT 1 AS one, current_setting('server_version') AS version");
      return verdict(rows[0].one === 1, `SELECT 1 answered (PostgreSQL ${rows[0].version})`);
    }),

    check("tables", async (db) => {
      const expected = Object.keys(t.baseline.tables);
      const found = await existingTables(db, expected);
      const missing = expected.filter((k) => !found.has(k));
      return missing.length === 0
        ? verdict(true, `all ${expected.length} tables of the baseline exist`)
        : verdict(false, `${missing.length} of ${expected.length} tables missing: ${some(missing)}`);
    }),

    check("migrations", async (db) => {
      const expected = t.baseline.migration;
      const state = await latestMigration(db);
      if (expected === null) return verdict(true, `the source has no ${MIGRATIONS_TABLE}; nothing to compare`);
      if (!state.table) return verdict(false, `${MIGRATIONS_TABLE} is missing; expected ${expected}`);
      if (state.failed.length > 0) return verdict(false, `unfinished migrations: ${some(state.failed)}; run \`prisma migrate resolve\`/\`deploy\``);
      if (!state.finished.includes(expected)) return verdict(false, `${expected} is not applied (latest is ${state.latest ?? "none"}); run the migration job`);
      return verdict(true, `at ${state.latest ?? expected} (baseline ${expected})`);
    }),

    check("row-counts", async (db, signal) => {
      const keys = dataTables(t.baseline);
      const found = await existingTables(db, keys);
      const short: string[] = [];
      for (const key of keys) {
        if (signal.aborted) break;
        // A missing table is the tables check's finding; counting it here would report it twice.
        if (!found.has(key)) continue;
        const base = t.baseline.tables[key];
        const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(parseTableKey(key))}`);
        const restored = Number(rows[0].n);
        const allowed = base.recentRows + Math.ceil(base.rows * t.rowTolerance);
        if (base.rows - restored > allowed) short.push(`${key} has ${restored} rows, baseline ${base.rows} (may lack ${allowed})`);
      }
      return short.length === 0
        ? verdict(true, `${found.size} tables within the RPO's tolerance of the baseline`)
        : verdict(false, some(short, 2));
    }),

    check("foreign-keys", async (db, signal) => {
      const fks = dedupe([...t.baseline.foreignKeys, ...(await listForeignKeys(db))], fkId);
      const found = await existingTables(db, [...new Set(fks.flatMap((f) => [tableKey(f), `${f.refSchema}.${f.refTable}`]))]);
      const orphans: string[] = [];
      let checked = 0;
      for (const fk of fks) {
        if (signal.aborted) break;
        const parent: TableRef = { schema: fk.refSchema, table: fk.refTable };
        if (!found.has(tableKey(fk)) || !found.has(tableKey(parent))) continue;
        checked += 1;
        // MATCH SIMPLE: a row with any NULL in the key references nothing.
        const notNull = fk.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(" AND ");
        const join = fk.columns.map((c, i) => `p.${quoteIdent(fk.refColumns[i])} = c.${quoteIdent(c)}`).join(" AND ");
        const { rows } = await db.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM (SELECT 1 FROM ${qualified(fk)} c WHERE ${notNull}
             AND NOT EXISTS (SELECT 1 FROM ${qualified(parent)} p WHERE ${join}) LIMIT 1000) o`,
        );
        const n = Number(rows[0].n);
        if (n > 0) orphans.push(`${tableKey(fk)}(${fk.columns.join(", ")}) → ${tableKey(parent)}: ${n >= 1000 ? "≥1000" : n} orphan rows`);
      }
      return orphans.length === 0 ? verdict(true, `${checked} foreign keys, no orphan rows`) : verdict(false, some(orphans, 2));
    }),

    check("unique", async (db, signal) => {
      const keys = dedupe([...t.baseline.uniqueKeys, ...(await listUniqueKeys(db))], keyId);
      const found = await existingTables(db, [...new Set(keys.map(tableKey))]);
      const broken: string[] = [];
      let checked = 0;
      for (const k of keys) {
        if (signal.aborted) break;
        if (!found.has(tableKey(k))) continue;
        checked += 1;
        const cols = k.columns.map(quoteIdent).join(", ");
        // Only whether a duplicate exists: its values may be personal data and are never printed.
        const { rows } = await db.query(
          `SELECT 1 FROM ${qualified(k)} WHERE ${k.columns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(" AND ")}
           GROUP BY ${cols} HAVING count(*) > 1 LIMIT 1`,
        );
        if (rows.length > 0) broken.push(`${tableKey(k)}(${k.columns.join(", ")}) has duplicates (${k.name})`);
      }
      return broken.length === 0 ? verdict(true, `${checked} unique keys hold`) : verdict(false, some(broken, 2));
    }),

    check("sequences", async (db, signal) => {
      const uses = await listSequenceUses(db);
      const behind: string[] = [];
      for (const u of uses) {
        if (signal.aborted) break;
        const { rows } = await db.query<{ max: string | null }>(`SELECT max(${quoteIdent(u.column)})::text AS max FROM ${qualified(u)}`);
        if (rows[0].max === null) continue;
        const next = await nextSequenceValue(db, u.sequence);
        // The next insert would collide with a restored row: the classic forgotten setval after a logical restore.
        if (next <= BigInt(rows[0].max)) behind.push(`${u.sequence} would hand out ${next} but ${tableKey(u)}.${u.column} reaches ${rows[0].max}`);
      }
      return behind.length === 0 ? verdict(true, `${uses.length} sequences ahead of the ids they serve`) : verdict(false, some(behind, 2));
    }),

    check("freshness", async (db, signal) => {
      const rpoMs = t.rpoMinutes * 60_000;
      const keys = dataTables(t.baseline);
      const found = await existingTables(db, keys);
      const columnsOf = await listTimestampColumns(db);
      let newest: { ms: number; where: string } | undefined;
      for (const key of keys) {
        if (signal.aborted) break;
        if (!found.has(key)) continue;
        const cols = freshnessColumns(columnsOf.get(key) ?? []);
        const maxes = await maxTimestamps(db, parseTableKey(key), cols);
        for (const [c, ms] of Object.entries(maxes))
          if (ms !== null && (newest === undefined || ms > newest.ms)) newest = { ms, where: `${key}.${c}` };
      }
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
    }),
  ];
  if (t.rds) {
    const rds = t.rds;
    checks.push({
      name: "database.private",
      target: t.name,
      group: "db",
      async run(signal) {
        const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: t.identifier }), { abortSignal: signal });
        const instance = out.DBInstances?.[0];
        if (!instance) return verdict(false, `RDS has no instance ${t.identifier}`);
        return instance.PubliclyAccessible
          ? verdict(false, `${t.identifier} is publicly accessible; set publiclyAccessible: false (invariant 2)`)
          : verdict(true, `${t.identifier} is not publicly accessible`);
      },
    });
  }
  return checks;
}
