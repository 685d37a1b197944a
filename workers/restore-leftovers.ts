import { InterruptedError, interruptedBy } from "./interrupt";
import { maskUrl } from "./mask-url";
import { PgRestoreError } from "./pg-restore";
import type { RestoreOptions, RestoreRecord } from "./restore-record";
import { dropStaging, type Staging } from "./staging-database";
import { connect, identityOf, withDatabase } from "./postgres-connection";
import { errorMessage } from "./errors";

/**
 * What a restore that stopped half way leaves behind, and the exact command that continues or
 * cleans up (issue 15). A staged restore drops its staging database: the target was never
 * touched. A partial restore written into an existing database leaves it, described, with the
 * command that continues.
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

/** The database a staged restore went into is dropped; the target was never touched. */
async function dropStagingAfterStop(staging: Staging, target: URL, existed: boolean): Promise<LeftBehind> {
  const name = identityOf(target).database;
  const untouched = existed ? `the database ${name} is as it was` : `the database ${name} was not created`;
  try {
    await dropStaging(staging);
    return { state: "untouched", description: `${untouched} (the restore went into the staging database ${staging.name}, which was dropped): nothing is left behind; rerun the same command` };
  } catch (error) {
    return {
      state: "left",
      description: `${untouched}; the staging database ${staging.name} could not be dropped (${errorMessage(error)}): the next restore into ${name} drops it, or drop it by hand`,
    };
  }
}

/**
 * The restore stopped after writing (pg_restore failed, a checksum or row count differed, a
 * signal, a lost connection): drop the staging database (the target is as it was), or, for a
 * partial restore written into an existing database, describe it and say what to run next.
 */
export async function stoppedHalfWay(
  error: unknown,
  run: { options: RestoreOptions; record: RestoreRecord; rerun: RerunOptions; existed: boolean; direct: boolean; staging: Staging | undefined },
): Promise<Error> {
  const { options, record } = run;
  const signal = interruptedBy();
  if (error instanceof PgRestoreError && signal === undefined) record.failure = error.failure;
  if (run.staging) record.leftBehind = await dropStagingAfterStop(run.staging, options.to, run.existed);
  else if (!run.direct || !run.existed) {
    const name = identityOf(options.to).database;
    record.leftBehind = { state: "untouched", description: `the database ${name} ${run.existed ? "is as it was" : "was not created"}: nothing was written` };
  } else record.leftBehind = await describeLeftDatabase(options.to, run.rerun);
  const what = signal !== undefined ? `stopped by ${signal}` : errorMessage(error);
  record.problems.push(what);
  const message = `${what}; ${record.leftBehind.description}`;
  if (signal !== undefined) return new InterruptedError(signal, message, record);
  // A refused dump (a checksum, a missing file) fails again when rerun: no advice to rerun it.
  if ((error as Error).name === "RefusedError") return Object.assign(error as Error, { message: message.replace(/; rerun the same command$/, ""), record });
  return Object.assign(new Error(message), { record });
}
