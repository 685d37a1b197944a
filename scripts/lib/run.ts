import { onClosedPipe, processIo } from "./closed-pipe";
import { CliError, codeOf, EXIT, errorJson, errorMessage, exitCodeOf } from "./errors";
import {
  CONFLICTING_OPTIONS,
  helpText,
  parseOptions,
  type CommandSpec,
  type OptionTable,
  type OptionValues,
} from "./options";

/** Where a command writes: the process's streams, or a test's strings. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface ReportOptions {
  /** Put before each line of a problem on stderr. Defaults to nothing for bad usage, `error: ` otherwise. */
  readonly label?: (error: unknown) => string;
  /** Top-level fields of the `--json` object for a problem, beside the kit's `error`. */
  readonly jsonFields?: (error: unknown) => Readonly<Record<string, unknown>>;
  /** Applied to every message and JSON object before it is written (passwords never leave). */
  readonly redact?: (text: string) => string;
  /** JSON indentation. Defaults to 2. */
  readonly jsonIndent?: number;
}

const defaultLabel = (error: unknown): string => (exitCodeOf(error) === EXIT.usage ? "" : "error: ");

/**
 * Writes a problem the way every command does: one line per line of the message on stderr, never
 * a stack trace (unless DEBUG is set and it is not one of ours); with --json also exactly one JSON
 * object on stdout, `{ ...fields, error: { code, message, ... } }`. Returns the exit code.
 */
export function reportError(error: unknown, io: Io, json: boolean, options: ReportOptions = {}): number {
  const redact = options.redact ?? ((t: string) => t);
  const message = redact(errorMessage(error));
  // `--json --markdown`: no output format was chosen, so none is written on stdout.
  if (json && codeOf(error) !== CONFLICTING_OPTIONS) {
    const doc = { ...options.jsonFields?.(error), ...errorJson(error, message) };
    io.stdout(`${redact(JSON.stringify(doc, null, options.jsonIndent ?? 2))}\n`);
  }
  const label = (options.label ?? defaultLabel)(error);
  io.stderr(`${message.split("\n").map((line) => `${label}${line}`).join("\n")}\n`);
  const unexpected = !(error instanceof CliError) && error instanceof Error;
  if (unexpected && process.env.DEBUG) io.stderr(`${error.stack}\n`);
  return exitCodeOf(error);
}

/**
 * Parses argv with the command's table, answers --help, runs the body and turns whatever it
 * throws into one message and the exit code. Never touches `process`: tests call it in-process.
 */
export async function runCommand<T extends OptionTable>(
  spec: CommandSpec<T>,
  argv: readonly string[],
  io: Io,
  body: (values: OptionValues<T>) => Promise<number>,
  options: ReportOptions = {},
): Promise<number> {
  let json = "json" in spec.options && argv.includes("--json");
  try {
    const values = parseOptions(spec, argv);
    json = (values as Record<string, unknown>).json === true;
    if (values.help) {
      io.stdout(helpText(spec));
      return EXIT.ok;
    }
    return await body(values);
  } catch (error) {
    return reportError(error, io, json, options);
  }
}

/** The process entry point: quiet on a closed pipe, then exit with the command's code. */
export function runProcess<T extends OptionTable>(
  spec: CommandSpec<T>,
  body: (values: OptionValues<T>) => Promise<number>,
  options: ReportOptions = {},
): void {
  onClosedPipe();
  void runCommand(spec, process.argv.slice(2), processIo, body, options).then((code) => process.exit(code));
}
