import { CliError } from "../scripts/lib/errors";

/**
 * Ctrl-C (SIGINT) and a Job's SIGTERM. By default the command stops at once with its children
 * (exit 130 / 143). A phase that writes into a database registers a handler instead, so that it
 * can stop its work, clean up what it created and say what is left before exiting; a second
 * signal still stops at once.
 *
 * The process-wide handlers exist only while something holds them (a child process running, or
 * a phase registered with `whileInterruptible`): a program that merely imports the workers (the
 * drill, verify, a test runner) keeps Node's own Ctrl-C behaviour and its own handlers.
 */
export type InterruptSignal = "SIGINT" | "SIGTERM";

let handler: ((signal: InterruptSignal) => void) | undefined;
let received: InterruptSignal | undefined;

export const exitCodeOf = (signal: InterruptSignal): number => (signal === "SIGINT" ? 130 : 143);

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
/** What each holder stops on a signal (a child process is killed with us). */
const stoppers = new Set<() => void>();
let holds = 0;

function onSignal(signal: InterruptSignal): void {
  for (const stop of stoppers) stop();
  if (!deliverInterrupt(signal)) process.exit(exitCodeOf(signal));
}

/**
 * Installs the SIGINT/SIGTERM handlers while held; `stop` runs on a signal. Returns the release
 * function (idempotent); the handlers are removed when the last holder releases.
 */
export function holdSignals(stop?: () => void): () => void {
  if (holds++ === 0) for (const signal of SIGNALS) process.on(signal, onSignal);
  if (stop) stoppers.add(stop);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (stop) stoppers.delete(stop);
    if (--holds === 0) for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}

/** While registered, a signal calls `onSignal` instead of exiting; returns the unregister function. */
export function whileInterruptible(onInterrupt: (signal: InterruptSignal) => void): () => void {
  handler = onInterrupt;
  const release = holdSignals();
  return () => {
    if (handler === onInterrupt) handler = undefined;
    release();
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
