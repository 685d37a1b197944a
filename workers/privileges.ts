import type { TocEntry } from "./archive-toc";
import { unquoteIdent } from "./archive-toc";

/**
 * Privileges and roles. Roles live in the cluster, not in the dump: a GRANT to a role the new
 * server lacks used to fail the restore after all data was loaded (issue 15). The roles every
 * ACL, default-privilege and policy entry names are read from the archive before any write,
 * compared with the target's, and what names a missing role is left out and reported.
 */

const ROLE_LIST = String.raw`((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*,\s*(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))*)`;
const ROLE_PATTERNS = [
  new RegExp(String.raw`\bTO\s+${ROLE_LIST}`, "g"),
  new RegExp(String.raw`\bFROM\s+${ROLE_LIST}`, "g"),
  new RegExp(String.raw`\bFOR ROLE\s+${ROLE_LIST}`, "g"),
  new RegExp(String.raw`\bSESSION AUTHORIZATION\s+${ROLE_LIST}`, "g"),
  new RegExp(String.raw`\bGRANTED BY\s+${ROLE_LIST}`, "g"),
];
const NOT_ROLES = new Set(["PUBLIC", "public", "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE", "DEFAULT"]);

/** The roles one statement names (GRANT … TO, REVOKE … FROM, FOR ROLE, a policy's TO). */
export function rolesIn(statement: string): string[] {
  const roles = new Set<string>();
  const policy = /^CREATE POLICY /.test(statement);
  // A policy's USING and WITH CHECK clauses are expressions (FROM a table, not a role).
  const bare = (policy ? statement.split(/\s(?:USING|WITH CHECK)\s*\(/)[0] : statement).replace(/'(?:[^']|'')*'/g, "''");
  for (const pattern of policy ? ROLE_PATTERNS.slice(0, 1) : ROLE_PATTERNS) {
    for (const m of bare.matchAll(pattern)) {
      for (const part of m[1].match(/"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*/g) ?? []) {
        if (!NOT_ROLES.has(part)) roles.add(part.startsWith('"') ? unquoteIdent(part) : part.toLowerCase());
      }
    }
  }
  return [...roles];
}

/** Statements of an entry's SQL (pg_dump writes one per line for privileges). */
export const statementsOf = (sql: string): string[] =>
  sql
    .split(/;\n/)
    .map((s) => s.replace(/;$/, "").trim())
    .filter((s) => s !== "" && !s.startsWith("--"));

const PRIVILEGE_KINDS = new Set(["ACL", "DEFAULT ACL"]);

export interface PrivilegePlan {
  /** Every role the archive names in privileges, policies or as an owner. */
  readonly referencedRoles: string[];
  readonly missingRoles: string[];
  /** Entries left out of pg_restore's list (they name a missing role). */
  readonly excluded: Set<TocEntry>;
  /** Statements of excluded entries that name only existing roles: applied after pg_restore. */
  readonly applyAfter: string[];
  /** Statements not applied, each naming a missing role. */
  readonly skipped: string[];
  /** Objects owned in the source by a role the target lacks (ownership is never restored: --no-owner). */
  readonly ownersMissing: string[];
}

export function planPrivileges(entries: readonly TocEntry[], existingRoles: ReadonlySet<string>): PrivilegePlan {
  const referenced = new Set<string>();
  const excluded = new Set<TocEntry>();
  const applyAfter: string[] = [];
  const skipped: string[] = [];
  for (const e of entries) {
    if (e.owner !== "") referenced.add(e.owner);
    if (!PRIVILEGE_KINDS.has(e.desc) && e.desc !== "POLICY") continue;
    const statements = statementsOf(e.sql);
    const missing = (s: string): boolean => rolesIn(s).some((r) => !existingRoles.has(r));
    for (const s of statements) for (const r of rolesIn(s)) referenced.add(r);
    if (!statements.some(missing)) continue;
    excluded.add(e);
    // A policy is one statement: without its role it cannot be created at all.
    for (const s of statements) (missing(s) ? skipped : applyAfter).push(s);
  }
  const missingRoles = [...referenced].filter((r) => !existingRoles.has(r)).sort();
  const ownersMissing = [...new Set(entries.filter((e) => e.owner !== "" && !existingRoles.has(e.owner)).map((e) => e.owner))].sort();
  return { referencedRoles: [...referenced].sort(), missingRoles, excluded, applyAfter, skipped, ownersMissing };
}
