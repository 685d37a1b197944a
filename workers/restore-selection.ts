import type { TocEntry } from "./archive-toc";
import { formatTable, type TableName } from "./table-names";

/**
 * A partial restore (`--tables`, seed 004 Restore 1C) that an application can use. `pg_restore
 * --table` alone brings back a table without its keys, indexes, defaults, sequences, the types
 * and functions its columns, defaults and triggers need, or its partitions. We filter the
 * archive's table of contents instead and hand pg_restore the list (`--use-list`).
 */

const TABLE_LIKE = new Set(["TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE"]);
/** Entries that hang off a table and come back with it. */
const ATTACHED = new Set([
  "TABLE DATA", "TABLE ATTACH", "INDEX", "INDEX ATTACH", "CONSTRAINT", "CHECK CONSTRAINT", "FK CONSTRAINT", "DEFAULT",
  "TRIGGER", "RULE", "POLICY", "ROW SECURITY", "STATISTICS", "SEQUENCE OWNED BY", "COMMENT", "ACL", "SECURITY LABEL",
]);
/** What a table may need that is not a table: brought along (unless the target already has it). */
const DEPENDENCY = new Set([
  "SCHEMA", "EXTENSION", "TYPE", "SHELL TYPE", "DOMAIN", "FUNCTION", "PROCEDURE", "AGGREGATE", "SEQUENCE", "COLLATION",
  "CONVERSION", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY",
]);
/** Session settings every restore script starts with. */
const PREAMBLE = new Set(["ENCODING", "STDSTRINGS", "SEARCHPATH"]);

const qualified = (e: TocEntry): string => `${e.namespace}.${/^(FUNCTION|PROCEDURE|AGGREGATE)$/.test(e.desc) ? e.tag.slice(0, e.tag.indexOf("(")) : e.tag}`;

/** A foreign key between a restored table and tables outside the selection. */
export interface CrossForeignKey {
  readonly entry: TocEntry;
  /** The tables outside the selection it needs (they must exist in the target). */
  readonly needs: string[];
  /**
   * Whether the key belongs to a restored table (its tag is `<table> <constraint>`). A key of a
   * table outside the selection only points into it: when that table is absent, nothing the
   * restored tables had is missing.
   */
  readonly ofRestoredTable: boolean;
}

export interface Selection {
  /** Tables restored (the ones asked for and their partitions), schema-qualified. */
  readonly tables: TableName[];
  /** Entries for pg_restore, in archive order. */
  readonly entries: TocEntry[];
  /** Non-table objects the tables need (schemas, extensions, types, functions, sequences). */
  readonly dependencies: TocEntry[];
  readonly crossForeignKeys: CrossForeignKey[];
  /** What hangs off the tables but refers to tables outside the selection (a rule, a policy). */
  readonly notBrought: { object: string; reason: string }[];
  /** Large objects in the dump (never part of a partial restore: nothing ties them to a table). */
  readonly largeObjects: number;
}

export const describeEntry = (e: TocEntry): string => `${e.desc} ${e.namespace === "-" ? "" : `${e.namespace} `}${e.tag}`;

export function selectEntries(all: readonly TocEntry[], requested: readonly TableName[]): Selection {
  const defines = new Map<string, TocEntry[]>();
  const define = (name: string, e: TocEntry): void => void defines.set(name, [...(defines.get(name) ?? []), e]);
  for (const e of all) {
    if (TABLE_LIKE.has(e.desc) || DEPENDENCY.has(e.desc) || e.desc === "INDEX") define(qualified(e), e);
    // An index-backed constraint (primary key, unique, exclusion) names an index: INDEX ATTACH refers to it.
    const constraint = /ADD CONSTRAINT ("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)/.exec(e.sql);
    if (e.desc === "CONSTRAINT" && constraint) define(`${e.namespace}.${constraint[1].replace(/^"|"$/g, "").replace(/""/g, '"')}`, e);
  }
  // The tables an entry belongs to: the tables it names, or the tables of the indexes it names.
  const tablesOf = (e: TocEntry): Set<string> => {
    const out = new Set<string>();
    if (e.desc === "TABLE DATA") out.add(`${e.namespace}.${e.tag}`);
    for (const ref of e.refs) {
      for (const d of defines.get(ref) ?? []) {
        if (TABLE_LIKE.has(d.desc)) out.add(ref);
        else if (d.desc === "INDEX" || d.desc === "CONSTRAINT") for (const t of tablesOf(d)) out.add(t);
      }
    }
    return out;
  };

  const selected = new Set(requested.map((t) => `${t.schema}.${t.name}`));
  // Partitions come with their partitioned table, at every level.
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of all) {
      if (e.desc !== "TABLE ATTACH" || e.refs.length < 2 || !selected.has(e.refs[0]) || selected.has(e.refs[1])) continue;
      selected.add(e.refs[1]);
      grew = true;
    }
  }

  const keep = new Set<TocEntry>();
  const crossForeignKeys: CrossForeignKey[] = [];
  const notBrought: { object: string; reason: string }[] = [];
  for (const e of all) {
    if (PREAMBLE.has(e.desc) || e.desc === "EXTENSION") keep.add(e);
    else if (TABLE_LIKE.has(e.desc)) {
      if (selected.has(qualified(e))) keep.add(e);
    } else if (ATTACHED.has(e.desc) || (e.desc === "SEQUENCE" && tablesOf(e).size > 0)) {
      // (An identity column's sequence is an ALTER TABLE … ADD GENERATED … AS IDENTITY entry.)
      const tables = tablesOf(e);
      if (![...tables].some((t) => selected.has(t))) continue;
      const outside = [...tables].filter((t) => !selected.has(t));
      if (outside.length === 0) keep.add(e);
      else if (e.desc === "FK CONSTRAINT") {
        const ofRestoredTable = [...tables].some((t) => selected.has(t) && e.tag.startsWith(`${t.slice(e.namespace.length + 1)} `));
        crossForeignKeys.push({ entry: e, needs: outside, ofRestoredTable });
      }
      else notBrought.push({ object: describeEntry(e), reason: `refers to ${outside.join(", ")}, which is not restored` });
    }
  }

  // Everything the kept entries name that is not a table: types, domains, functions, sequences…
  const work = [...keep, ...crossForeignKeys.map((f) => f.entry)];
  const needs = (e: TocEntry): void => {
    if (keep.has(e)) return;
    keep.add(e);
    work.push(e);
  };
  while (work.length > 0) {
    const e = work.pop()!;
    if (e.namespace !== "-") for (const s of all) if (s.desc === "SCHEMA" && s.tag === e.namespace) needs(s);
    for (const ref of e.refs) {
      for (const d of defines.get(ref) ?? []) if (DEPENDENCY.has(d.desc)) needs(d);
    }
  }
  // A brought sequence keeps its value; brought objects keep their comments and privileges.
  const keptNames = new Set([...keep].filter((e) => !PREAMBLE.has(e.desc)).map(qualified));
  const keptTags = new Set([...keep].filter((e) => e.desc === "SCHEMA" || e.desc === "EXTENSION").map((e) => `${e.desc} ${e.tag}`));
  for (const e of all) {
    if (e.desc === "SEQUENCE SET" && keptNames.has(`${e.namespace}.${e.tag}`)) keep.add(e);
    if ((e.desc === "COMMENT" || e.desc === "ACL") && !keep.has(e)) {
      const onKept = e.refs.length > 0 ? e.refs.every((r) => keptNames.has(r)) : keptTags.has(e.tag.replace(/"/g, ""));
      if (onKept && tablesOf(e).size === 0) keep.add(e);
    }
  }

  const entries = all.filter((e) => keep.has(e));
  const tables = [...selected].map((q) => {
    const table = all.find((e) => TABLE_LIKE.has(e.desc) && qualified(e) === q)!;
    return { schema: table.namespace, name: table.tag };
  });
  return {
    tables,
    entries,
    dependencies: entries.filter((e) => DEPENDENCY.has(e.desc)),
    crossForeignKeys,
    notBrought,
    largeObjects: all.filter((e) => e.desc === "BLOB").length,
  };
}

/** How the summary names a selection's tables. */
export const tableList = (tables: readonly TableName[]): string => tables.map(formatTable).join(", ");
