import { writeFileSync } from "node:fs";
import { runForOutput } from "./child-process";

/**
 * A partial restore (`--tables`) that an application can use: `pg_restore --table` alone brings
 * back a table without its primary key, indexes, defaults or sequences. We filter the archive's
 * table of contents instead and hand pg_restore the list (`--use-list`).
 */

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const unquote = (s: string): string => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);
const lastPart = (qualified: string): string => {
  const parts = qualified.match(new RegExp(IDENT, "g")) ?? [qualified];
  return unquote(parts[parts.length - 1]);
};

/** What the schema SQL says belongs to each table. */
export interface TableDependents {
  readonly indexes: Map<string, string>; // index name → table
  readonly sequences: Map<string, string>; // sequence name → owning table
  readonly foreignKeys: Map<string, string>; // "table constraint" → referenced table
}

export function parseSchemaSql(sql: string): TableDependents {
  const indexes = new Map<string, string>();
  const sequences = new Map<string, string>();
  const foreignKeys = new Map<string, string>();
  const q = String.raw`${IDENT}(?:\.${IDENT})?`;
  for (const m of sql.matchAll(new RegExp(String.raw`CREATE (?:UNIQUE )?INDEX (${IDENT}) ON (?:ONLY )?(${q})`, "g"))) {
    indexes.set(unquote(m[1]), lastPart(m[2]));
  }
  for (const m of sql.matchAll(new RegExp(String.raw`ALTER SEQUENCE (${q}) OWNED BY (${q})\.${IDENT};`, "g"))) {
    sequences.set(lastPart(m[1]), lastPart(m[2]));
  }
  for (const m of sql.matchAll(new RegExp(String.raw`ALTER TABLE (?:ONLY )?(${q}) ALTER COLUMN ${IDENT} ADD GENERATED [A-Z ]+ AS IDENTITY \(\s*SEQUENCE NAME (${q})`, "g"))) {
    sequences.set(lastPart(m[2]), lastPart(m[1]));
  }
  const fk = new RegExp(String.raw`ALTER TABLE (?:ONLY )?(${q})\s+ADD CONSTRAINT (${IDENT}) FOREIGN KEY \([^)]*\) REFERENCES (${q})`, "g");
  for (const m of sql.matchAll(fk)) foreignKeys.set(`${lastPart(m[1])} ${unquote(m[2])}`, lastPart(m[3]));
  return { indexes, sequences, foreignKeys };
}

const KINDS = [
  "SEQUENCE OWNED BY", "SEQUENCE SET", "TABLE DATA", "FK CONSTRAINT", "ROW SECURITY", "CONSTRAINT", "SEQUENCE",
  "TABLE", "INDEX", "DEFAULT", "TRIGGER", "POLICY", "RULE", "COMMENT", "ACL", "SCHEMA",
];

/** Keeps the TOC lines of the selected tables and what hangs off them. */
export function selectTocLines(toc: string, tables: readonly string[], deps: TableDependents): { lines: string[]; skippedForeignKeys: string[] } {
  const wanted = new Set(tables);
  const keep: string[] = [];
  const skippedForeignKeys: string[] = [];
  for (const line of toc.split("\n")) {
    const m = /^\d+; \d+ \d+ (.*)$/.exec(line);
    if (!m) continue;
    const kind = KINDS.find((k) => m[1].startsWith(`${k} `));
    if (!kind) continue;
    const rest = m[1].slice(kind.length + 1);
    // rest is "<schema> <tag> <owner>"; the tag may hold spaces, the owner and schema do not.
    const tag = rest.slice(rest.indexOf(" ") + 1, rest.lastIndexOf(" "));
    const firstWord = tag.split(" ")[0];
    let selected = false;
    switch (kind) {
      case "TABLE":
      case "TABLE DATA":
        selected = wanted.has(tag);
        break;
      case "SEQUENCE":
      case "SEQUENCE OWNED BY":
      case "SEQUENCE SET":
        selected = wanted.has(deps.sequences.get(tag) ?? "");
        break;
      case "INDEX":
        selected = wanted.has(deps.indexes.get(tag) ?? "");
        break;
      case "FK CONSTRAINT":
        if (wanted.has(firstWord)) {
          const referenced = deps.foreignKeys.get(tag);
          if (referenced === undefined || wanted.has(referenced)) selected = true;
          else skippedForeignKeys.push(tag);
        }
        break;
      case "COMMENT":
      case "ACL":
        selected = /^(TABLE|COLUMN) /.test(tag) && wanted.has(tag.split(" ")[1].split(".")[0]);
        break;
      case "SCHEMA":
        selected = false;
        break;
      default:
        selected = wanted.has(firstWord);
    }
    if (selected) keep.push(line);
  }
  return { lines: keep, skippedForeignKeys };
}

/** Writes the list file for `pg_restore --use-list` and says which foreign keys were left out. */
export async function writeSelection(archive: string, tables: readonly string[], listPath: string): Promise<{ entries: number; skippedForeignKeys: string[] }> {
  const [toc, sql] = await Promise.all([
    runForOutput("pg_restore", ["--list", archive]),
    runForOutput("pg_restore", ["--schema-only", "--file=-", archive]),
  ]);
  const { lines, skippedForeignKeys } = selectTocLines(toc, tables, parseSchemaSql(sql));
  writeFileSync(listPath, `${lines.join("\n")}\n`);
  return { entries: lines.length, skippedForeignKeys };
}
