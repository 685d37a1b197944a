import { runForOutput } from "./child-process";

/**
 * The archive's table of contents joined with each entry's SQL. `pg_restore --list` gives the
 * entries (and the lines `--use-list` takes back) but not what they depend on, and this
 * pg_restore does not print dependencies; so what an entry needs is read from its SQL, where
 * pg_dump schema-qualifies every reference (it dumps with an empty search_path).
 */
export interface TocEntry {
  readonly id: number;
  /** The `--list` line, exactly as `--use-list` wants it back. */
  readonly line: string;
  /** pg_dump's object kind: TABLE, TABLE DATA, FK CONSTRAINT, ACL, … */
  readonly desc: string;
  /** The schema, or "-" for objects outside schemas. */
  readonly namespace: string;
  readonly tag: string;
  readonly owner: string;
  /** The entry's SQL from `pg_restore --schema-only` (empty for data entries). */
  sql: string;
  /** Schema-qualified names the SQL refers to, as `schema.name` (unquoted). */
  refs: string[];
}

// Kinds of several words first: "TABLE DATA" must not be read as "TABLE".
const DESCS = [
  "SEQUENCE OWNED BY", "SEQUENCE SET", "TABLE DATA", "TABLE ATTACH", "INDEX ATTACH", "FK CONSTRAINT", "ROW SECURITY",
  "DEFAULT ACL", "ACL LANGUAGE", "MATERIALIZED VIEW DATA", "MATERIALIZED VIEW", "EVENT TRIGGER", "FOREIGN TABLE",
  "FOREIGN DATA WRAPPER", "SERVER", "USER MAPPING", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY",
  "TEXT SEARCH PARSER", "TEXT SEARCH TEMPLATE", "OPERATOR CLASS", "OPERATOR FAMILY", "SHELL TYPE", "LARGE OBJECT",
  "PUBLICATION TABLE", "PUBLICATION TABLES IN SCHEMA", "SECURITY LABEL", "DATABASE PROPERTIES",
  "PROCEDURAL LANGUAGE", "STDSTRINGS", "SEARCHPATH", "ENCODING", "EXTENSION", "SCHEMA", "TYPE", "DOMAIN", "FUNCTION",
  "PROCEDURE", "AGGREGATE", "OPERATOR", "COLLATION", "CONVERSION", "CAST", "TRANSFORM", "ACCESS METHOD", "SEQUENCE",
  "TABLE", "VIEW", "INDEX", "CONSTRAINT", "CHECK CONSTRAINT", "DEFAULT", "TRIGGER", "RULE", "POLICY", "COMMENT", "ACL",
  "STATISTICS", "PUBLICATION", "SUBSCRIPTION", "BLOBS", "BLOB", "DATABASE",
].sort((a, b) => b.length - a.length);

/** Parses one `--list` line: `<id>; <catalog> <oid> <DESC> <namespace> <tag> <owner>`. */
export function parseTocLine(line: string): Omit<TocEntry, "sql" | "refs"> | undefined {
  const m = /^(\d+); \d+ \d+ (.*)$/.exec(line);
  if (!m) return undefined;
  const desc = DESCS.find((d) => m[2].startsWith(`${d} `));
  if (!desc) return undefined;
  const rest = m[2].slice(desc.length + 1);
  const space = rest.indexOf(" ");
  const namespace = rest.slice(0, space);
  // The tag may hold spaces; the owner (last word, empty for extensions and comments) does not.
  const last = rest.lastIndexOf(" ");
  return { id: Number(m[1]), line, desc, namespace, tag: rest.slice(space + 1, last), owner: rest.slice(last + 1) };
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
export const unquoteIdent = (s: string): string => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);
const QUALIFIED = new RegExp(String.raw`(${IDENT})\.(${IDENT})`, "y");

/**
 * The `schema.name` references of a statement, outside string literals and dollar-quoted bodies
 * (a function body is not checked at restore: pg_dump sets check_function_bodies off), except a
 * literal cast to regclass or passed to setval, which names a sequence.
 */
export function qualifiedRefs(sql: string): string[] {
  const refs = new Set<string>();
  const token = /'((?:[^']|'')*)'(::regclass)?|\$([A-Za-z_]*)\$[\s\S]*?\$\3\$|--[^\n]*|"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*|[\s\S]/gy;
  let previousWord = "";
  for (let m = token.exec(sql); m !== null; m = token.exec(sql)) {
    const text = m[0];
    if (m[1] !== undefined) {
      if (m[2] !== undefined || /setval\($/i.test(sql.slice(Math.max(0, m.index - 8), m.index))) {
        const inner = m[1].replace(/''/g, "'");
        QUALIFIED.lastIndex = 0;
        const q = QUALIFIED.exec(inner);
        if (q) refs.add(`${unquoteIdent(q[1])}.${unquoteIdent(q[2])}`);
      }
      continue;
    }
    if (text.startsWith("$") || text.startsWith("--")) continue;
    if (/^["A-Za-z_]/.test(text) && sql[token.lastIndex] === "." && previousWord !== ".") {
      QUALIFIED.lastIndex = m.index;
      const q = QUALIFIED.exec(sql);
      if (q) {
        const schema = unquoteIdent(q[1]);
        if (schema !== "pg_catalog") refs.add(`${schema}.${unquoteIdent(q[2])}`);
        token.lastIndex = QUALIFIED.lastIndex;
        previousWord = "";
        continue;
      }
    }
    previousWord = text;
  }
  return [...refs];
}

const HEADER = /^--\n-- (?:Data for )?Name: (.*); Type: (.*); Schema: (.*); Owner: (.*?)(?:; Tablespace: .*)?\n--\n/gm;

/** Splits `pg_restore --schema-only --file=-` output into each entry's SQL, keyed as the list's lines are. */
export function sqlByEntry(script: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const headers = [...script.matchAll(HEADER)];
  headers.forEach((h, i) => {
    const end = i + 1 < headers.length ? headers[i + 1].index! : script.length;
    const sql = script.slice(h.index! + h[0].length, end).trim();
    const owner = h[4] === "-" ? "" : h[4];
    const key = entryKey(h[2], h[3], h[1], owner);
    out.set(key, [...(out.get(key) ?? []), sql]);
  });
  return out;
}

const entryKey = (desc: string, namespace: string, tag: string, owner: string): string => `${desc}\u0000${namespace}\u0000${tag}\u0000${owner}`;

/** Joins the list with the SQL; entries without SQL (data, sequence values, large object data) get none. */
export function joinToc(list: string, script: string): TocEntry[] {
  const sql = sqlByEntry(script);
  const entries: TocEntry[] = [];
  for (const line of list.split("\n")) {
    const parsed = parseTocLine(line);
    if (!parsed) continue;
    const queue = sql.get(entryKey(parsed.desc, parsed.namespace, parsed.tag, parsed.owner));
    const text = queue?.shift() ?? "";
    entries.push({ ...parsed, sql: text, refs: qualifiedRefs(text) });
  }
  return entries;
}

/** Reads the archive's list and schema SQL (two pg_restore runs, in parallel, no database touched). */
export async function readArchiveToc(archive: string): Promise<{ list: string; entries: TocEntry[] }> {
  const [list, script] = await Promise.all([
    runForOutput("pg_restore", ["--list", archive]),
    runForOutput("pg_restore", ["--schema-only", "--file=-", archive]),
  ]);
  return { list, entries: joinToc(list, script) };
}
