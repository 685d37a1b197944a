import { maskUrl } from "./mask-url";
import { connect, identityOf, withDatabase } from "./postgres-connection";
import { quoteIdent } from "./table-names";

/**
 * What a restore that stopped half way leaves behind, and the exact command that continues or
 * cleans up (issue 15). A database this run created is dropped: nobody else can have written to
 * it, and an empty server is the state the rerun expects. A database that existed before is
 * never dropped by us; it is described instead.
 */
export interface LeftBehind {
  readonly state: "dropped" | "left" | "untouched";
  readonly description: string;
  /** The command that continues the restore (a rerun with --force). */
  readonly continueWith?: string;
  /** The command that removes what this run wrote. */
  readonly cleanUpWith?: string;
}

export interface RerunOptions {
  readonly dump: string;
  readonly target: URL;
  readonly jobs: number;
  readonly tables: readonly string[];
  readonly role?: string;
  readonly noAcl?: boolean;
  readonly noAnalyze?: boolean;
}

const shellQuote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/** `npm run restore -- …` with the options of this run and --force (the password masked). */
export function rerunCommand(o: RerunOptions): string {
  const args = ["--from", o.dump, "--to", maskUrl(o.target.toString()), "--force", "--jobs", String(o.jobs)];
  if (o.tables.length > 0) args.push("--tables", o.tables.join(","));
  if (o.role !== undefined) args.push("--role", o.role);
  if (o.noAcl) args.push("--no-acl");
  if (o.noAnalyze) args.push("--no-analyze");
  return `npm run restore -- ${args.map(shellQuote).join(" ")}`;
}

const passwordNote = (url: URL): string => (url.password !== "" ? " (put the password back into --to)" : "");

/** Drops a database this run created, sessions and all. */
export async function dropCreatedDatabase(target: URL): Promise<LeftBehind> {
  const name = identityOf(target).database;
  const client = await connect(withDatabase(target, "postgres"), 60_000);
  try {
    // FORCE: pg_restore's sessions may still be closing after it was stopped.
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await client.end().catch(() => undefined);
  }
  return { state: "dropped", description: `the database ${name}, which this run had created, was dropped: nothing is left behind; rerun the same command` };
}

/** Describes a database that existed before the run and was partly written. */
export async function describeLeftDatabase(target: URL, rerun: RerunOptions): Promise<LeftBehind> {
  const name = identityOf(target).database;
  let tables = "an unknown number of";
  const client = await connect(target, 60_000).catch(() => undefined);
  if (client) {
    try {
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
      );
      tables = rows[0].n;
    } catch {
      // The description still holds without the count.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const maintenance = maskUrl(withDatabase(target, "postgres").toString());
  return {
    state: "left",
    description:
      `the database ${name} existed before this run and was left as the restore stopped (${tables} tables in it, not all of the dump); ` +
      `continue with: ${rerunCommand(rerun)}${passwordNote(target)}; or remove it with: dropdb --maintenance-db=${shellQuote(maintenance)} ${shellQuote(name)}`,
    continueWith: rerunCommand(rerun),
    cleanUpWith: `dropdb --maintenance-db=${shellQuote(maintenance)} ${shellQuote(name)}`,
  };
}
