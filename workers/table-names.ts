import { UsageError } from "./errors";

/** A table as the manifest and the catalogs name it: schema and name, unquoted. */
export interface TableName {
  readonly schema: string;
  readonly name: string;
}

export const formatTable = (t: TableName): string => `${quoteIfNeeded(t.schema)}.${quoteIfNeeded(t.name)}`;

/** SQL spelling: quoted unless a plain lower-case identifier (as `quote_ident` would). */
export function quoteIfNeeded(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

export const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

// One name of `--tables`: `[schema.]name`, each part plain (folded to lower case, as SQL does)
// or double-quoted (kept as written, `""` for a quote).
const PART = String.raw`(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))`;
const NAME = new RegExp(String.raw`^\s*${PART}(?:\.${PART})?\s*(?:,|$)`);

export interface RequestedTable {
  readonly given: string;
  readonly schema?: string;
  readonly name: string;
}

/** Parses `--tables 'items,sales.items,"Order Items",public."Order Items"'`; bad input is exit 2. */
export function parseTableList(value: string): RequestedTable[] {
  const out: RequestedTable[] = [];
  let rest = value;
  while (rest.trim() !== "") {
    const m = NAME.exec(rest);
    if (!m) {
      const bad = rest.split(",")[0].trim();
      throw new UsageError(
        "--tables",
        `"${bad}" is not a table name; give names separated by commas, schema-qualified where needed, ` +
          `double-quoted when they hold capitals or spaces, e.g. --tables 'orders,sales.items,"Order Items"'`,
      );
    }
    const part = (quoted: string | undefined, plain: string | undefined): string | undefined =>
      quoted !== undefined ? quoted.replace(/""/g, '"') : plain?.toLowerCase();
    const first = part(m[1], m[2])!;
    const second = part(m[3], m[4]);
    out.push(second === undefined ? { given: m[0].replace(/,$/, "").trim(), name: first } : { given: m[0].replace(/,$/, "").trim(), schema: first, name: second });
    rest = rest.slice(m[0].length);
  }
  return out;
}

/**
 * Resolves requested names against the dump's tables. An unqualified name found in several
 * schemas is refused with the candidates: restoring both (what `pg_restore --table` does) is how
 * `--tables items` used to restore `sales.items` into a database without the `sales` schema.
 */
export function resolveTables(
  requested: readonly RequestedTable[],
  inDump: readonly TableName[],
): { tables: TableName[]; unknown: string[]; ambiguous: { given: string; candidates: string[] }[] } {
  const tables: TableName[] = [];
  const unknown: string[] = [];
  const ambiguous: { given: string; candidates: string[] }[] = [];
  for (const r of requested) {
    const matches = inDump.filter((t) => t.name === r.name && (r.schema === undefined || t.schema === r.schema));
    if (matches.length === 0) unknown.push(r.given);
    else if (matches.length > 1) ambiguous.push({ given: r.given, candidates: matches.map(formatTable) });
    else if (!tables.includes(matches[0])) tables.push(matches[0]);
  }
  return { tables, unknown, ambiguous };
}
