import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Client } from "pg";
import pRetry from "p-retry";
import { connect, withDatabase } from "./postgres-connection";
import { quoteIdent } from "./table-names";

/**
 * Seed 000: a dump that fails its checks is never restored into the database people use. The
 * restore writes into a staging database on the target server, `<target>__restore_<run id>`, and
 * only when every check passed is it renamed to the target, in one transaction with the old
 * target's rename aside (`<target>__replaced_<run id>`), which is then dropped. Until that commit
 * the target is exactly as it was.
 *
 * A run holds a session advisory lock named after its run id on its control connection for as
 * long as it lives. A run killed outright (SIGKILL, an evicted pod) loses its connection and with
 * it the lock; the next restore into the same target finds the staging database by its name and
 * its comment, takes the lock, and drops it. Nothing else is ever dropped: a database must have
 * the name pattern, a comment this module wrote naming that target, and a free lock.
 */
export interface Staging {
  readonly id: string;
  readonly name: string;
  readonly url: URL;
  /** The target's name on the server. */
  readonly target: string;
  /** Leftovers of dead runs dropped before this one started. */
  readonly cleanedUp: string[];
  /** Properties of the existing target that could not be carried over (a setting, a grant). */
  readonly notCarried: string[];
  /** The existing target's comment, put back on the database that takes its name. */
  readonly targetComment: string | null;
  /** The connection to the maintenance database that holds the run's lock. */
  readonly control: Client;
}

const MARK = "recovery-stacks restore ";
// 63 bytes is PostgreSQL's identifier limit; the suffix `__replaced_` + 8 hex digits takes 19.
const MAX_TARGET_BYTES = 63 - 19;

interface Mark {
  readonly kind: "staging" | "replaced";
  readonly target: string;
  readonly run: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
}

/** The target's name, cut to fit beside the suffix (by bytes, never inside a character). */
function namePart(target: string): string {
  let cut = target;
  while (Buffer.byteLength(cut) > MAX_TARGET_BYTES) cut = cut.slice(0, -1);
  return cut;
}

export const stagingName = (target: string, id: string): string => `${namePart(target)}__restore_${id}`;
export const replacedName = (target: string, id: string): string => `${namePart(target)}__replaced_${id}`;

const lockKey = (run: string): string => `recovery-stacks:restore:${run}`;
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function markOf(comment: string | null): Mark | undefined {
  if (comment === null || !comment.startsWith(MARK)) return undefined;
  try {
    return JSON.parse(comment.slice(comment.indexOf("{"))) as Mark;
  } catch {
    return undefined;
  }
}

function markText(kind: Mark["kind"], target: string, run: string): string {
  const mark: Mark = { kind, target, run, host: hostname(), pid: process.pid, startedAt: new Date().toISOString() };
  return `${MARK}${kind} (dropped by the next restore into ${target} once this run is gone): ${JSON.stringify(mark)}`;
}

/**
 * Drops what dead runs into this target left: staging databases (never verified) and old targets
 * renamed aside by a swap that committed (the target is the new one). A live run's lock is held,
 * so its databases are left alone.
 */
export async function removeLeftovers(control: Client, target: string): Promise<string[]> {
  const like = `${namePart(target).replace(/[\\%_]/g, (c) => `\\${c}`)}\\_\\_re%`;
  const { rows } = await control.query<{ name: string; comment: string | null }>(
    "SELECT datname AS name, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE $1 ESCAPE '\\' ORDER BY 1",
    [like],
  );
  const dropped: string[] = [];
  for (const row of rows) {
    const mark = markOf(row.comment);
    if (mark === undefined || mark.target !== target) continue;
    const expected = mark.kind === "staging" ? stagingName(target, mark.run) : replacedName(target, mark.run);
    if (row.name !== expected) continue;
    const { rows: got } = await control.query<{ free: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS free", [lockKey(mark.run)]);
    if (!got[0].free) continue;
    try {
      await control.query(`DROP DATABASE IF EXISTS ${quoteIdent(row.name)} WITH (FORCE)`);
      dropped.push(row.name);
    } finally {
      await control.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [lockKey(mark.run)]);
    }
  }
  return dropped;
}

interface TargetProperties {
  readonly owner: string;
  readonly mayOwn: boolean;
  readonly encoding: string;
  readonly collate: string;
  readonly ctype: string;
  readonly sameAsTemplate: boolean;
  readonly connLimit: number;
  readonly comment: string | null;
  readonly acl: { grantee: string | null; privilege: string; grantable: boolean }[] | null;
  readonly settings: { role: string | null; config: string[] }[];
}

async function readProperties(control: Client, target: string): Promise<TargetProperties | undefined> {
  const { rows } = await control.query<Omit<TargetProperties, "acl" | "settings"> & { oid: string; hasAcl: boolean }>(
    `SELECT d.oid::text AS oid, pg_get_userbyid(d.datdba) AS owner, pg_has_role(current_user, d.datdba, 'MEMBER') AS "mayOwn",
            pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate, d.datctype AS ctype,
            (d.encoding, d.datcollate, d.datctype) = (t.encoding, t.datcollate, t.datctype) AS "sameAsTemplate",
            d.datconnlimit AS "connLimit", shobj_description(d.oid, 'pg_database') AS comment, d.datacl IS NOT NULL AS "hasAcl"
       FROM pg_database d, pg_database t WHERE d.datname = $1 AND t.datname = 'template1'`,
    [target],
  );
  if (rows.length === 0) return undefined;
  const d = rows[0];
  const acl = d.hasAcl
    ? (
        await control.query<{ grantee: string | null; privilege: string; grantable: boolean }>(
          `SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee, a.privilege_type AS privilege, a.is_grantable AS grantable
             FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1 AND a.grantee <> d.datdba`,
          [target],
        )
      ).rows
    : null;
  const settings = (
    await control.query<{ role: string | null; config: string[] }>(
      "SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END AS role, s.setconfig AS config FROM pg_db_role_setting s WHERE s.setdatabase = $1::oid",
      [d.oid],
    )
  ).rows;
  return { ...d, acl, settings };
}

// List settings are stored joined; pg_dumpall splits them the same way before quoting.
const LIST_SETTINGS = new Set(["search_path", "temp_tablespaces", "session_preload_libraries", "local_preload_libraries"]);

function settingSql(database: string, role: string | null, entry: string): string {
  const eq = entry.indexOf("=");
  const name = entry.slice(0, eq);
  const value = entry.slice(eq + 1);
  const values = LIST_SETTINGS.has(name) ? value.split(/,\s*/).map((v) => literal(v.replace(/^"(.*)"$/, "$1"))) : [literal(value)];
  return `ALTER ${role === null ? "" : `ROLE ${quoteIdent(role)} IN `}DATABASE ${quoteIdent(database)} SET ${quoteIdent(name)} = ${values.join(", ")}`;
}

/**
 * Creates the staging database (after dropping dead runs' leftovers), holding the run's lock.
 * When the target exists its owner, encoding and collation, connection limit, database settings
 * and grants are carried over, so the swap replaces its contents and nothing about it else.
 */
export async function createStaging(target: URL, targetName: string): Promise<Staging> {
  const control = await connect(withDatabase(target, "postgres"), 60_000);
  try {
    const cleanedUp = await removeLeftovers(control, targetName);
    const id = randomBytes(4).toString("hex");
    const name = stagingName(targetName, id);
    await control.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [lockKey(id)]);
    const props = await readProperties(control, targetName);
    const options: string[] = [];
    // template1 like any new database, unless the target was made with another encoding or locale.
    if (props && !props.sameAsTemplate) {
      options.push(`TEMPLATE template0 ENCODING ${literal(props.encoding)} LC_COLLATE ${literal(props.collate)} LC_CTYPE ${literal(props.ctype)}`);
    }
    if (props?.mayOwn) options.push(`OWNER ${quoteIdent(props.owner)}`);
    if (props && props.connLimit !== -1) options.push(`CONNECTION LIMIT ${props.connLimit}`);
    await control.query(`CREATE DATABASE ${quoteIdent(name)} ${options.join(" ")}`.trim());
    const notCarried: string[] = [];
    const carry = async (what: string, sql: string): Promise<void> => {
      await control.query(sql).catch((error: Error) => notCarried.push(`${what}: ${error.message}`));
    };
    await control.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${literal(markText("staging", targetName, id))}`);
    if (props && !props.mayOwn) notCarried.push(`owner ${props.owner}: the restoring role is not a member of it`);
    for (const s of props?.settings ?? []) for (const entry of s.config) await carry(`setting ${entry}`, settingSql(name, s.role, entry));
    if (props?.acl) {
      await carry("grants", `REVOKE ALL ON DATABASE ${quoteIdent(name)} FROM PUBLIC`);
      for (const a of props.acl) {
        const to = a.grantee === null ? "PUBLIC" : quoteIdent(a.grantee);
        await carry(`GRANT ${a.privilege} TO ${a.grantee ?? "PUBLIC"}`, `GRANT ${a.privilege} ON DATABASE ${quoteIdent(name)} TO ${to}${a.grantable ? " WITH GRANT OPTION" : ""}`);
      }
    }
    return { id, name, url: withDatabase(target, name), target: targetName, cleanedUp, notCarried, targetComment: props?.comment ?? null, control };
  } catch (error) {
    await control.end().catch(() => undefined);
    throw error;
  }
}

/** Drops the staging database (its sessions too) and releases the run's lock. */
export async function dropStaging(staging: Staging): Promise<void> {
  try {
    await staging.control.query(`DROP DATABASE IF EXISTS ${quoteIdent(staging.name)} WITH (FORCE)`);
  } finally {
    await staging.control.end().catch(() => undefined);
  }
}

/** The run is over with the staging database renamed into place: release the lock. */
export async function closeStaging(staging: Staging): Promise<void> {
  await staging.control.end().catch(() => undefined);
}

/** A target that exists at swap time: ended sessions, then the atomic pair of renames. */
export interface SwapResult {
  /** The old target existed and was replaced (its database dropped after the swap). */
  readonly replaced: boolean;
  /** The old target could not be dropped after the swap (it is named here, and dropped by the next run). */
  readonly oldLeft?: string;
}

/**
 * Makes the verified staging database the target. If the target exists, its sessions are ended
 * (a database in use cannot be renamed), and both renames happen in one transaction: at every
 * moment the target name is either the old database, whole, or the new one, verified. The old
 * one is dropped afterwards; a run killed before that leaves it, marked, for the next run.
 */
export async function swapIntoTarget(staging: Staging): Promise<SwapResult> {
  // A client of the old target reconnecting between the terminate and the rename makes the rename
  // fail ("being accessed by other users", 55006): end its sessions again and retry.
  return pRetry(() => swapOnce(staging), {
    retries: 4,
    minTimeout: 200,
    shouldRetry: (error) => (error as { code?: string }).code === "55006",
  });
}

async function swapOnce(staging: Staging): Promise<SwapResult> {
  const c = staging.control;
  const targetComment = staging.targetComment;
  const target = quoteIdent(staging.target);
  const aside = replacedName(staging.target, staging.id);
  const { rows } = await c.query<{ n: string }>("SELECT count(*) AS n FROM pg_database WHERE datname = $1", [staging.target]);
  const exists = rows[0].n !== "0";
  if (exists) {
    await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [staging.target]);
  }
  await c.query("BEGIN");
  try {
    if (exists) {
      await c.query(`ALTER DATABASE ${target} RENAME TO ${quoteIdent(aside)}`);
      await c.query(`COMMENT ON DATABASE ${quoteIdent(aside)} IS ${literal(markText("replaced", staging.target, staging.id))}`);
    }
    await c.query(`ALTER DATABASE ${quoteIdent(staging.name)} RENAME TO ${target}`);
    await c.query(`COMMENT ON DATABASE ${target} IS ${targetComment === null ? "NULL" : literal(targetComment)}`);
    await c.query("COMMIT");
  } catch (error) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  if (!exists) return { replaced: false };
  try {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(aside)} WITH (FORCE)`);
    return { replaced: true };
  } catch {
    return { replaced: true, oldLeft: aside };
  }
}
