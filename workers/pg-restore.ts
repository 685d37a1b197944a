import { runForOutput, start } from "./child-process";
import { libpqInvocation } from "./postgres-connection";
import type { Progress } from "./progress";

export interface PgRestoreOptions {
  readonly archive: string;
  readonly target: URL;
  readonly jobs: number;
  /** A filtered table of contents (`--use-list`) for a partial restore; see restore-selection.ts. */
  readonly listFile?: string;
  /** Drop what the dump contains before recreating it (a rerun after a half-done restore). */
  readonly clean: boolean;
  readonly role?: string;
}

/** Arguments per seed 003: parallel, no ownership from production, an optional role to act as. */
export function pgRestoreArgs(options: PgRestoreOptions, dbnameArg: string): string[] {
  return [
    `--jobs=${options.jobs}`,
    "--no-owner",
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

/** Entries in the archive's table of contents: the denominator for restore progress. */
export async function tocEntryCount(archive: string): Promise<number> {
  const list = await runForOutput("pg_restore", ["--list", archive]);
  return list.split("\n").filter((line) => line.trim() !== "" && !line.startsWith(";")).length;
}

const STEP_LINE = /^pg_restore: (creating|processing data|launching item|executing)/;

export async function runPgRestore(options: PgRestoreOptions, total: number, progress: Progress): Promise<void> {
  const { dbnameArg, env } = libpqInvocation(options.target);
  // Commit durability buys nothing in a restore: a crash mid-way is handled by rerunning with
  // --force. (A bigger maintenance_work_mem was tried and made a 2-core restore slower: it lets
  // every index build start parallel workers on top of the N jobs.)
  const tuning = "-c synchronous_commit=off";
  env.PGOPTIONS = env.PGOPTIONS ? `${env.PGOPTIONS} ${tuning}` : tuning;
  let steps = 0;
  const run = start("pg_restore", pgRestoreArgs(options, dbnameArg), {
    env,
    onStderrLine: (line) => {
      if (STEP_LINE.test(line)) progress.update(Math.min(++steps, total), total);
    },
  });
  await run.done;
}
