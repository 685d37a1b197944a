/**
 * Flags for a bench: node:util parseArgs (strict) over a table that --help is printed from.
 * Bad usage gets one line naming the flag and the fix, and exit 2, never a stack trace.
 */
import { parseArgs } from "node:util";
import { errorMessage } from "../../scripts/lib/errors";
import { tableLines } from "../../scripts/lib/table";

export interface Flag {
  readonly type: "string" | "boolean";
  readonly description: string;
  /** Shown in --help; the bench applies it (parseArgs' own default would hide "not given"). */
  readonly default?: string;
}

/** Parses argv against `flags` plus `--help`; prints help and exits 0 on --help, exits 2 on bad usage. */
export function benchArgs<const T extends Record<string, Flag>>(
  command: string,
  summary: string,
  flags: T,
  argv: readonly string[] = process.argv.slice(2),
): { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string } {
  const options = Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, { type: f.type }]));
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help === true) {
      process.stdout.write(helpText(command, summary, flags));
      process.exit(0);
    }
    return values as { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };
  } catch (error) {
    usageExit(command, errorMessage(error));
  }
}

export function helpText(command: string, summary: string, flags: Record<string, Flag>): string {
  const rows = Object.entries(flags).map(([name, f]) => {
    const left = `--${name}${f.type === "string" ? " VALUE" : ""}`;
    const right = f.default === undefined ? f.description : `${f.description} (default ${f.default})`;
    return [left, right];
  });
  const table = tableLines([...rows, ["--help", "this text"]], { columns: [{ minWidth: 20 }], gap: " ", indent: "  " });
  return [`Usage: ${command} [-- flags]`, summary, "", ...table, ""].join("\n");
}

export function usageExit(command: string, message: string): never {
  process.stderr.write(`${command}: ${message}. Run \`${command} -- --help\` for the flags.\n`);
  process.exit(2);
}

/** A whole-number flag at least `min`; bad input names the flag and exits 2. */
export function wholeNumber(command: string, flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) usageExit(command, `--${flag} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}
