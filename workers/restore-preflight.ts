import type { TocEntry } from "./archive-toc";
import type { DumpManifest } from "./dump-manifest";
import { RefusedError } from "./errors";
import { maskUrl } from "./mask-url";
import { connect, withDatabase } from "./postgres-connection";
import { quoteIdent, type TableName } from "./table-names";

/**
 * What the target has, read before the first write, so that nothing fails late for a reason that
 * could have been known: the roles privileges name, the extensions the dump creates, the server
 * version, and (for a partial restore) which of the objects a table needs are already there.
 */
export interface TargetFacts {
  readonly serverVersionNum: number;
  readonly roles: Set<string>;
  readonly availableExtensions: Set<string>;
  readonly currentUser: string;
  /** `desc schema.name` of the asked-for objects that exist in the target database. */
  readonly existing: Set<string>;
  /** Foreign keys in the target that point into these tables from tables outside them. */
  readonly referencingKeys: string[];
}

const regFunction: Record<string, string> = {
  TABLE: "to_regclass",
  SEQUENCE: "to_regclass",
  TYPE: "to_regtype",
  DOMAIN: "to_regtype",
  FUNCTION: "to_regprocedure",
  PROCEDURE: "to_regprocedure",
  AGGREGATE: "to_regprocedure",
  COLLATION: "to_regcollation",
};

/** The SQL name the `to_reg*` functions take for an entry (`"sales"."items"`, `public.f(integer)`). */
function regName(desc: string, namespace: string, tag: string): string {
  if (desc === "FUNCTION" || desc === "PROCEDURE" || desc === "AGGREGATE") {
    const open = tag.indexOf("(");
    return `${quoteIdent(namespace)}.${quoteIdent(tag.slice(0, open))}${tag.slice(open)}`;
  }
  return `${quoteIdent(namespace)}.${quoteIdent(tag)}`;
}

export const objectKey = (desc: string, namespace: string, tag: string): string => `${desc} ${namespace}.${tag}`;

export async function readTargetFacts(
  target: URL,
  targetExists: boolean,
  probe: { objects: readonly TocEntry[]; tables: readonly TableName[]; selected: readonly TableName[] },
): Promise<TargetFacts> {
  const client = await connect(targetExists ? target : withDatabase(target, "postgres"), 60_000);
  try {
    const { rows: server } = await client.query<{ n: string; u: string }>("SELECT current_setting('server_version_num') AS n, current_user AS u");
    const roles = (await client.query<{ r: string }>("SELECT rolname AS r FROM pg_roles")).rows.map((r) => r.r);
    const extensions = (await client.query<{ e: string }>("SELECT name AS e FROM pg_available_extensions")).rows.map((r) => r.e);
    const existing = new Set<string>();
    const referencingKeys: string[] = [];
    if (targetExists) {
      for (const e of probe.objects) {
        let found = false;
        if (e.desc === "SCHEMA") found = (await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [e.tag])).rowCount === 1;
        else if (e.desc === "EXTENSION") found = (await client.query("SELECT 1 FROM pg_extension WHERE extname = $1", [e.tag])).rowCount === 1;
        else if (regFunction[e.desc]) {
          const { rows } = await client.query<{ oid: string | null }>(`SELECT ${regFunction[e.desc]}($1)::oid::text AS oid`, [regName(e.desc, e.namespace, e.tag)]);
          found = rows[0].oid !== null;
        }
        if (found) existing.add(objectKey(e.desc, e.namespace, e.tag));
      }
      for (const t of [...probe.tables, ...probe.selected]) {
        const { rows } = await client.query<{ oid: string | null }>("SELECT to_regclass($1)::oid::text AS oid", [regName("TABLE", t.schema, t.name)]);
        if (rows[0].oid !== null) existing.add(objectKey("TABLE", t.schema, t.name));
      }
      if (probe.selected.length > 0) {
        // conparentid = 0: a partition's clone of its parent's key is the same key, named once.
        const { rows } = await client.query<{ k: string }>(
          `SELECT format('%s (%I) → %s', c.conrelid::regclass, c.conname, c.confrelid::regclass) AS k
             FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conparentid = 0 AND c.confrelid = ANY ($1::regclass[]) AND NOT (c.conrelid = ANY ($1::regclass[]))`,
          [probe.selected.filter((t) => existing.has(objectKey("TABLE", t.schema, t.name))).map((t) => regName("TABLE", t.schema, t.name))],
        );
        referencingKeys.push(...rows.map((r) => r.k));
      }
    }
    return {
      serverVersionNum: Number(server[0].n),
      roles: new Set(roles),
      availableExtensions: new Set(extensions),
      currentUser: server[0].u,
      existing,
      referencingKeys,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const major = (versionNum: number): number => Math.floor(versionNum / 10_000);

/** Refusals that need nothing but the facts (exit 1, nothing written). */
export function refuseUnrestorable(
  target: URL,
  facts: TargetFacts,
  manifest: DumpManifest,
  extensions: readonly TocEntry[],
  role: string | undefined,
  record: unknown,
): void {
  const where = maskUrl(target.toString());
  const source = major(manifest.source.serverVersionNum);
  if (major(facts.serverVersionNum) < source) {
    throw new RefusedError(
      `--to: ${where} runs PostgreSQL ${major(facts.serverVersionNum)} but the dump is from PostgreSQL ${source}; ` +
        `a dump restores into the same or a newer major version; restore into PostgreSQL ${source} or later`,
      record,
    );
  }
  const missing = extensions.map((e) => e.tag).filter((name) => !facts.availableExtensions.has(name));
  if (missing.length > 0) {
    throw new RefusedError(
      `--to: ${where} cannot create the extension${missing.length > 1 ? "s" : ""} ${missing.join(", ")} the dump needs ` +
        "(not in pg_available_extensions); install them on that server (Debian: the postgresql-contrib or the extension's package; " +
        "RDS: check the engine version's supported extensions), then rerun",
      record,
    );
  }
  if (role !== undefined && !facts.roles.has(role)) {
    throw new RefusedError(`--role: ${role} does not exist on ${where}; create it (CREATE ROLE ${quoteIdent(role)}) or leave out --role`, record);
  }
}
