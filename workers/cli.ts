import {
  CliError,
  RefusedError,
  runProcess,
  wholeNumber,
  type CommandSpec,
  type OptionTable,
  type OptionValues,
} from "../scripts/lib/cli";
import { maskText } from "./mask-url";

/** `--jobs 4` style integers from 1 to `max`. */
export function positiveInt(
  argument: string,
  value: string | undefined,
  fallback: number,
  max: number,
): number {
  return wholeNumber(argument, value, fallback, 1, max);
}

/** Every data-plane command's `--json`. */
export const JSON_OPTION = {
  type: "boolean",
  help: "print one JSON record on stdout (summary on stderr)",
} as const;

/** `usage: …` (exit 2), `refused: …`, `failed: …`, `interrupted: …` (130/143, after saying what was left). */
function label(error: unknown): string {
  if (!(error instanceof CliError)) return "failed: ";
  if (error.exitCode === 2) return "usage: ";
  if (error.exitCode >= 128) return "interrupted: ";
  return error instanceof RefusedError ? "refused: " : "failed: ";
}

/**
 * Runs a data-plane command with the conventions every script shares: `--help`, exactly one JSON
 * object on stdout with `--json` (the record, or on a problem the partial record and `error`), a
 * summary on stderr, exit 0 / 1 (failed or refused) / 2 (usage), never a stack trace for a
 * problem the user can fix, and never a password, whatever a driver or a child process echoed.
 *
 * `load` requires what the body needs (the AWS SDK, pg, the workers) and is called only after
 * --help and the flags are answered, so `--help` and bad usage answer in a tenth of a second; the
 * body gets what it returned.
 */
export function runWorker<T extends OptionTable, L, R extends { ok: boolean }>(
  spec: CommandSpec<T>,
  load: () => L,
  body: (args: OptionValues<T>, loaded: L) => Promise<R>,
  summarize: (record: R) => string,
): void {
  runProcess(
    spec,
    async (args) => {
      const record = await body(args, load());
      const json = (args as { json?: boolean }).json === true;
      if (json) process.stdout.write(`${maskText(JSON.stringify(record, null, 2))}\n`);
      process.stderr.write(`${maskText(summarize(record))}\n`);
      return record.ok ? 0 : 1;
    },
    {
      label,
      redact: maskText,
      // What was known when it stopped (the partial record, which a failure half way carries
      // too: workers/restore.ts), then ok: false and the error.
      jsonFields: (error) => ({ ...((error as { record?: object } | undefined)?.record ?? {}), ok: false }),
    },
  );
}
