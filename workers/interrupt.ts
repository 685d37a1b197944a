import { CliError } from "../scripts/lib/errors";

/**
 * Ctrl-C (SIGINT) and a Job's SIGTERM. By default the command stops at once with its children
 * (exit 130 / 143). A phase that writes into a database registers a handler instead, so that it
 * can stop its work, clean up what it created and say what is left before exiting; a second
 * signal still stops at once.
 */
export type InterruptSignal = "SIGINT" | "SIGTERM";

let handler: ((signal: InterruptSignal) => void) | undefined;
let received: InterruptSignal | undefined;

export const exitCodeOf = (signal: InterruptSignal): number => (signal === "SIGINT" ? 130 : 143);

/** While registered, a signal calls `onSignal` instead of exiting; returns the unregister function. */
export function whileInterruptible(onSignal: (signal: InterruptSignal) => void): () => void {
  handler = onSignal;
  return () => {
    if (handler === onSignal) handler = undefined;
  };
}

/** The signal received, if any (work loops check it between steps). */
export const interruptedBy = (): InterruptSignal | undefined => received;

/** Called by the process-wide signal handler; false means "exit now". */
export function deliverInterrupt(signal: InterruptSignal): boolean {
  if (received !== undefined || handler === undefined) return false;
  received = signal;
  handler(signal);
  return true;
}

/** The command stopped on a signal: exit 130 (SIGINT) or 143 (SIGTERM), with what was left. */
export class InterruptedError extends CliError {
  constructor(
    readonly signal: InterruptSignal,
    message: string,
    record?: unknown,
  ) {
    super(message, "interrupted", exitCodeOf(signal), { record });
    this.name = "InterruptedError";
  }
}
