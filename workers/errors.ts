/**
 * The two ways a data-plane command can stop on purpose. Both print one line, never a stack
 * trace: an SRE in a disaster needs the argument and the fix, not our call stack.
 */

/** Bad usage (exit 2): names the argument, what was wrong and what to do. Nothing was changed. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly argument: string,
    detail: string,
  ) {
    super(`${argument}: ${detail}`);
    this.name = "UsageError";
  }
}

/**
 * A refusal or failure found while checking real state (exit 1): a checksum mismatch, a missing
 * manifest, a non-empty target. Carries the partial record so `--json` still reports what was known.
 */
export class RefusedError extends Error {
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly record?: unknown,
  ) {
    super(message);
    this.name = "RefusedError";
  }
}

/** Message of any thrown value, without a stack. */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message || error.name;
  // The SDK names bodiless errors (a HEAD's 412, 403) "UnknownError"; the status says more.
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && !message.includes(String(status)) ? `${message} (HTTP ${status})` : message;
}
