/**
 * Flags, declared once as a table: `node:util` parseArgs (strict) reads it, and `--help` is
 * printed from it. A misspelt flag is refused with the closest one named, because a silently
 * ignored `--dryrun` on a restore is how data gets lost.
 */
import { parseArgs } from "node:util";
import { closest, distance } from "fastest-levenshtein";
import { UsageError } from "./errors";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** May be given several times (`--source-url a=… --source-url b=…`). Defaults to `false`. */
  readonly multiple?: boolean;
  /** The value's placeholder in --help (`S3URL`, `<name>`). Defaults to `VALUE` for a string. */
  readonly value?: string;
  /** The --help line; `\n` continues it under the same column. */
  readonly help: string;
  /** The fix when the flag is missing; makes it required (`--stack: required; <this>`). */
  readonly required?: string;
  /** Shown when the flag comes without a value (`--stack: needs a value, e.g. --stack recovery`). */
  readonly example?: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** `--stack` of the offline commands that read a restore stack (plan, readiness, policy:check). */
export const RESTORE_STACK_OPTION = {
  type: "string",
  value: "<name>",
  help: "the restore stack (recovery, drill); prod is the source, not a restore stack",
  required: "name the restore stack, e.g. --stack recovery",
  example: "recovery",
} as const satisfies OptionSpec;

/** What parseArgs gives back for a table: strings, booleans, string lists; absent when not given. */
export type OptionValues<T extends OptionTable> = {
  -readonly [K in keyof T]?: T[K]["type"] extends "boolean"
    ? boolean
    : T[K]["multiple"] extends true
      ? string[]
      : string;
} & { help?: boolean };

export interface CommandSpec<T extends OptionTable = OptionTable> {
  /** How it is run, one line per form: `npm run plan -- --stack <name> [--json]`. */
  readonly usage: readonly string[];
  /** What it does, for people, before the options. */
  readonly description?: string;
  readonly options: T;
  /** After the options: exit codes, what it needs, where the details are. */
  readonly epilogue?: string;
}

const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", help: "this text" };

/** The table a command really parses: its own options and `--help`. */
function withHelp(options: OptionTable): OptionTable {
  return { ...options, help: options.help ?? HELP_OPTION };
}

/**
 * Help column: two spaces, the longest flag and its value, two spaces; capped so that one long
 * flag does not push every line right (it gets one space instead).
 */
const MAX_LABEL_COLUMN = 26;

function label(name: string, spec: OptionSpec): string {
  return spec.type === "string" ? `--${name} ${spec.value ?? "VALUE"}` : `--${name}`;
}

/** `--help`: the usage, the description, every option of the table, the epilogue. */
export function helpText(spec: CommandSpec): string {
  const options = withHelp(spec.options);
  const labels = Object.entries(options).map(([name, o]) => [label(name, o), o.help] as const);
  const column = Math.min(2 + Math.max(...labels.map(([l]) => l.length)) + 2, MAX_LABEL_COLUMN);
  const lines = labels.map(([l, help]) => {
    const head = `  ${l}`.padEnd(column - 1);
    const [first, ...rest] = help.split("\n");
    return [`${head} ${first}`, ...rest.map((r) => `${" ".repeat(column)}${r}`)].join("\n");
  });
  const [first, ...more] = spec.usage;
  const usage = [`Usage: ${first}`, ...more.map((u) => `       ${u}`)].join("\n");
  const parts = [usage, spec.description, `Options:\n${lines.join("\n")}`, spec.epilogue];
  const shown = parts.filter((p): p is string => p !== undefined && p !== "");
  return `${shown.map((p) => p.trim()).join("\n\n")}\n`;
}

/** The closest known flag when it is close enough to be a typo, else none. */
export function didYouMean(given: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const guess = closest(given, [...known]);
  return distance(given, guess) <= Math.max(2, Math.floor(given.length / 3)) ? guess : undefined;
}

function unknownOption(raw: string, options: OptionTable): UsageError {
  const flag = raw.replace(/=.*$/, "");
  const name = flag.replace(/^-+/, "");
  const known = Object.keys(options);
  const guess = didYouMean(name, known);
  const hint = guess ? `did you mean --${guess}?` : `use one of ${known.map((k) => `--${k}`).join(", ")}`;
  return new UsageError(`${flag}: unknown option; ${hint} (see --help)`, {
    code: "unknown-option",
    details: { flag },
  });
}

function needsValue(name: string, spec: OptionSpec | undefined): UsageError {
  const example = spec?.example ? `, e.g. --${name} ${spec.example}` : " (see --help)";
  return new UsageError(`--${name}: needs a value${example}`, {
    code: "missing-value",
    details: { flag: `--${name}` },
  });
}

/** parseArgs itself, its errors turned into ours. */
function readArgv(argv: readonly string[], options: OptionTable) {
  const config = Object.fromEntries(
    Object.entries(options).map(([name, o]) => {
      const short = o.short !== undefined ? { short: o.short } : {};
      return [name, { type: o.type, multiple: o.multiple ?? false, ...short }];
    }),
  );
  try {
    // Positionals are allowed here only so that they get our message, not parseArgs's.
    return parseArgs({
      args: [...argv],
      options: config,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (error) {
    const e = error as { code?: string; message: string };
    // "Unknown option '--stak'", "Option '-s, --stack <value>' argument missing"
    const quoted = /'(?:-\w, )?(--?[^' ,]+)/.exec(e.message)?.[1] ?? "";
    const name = quoted.replace(/^-+/, "");
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw unknownOption(quoted, options);
    if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && options[name]?.type === "boolean")
      throw new UsageError(`--${name}: takes no value; write --${name} alone`, {
        code: "unexpected-value",
        details: { flag: `--${name}` },
      });
    if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      // `--concurrency -3`: parseArgs reads `-3` as a flag; say what the value should be instead.
      const next = argv[argv.indexOf(`--${name}`) + 1];
      if (next !== undefined && /^-\d/.test(next))
        throw new UsageError(`--${name}`, `"${next}" is negative; give a positive number`, {
          code: "bad-number",
        });
      throw needsValue(name, options[name]);
    }
    throw new UsageError(`${e.message.split("\n")[0]} (see --help)`, { code: "bad-arguments" });
  }
}

/**
 * Parses argv against the table, strictly: unknown flags, stray arguments, a flag given twice, a
 * value missing and a required flag absent are each one UsageError (exit 2) naming the flag.
 */
export function parseOptions<T extends OptionTable>(
  spec: CommandSpec<T>,
  argv: readonly string[],
): OptionValues<T> {
  const options = withHelp(spec.options);
  const parsed = readArgv(argv, options);
  const seen = new Map<string, number>();
  for (const token of parsed.tokens) {
    if (token.kind === "positional")
      throw new UsageError(
        `${token.value}: unexpected argument; every value goes after its flag (see --help)`,
        {
          code: "unexpected-argument",
          details: { argument: token.value },
        },
      );
    if (token.kind !== "option") continue;
    seen.set(token.name, (seen.get(token.name) ?? 0) + 1);
    const o = options[token.name];
    if (o.type === "string" && !o.multiple && seen.get(token.name)! > 1)
      throw new UsageError(`--${token.name}: given more than once; give it once`, {
        code: "repeated-option",
        details: { flag: `--${token.name}` },
      });
    if (o.type === "string" && (token.value === undefined || token.value === ""))
      throw needsValue(token.name, o);
  }
  const values = parsed.values as OptionValues<T>;
  if (!values.help) {
    for (const [name, o] of Object.entries(options)) {
      if (o.required !== undefined && values[name] === undefined)
        throw new UsageError(`--${name}: required; ${o.required}`, {
          code: "missing-option",
          details: { flag: `--${name}` },
        });
    }
  }
  return values;
}

export const CONFLICTING_OPTIONS = "conflicting-options";

/** The first of several mutually exclusive flags given together: one UsageError naming both. */
export function oneOf(
  values: Readonly<Record<string, unknown>>,
  flags: readonly string[],
  what = "choose one output",
): void {
  const given = flags.filter((f) => values[f] === true || typeof values[f] === "string");
  if (given.length > 1)
    throw new UsageError(`--${given[0]} and --${given[1]}: ${what}`, {
      code: CONFLICTING_OPTIONS,
      details: { flags: given.map((f) => `--${f}`) },
    });
}

/** `--jobs 4` style whole numbers within bounds. */
export function wholeNumber(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(flag, `"${value}" is not a whole number from ${min} to ${max}`, {
      code: "bad-number",
    });
  return n;
}
