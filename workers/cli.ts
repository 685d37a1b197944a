import { minimist } from "zx";
import { UsageError, messageOf } from "./errors";
import { maskText } from "./mask-url";

/** What each script declares about its flags; anything else is bad usage (exit 2). */
export interface CliSpec {
  readonly usage: string;
  readonly strings: readonly string[];
  readonly booleans: readonly string[];
  readonly defaults?: Record<string, unknown>;
}

export type ParsedArgs = ReturnType<typeof minimist>;

/** Parses argv strictly: an unknown or misspelt flag is refused before anything happens. */
export function parseArgs(spec: CliSpec, argv: readonly string[]): ParsedArgs {
  const known = new Set([...spec.strings, ...spec.booleans, "help", "h", "json"]);
  const args = minimist([...argv], {
    string: [...spec.strings],
    boolean: [...spec.booleans, "help", "json"],
    alias: { h: "help" },
    default: spec.defaults,
    unknown: (arg: string) => {
      // `--concurrency -3`: minimist reads `-3` as a flag; say what the value should be instead.
      if (/^-\d/.test(arg)) throw new UsageError(arg, "a negative number is not allowed here; give a positive whole number");
      if (!arg.startsWith("-")) throw new UsageError(arg, "unexpected argument; every value goes after its flag (see --help)");
      const name = arg.replace(/^-+/, "").split("=")[0];
      if (!known.has(name)) throw new UsageError(`--${name}`, "is not an option of this command; see --help");
      return true;
    },
  });
  for (const name of spec.strings) {
    const value = args[name];
    if (Array.isArray(value)) throw new UsageError(`--${name}`, "was given more than once; give it once");
    if (value === "" && argv.some((a) => a === `--${name}`)) {
      throw new UsageError(`--${name}`, "needs a value (see --help)");
    }
  }
  return args;
}

/** `--jobs 4` style integers within bounds. */
export function positiveInt(argument: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(argument, `"${String(value)}" is not a whole number from 1 to ${max}`);
  }
  return n;
}

/**
 * Runs a command body with the conventions every script shares: `--help`, exactly one JSON
 * object on stdout with `--json`, a summary on stderr, exit 0 / 1 (failed or refused) / 2 (usage),
 * and never a stack trace for a problem the user can fix.
 */
export async function runCli<R extends { ok: boolean }>(
  spec: CliSpec,
  body: (args: ParsedArgs) => Promise<R>,
  summarize: (record: R) => string,
): Promise<never> {
  let json = process.argv.includes("--json");
  try {
    const args = parseArgs(spec, process.argv.slice(2));
    json = Boolean(args.json);
    if (args.help) {
      process.stdout.write(`${spec.usage.trim()}\n`);
      process.exit(0);
    }
    const record = await body(args);
    // Whatever a driver or a child process echoed, no password leaves through here.
    if (json) process.stdout.write(`${maskText(JSON.stringify(record, null, 2))}\n`);
    process.stderr.write(`${maskText(summarize(record))}\n`);
    process.exit(record.ok ? 0 : 1);
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode ?? 1;
    const known = exitCode === 2 || (error as Error).name === "RefusedError";
    const message = maskText(messageOf(error));
    if (json) {
      const record = (error as { record?: object }).record ?? {};
      process.stdout.write(`${maskText(JSON.stringify({ ...record, ok: false, error: message }, null, 2))}\n`);
    }
    // 130/143: stopped by Ctrl-C or SIGTERM, after saying what was left behind.
    const label = exitCode === 2 ? "usage" : exitCode >= 128 ? "interrupted" : known ? "refused" : "failed";
    process.stderr.write(`${label}: ${message}\n`);
    if (exitCode === 2) process.stderr.write("see --help for the options\n");
    process.exit(exitCode);
  }
}
