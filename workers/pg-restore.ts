import { runForOutput, start } from "./child-process";
import { libpqInvocation } from "./postgres-connection";
import type { Progress } from "./progress";
import { describeFailure, parsePgRestoreStderr, type PgRestoreFailure } from "./pg-restore-failure";

export interface PgRestoreOptions {
  readonly archive: string;
  readonly target: URL;
  readonly jobs: number;
  /** A filtered table of contents (`--use-list`) for a partial restore; see restore-selection.ts. */
  readonly listFile?: string;
  /** Drop what the dump contains before recreating it (a rerun after a half-done restore). */
  readonly clean: boolean;
  readonly role?: string;
  /** Restore no privileges at all (`--no-acl`, seed 004's full restore). Defaults to `false`. */
  readonly noAcl?: boolean;
}

/** pg_restore stopped with an error: PostgreSQL's words, the object and the fix, not the stderr tail. */
export class PgRestoreError extends Error {
  constructor(
    readonly failure: PgRestoreFailure,
    readonly cause?: unknown,
  ) {
    super(describeFailure(failure));
    this.name = "PgRestoreError";
  }
}

/** Arguments per seed 003: parallel, no ownership from production, an optional role to act as. */
export function pgRestoreArgs(options: PgRestoreOptions, dbnameArg: string): string[] {
  return [
    `--jobs=${options.jobs}`,
    "--no-owner",
    ...(options.noAcl ? ["--no-acl"] : []),
    ...(options.role ? [`--role=${options.role}`] : []),
    ...(options.clean ? ["--clean", "--if-exists"] : []),
    ...(options.listFile ? [`--use-list=${options.listFile}`] : []),
    // Any error fails the restore loudly: a half-restored database must not look like success.
    "--exit-on-error",
    "--verbose",
    dbnameArg,
    options.archive,
  ];
}

/**
 * The archive's table of contents (`pg_restore --list`) and its entry count, the denominator for
 * restore progress. Reading it also proves pg_restore can parse the archive before any write.
 */
export async function readToc(archive: string): Promise<{ list: string; entries: number }> {
  const list = await runForOutput("pg_restore", ["--list", archive]);
  return { list, entries: list.split("\n").filter((line) => line.trim() !== "" && !line.startsWith(";")).length };
}

const STEP_LINE = /^pg_restore: (creating|processing data|launching item|executing)/;
// Parallel mode only (-j > 1): the item's transaction is committed when this line appears.
const FINISHED_LINE = /^pg_restore: finished item (\d+) /;

/** What a caller hears while pg_restore runs; every field optional. */
export interface PgRestoreEvents {
  /** An item's work is committed (parallel mode). */
  readonly finished?: (dumpId: number) => void;
  /** Names an entry for the failure message. */
  readonly describeEntry?: (dumpId: number) => string | undefined;
  /** Aborting stops pg_restore (a table's file failed its checksum: nothing it does now counts). */
  readonly signal?: AbortSignal;
}

export async function runPgRestore(options: PgRestoreOptions, total: number, progress: Progress, events: PgRestoreEvents = {}): Promise<void> {
  const describeEntry = events.describeEntry ?? (() => undefined);
  const { dbnameArg, env } = libpqInvocation(options.target);
  // Commit durability buys nothing in a restore: a crash mid-way is handled by rerunning with
  // --force. (A bigger maintenance_work_mem was tried and made a 2-core restore slower: it lets
  // every index build start parallel workers on top of the N jobs.)
  const tuning = "-c synchronous_commit=off";
  env.PGOPTIONS = env.PGOPTIONS ? `${env.PGOPTIONS} ${tuning}` : tuning;
  let steps = 0;
  // The first error and what led to it are kept; --verbose writes a line per item otherwise.
  const context: string[] = [];
  let errorSeen = false;
  const run = start("pg_restore", pgRestoreArgs(options, dbnameArg), {
    env,
    signal: events.signal,
    onStderrLine: (line) => {
      if (STEP_LINE.test(line)) progress.update(Math.min(++steps, total), total);
      const finished = FINISHED_LINE.exec(line);
      if (finished) events.finished?.(Number(finished[1]));
      if (errorSeen) {
        if (context.length < 40) context.push(line);
        return;
      }
      context.push(line);
      if (context.length > 5) context.shift();
      if (/^pg_restore: error: /.test(line)) errorSeen = true;
    },
  });
  try {
    await run.done;
  } catch (error) {
    const failure = parsePgRestoreStderr(context, describeEntry);
    if (failure) throw new PgRestoreError(failure, error);
    throw error;
  }
}
