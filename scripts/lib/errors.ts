/**
 * The one error hierarchy of every command. A problem the user can act on is a `CliError`: one
 * message naming the flag or key, what was wrong and the fix, never a stack trace, and a stable
 * `code` that callers and tests match instead of the wording. The class decides the exit code.
 *
 * This module imports nothing, so the stack loader, the workers and the Pulumi program can all
 * throw these without pulling a CLI into their import graph.
 */

/** Exit codes shared by every command (README, "Exit codes"). */
export const EXIT = {
  /** Everything passed. */
  ok: 0,
  /** A check failed, something was refused after looking at real state, or a run-time failure. */
  failed: 1,
  /** Bad usage or bad input (a flag, a stack file, a saved file): nothing was created or changed. */
  usage: 2,
} as const;

export interface CliErrorOptions {
  /** Stable, kebab-case: what callers and tests match. */
  readonly code?: string;
  /** What `--json` still reports (a partial record: what was known when it stopped). */
  readonly record?: unknown;
  /** Extra fields of the JSON error object (`problems`, `flag`, …). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Exit code for the subclasses that carry their own (an interrupt: 130, 143). */
  readonly exitCode?: number;
}

export abstract class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly record?: unknown;
  readonly details: Readonly<Record<string, unknown>>;
  protected constructor(
    message: string,
    fallbackCode: string,
    fallbackExit: number,
    options: CliErrorOptions = {},
  ) {
    super(message);
    this.code = options.code ?? fallbackCode;
    this.exitCode = options.exitCode ?? fallbackExit;
    this.record = options.record;
    this.details = options.details ?? {};
  }
}

/**
 * `new UsageError(message, options?)`, or the data plane's `new UsageError(argument, detail)`,
 * which reads `--to: detail`.
 */
function usageArgs(
  first: string,
  second?: string | CliErrorOptions,
  third?: CliErrorOptions,
): [string, CliErrorOptions] {
  if (typeof second !== "string") return [first, second ?? {}];
  return [`${first}: ${second}`, { ...third, details: { argument: first, ...third?.details } }];
}

/** Bad usage or bad input: exit 2, nothing was created or changed. */
export class UsageError extends CliError {
  constructor(message: string, options?: CliErrorOptions);
  constructor(argument: string, detail: string, options?: CliErrorOptions);
  constructor(first: string, second?: string | CliErrorOptions, third?: CliErrorOptions) {
    const [message, options] = usageArgs(first, second, third);
    super(message, "usage", EXIT.usage, options);
    this.name = "UsageError";
  }
}

/**
 * A refusal found by looking at real state (a checksum mismatch, a missing manifest, a non-empty
 * target, the source database itself): exit 1, like any failure, because the command was used
 * right and the world said no. Carries the partial record so `--json` still reports what was known.
 */
export class RefusedError extends CliError {
  constructor(message: string, record?: unknown, options: CliErrorOptions = {}) {
    super(message, "refused", EXIT.failed, { ...options, record: record ?? options.record });
    this.name = "RefusedError";
  }
}

/** Exit code of anything thrown: a CliError's own, else 1 (an unexpected failure). */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : EXIT.failed;
}

/** Problem code of anything thrown (`failed` for what is not ours). */
export function codeOf(error: unknown): string {
  return error instanceof CliError ? error.code : "failed";
}

/** Message of any thrown value, without a stack. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message || error.name;
  // The AWS SDK names bodiless errors (a HEAD's 412, 403) "UnknownError"; the status says more.
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const shown = status !== undefined && !message.includes(String(status));
  return shown ? `${message} (HTTP ${status})` : message;
}

/** The one JSON error shape: `{ "error": { "code", "message", ...details } }`. */
export function errorJson(
  error: unknown,
  message = errorMessage(error),
): { error: Record<string, unknown> } {
  const details = error instanceof CliError ? error.details : {};
  return { error: { code: codeOf(error), message, ...details } };
}
