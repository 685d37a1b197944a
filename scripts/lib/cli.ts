import { minimist } from "zx";
import { ConfigError } from "../../stacks";

/** Exit codes shared by every script: 0 all passed, 1 failure, 2 bad usage or bad input. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Bad usage: reported as one message, never a stack trace, exit 2. */
export class UsageError extends Error {}

export interface FlagSpec {
  readonly string?: readonly string[];
  readonly boolean?: readonly string[];
}

/**
 * minimist, made strict: an unknown or misspelt flag is refused rather than ignored, because a
 * silently ignored `--dryrun` on a restore is how data gets lost.
 */
export function parseFlags(argv: readonly string[], spec: FlagSpec): Record<string, unknown> & { _: string[] } {
  const known = new Set(["help", "h", ...(spec.string ?? []), ...(spec.boolean ?? [])]);
  const unknown: string[] = [];
  const parsed = minimist([...argv], {
    string: [...(spec.string ?? [])],
    boolean: ["help", ...(spec.boolean ?? [])],
    alias: { h: "help" },
    unknown: (arg: string) => {
      if (arg.startsWith("-")) {
        unknown.push(arg);
        return false;
      }
      return true;
    },
  });
  if (unknown.length > 0) {
    const flag = unknown[0].replace(/=.*$/, "");
    throw new UsageError(`${flag}: unknown option; see --help for the options (${[...known].filter((k) => k.length > 1).map((k) => `--${k}`).join(", ")})`);
  }
  for (const name of spec.string ?? []) {
    const value = parsed[name];
    if (Array.isArray(value)) throw new UsageError(`--${name}: given more than once; give it once`);
    if (value === "" && argv.some((a) => a === `--${name}`)) throw new UsageError(`--${name}: needs a value`);
  }
  return parsed as Record<string, unknown> & { _: string[] };
}

/** The `--stack` a script works on: required, and no stray positional argument beside it. */
export function stackFlag(flags: Record<string, unknown> & { _: string[] }): string {
  if (flags._.length > 0) throw new UsageError(`${flags._[0]}: unexpected argument; name the stack with --stack <name>`);
  const stack = flags.stack as string | undefined;
  if (!stack) throw new UsageError("--stack: required; name the restore stack, e.g. --stack recovery");
  return stack;
}

/**
 * Runs a script's main, turning bad input into one line on stderr and exit 2; anything else
 * unexpected is still reported without a stack trace unless DEBUG is set.
 */
export async function runMain(main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      code = EXIT.usage;
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`error: ${message}\n`);
      if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      code = EXIT.failed;
    }
  }
  process.exit(code);
}
