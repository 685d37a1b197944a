import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { holdSignals } from "./interrupt";

/**
 * The one way the data plane runs a process (pg_dump, pg_restore, redis-cli, redis-server):
 * an argument array, never a shell; the end of stderr in the error; and, while it runs,
 * Ctrl-C or a Job's SIGTERM stops it with us. The signal handlers are installed by `start`, never
 * on import, so importing the workers changes nobody's Ctrl-C.
 */
export interface StartOptions extends SpawnOptions {
  /** Each line the command writes to stderr, as it comes. Defaults to none. */
  readonly onStderrLine?: (line: string) => void;
  /**
   * Stop the command with us on SIGINT/SIGTERM (interrupt.ts), holding the process-wide handlers
   * while it runs. Defaults to `true`. `false` for a short read-only command run inside a program
   * that handles its own signals (verify inside the drill: its second Ctrl-C must still destroy).
   */
  readonly stopWithUs?: boolean;
}

/** A command that could not start, exited non-zero, was killed or timed out. */
export class ProcessError extends Error {
  constructor(
    message: string,
    readonly command: string,
    readonly outcome: {
      /** The exit code, `null` when it was killed or never started. */
      readonly exitCode: number | null;
      readonly signal: NodeJS.Signals | null;
      /** `timeout` elapsed and the command was killed for it. */
      readonly timedOut: boolean;
      /** The last lines of stderr (at most 20). */
      readonly stderr: readonly string[];
      /** What it printed on stdout, for `runForOutput`. */
      readonly stdout: string;
      /** Why it could not be started (`ENOENT`, `EACCES`). */
      readonly startError?: NodeJS.ErrnoException;
    },
  ) {
    super(message);
    this.name = "ProcessError";
  }
}

export interface Spawned {
  readonly child: ChildProcess;
  /** Resolves on exit 0; rejects with a ProcessError naming the command and the end of its stderr. */
  readonly done: Promise<void>;
}

/** Starts a command (argument array, no shell); stderr lines go to `onStderrLine`. */
export function start(command: string, args: readonly string[], options: StartOptions = {}): Spawned {
  const { child, done } = launch(command, args, options, false);
  return { child, done };
}

/** Runs a command to completion and returns its stdout (also kept in the ProcessError on failure). */
export async function runForOutput(command: string, args: readonly string[], options: StartOptions = {}): Promise<string> {
  const launched = launch(command, args, options, true);
  await launched.done;
  return launched.stdout();
}

function launch(
  command: string,
  args: readonly string[],
  options: StartOptions,
  collectStdout: boolean,
): Spawned & { stdout: () => string } {
  const { onStderrLine, stopWithUs = true, ...spawnOptions } = options;
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...spawnOptions });
  // Ctrl-C on the CLI (or a Job's SIGTERM) must not leave a pg_restore writing into the target
  // after we exit: while this child runs, a signal stops it with us (interrupt.ts).
  let stoppedBySignal = false;
  const release = stopWithUs
    ? holdSignals(() => {
        stoppedBySignal = true;
        child.kill("SIGTERM");
      })
    : () => undefined;
  const tail: string[] = [];
  let partial = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      onStderrLine?.(line);
    }
  });
  let collected = "";
  if (collectStdout) {
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => (collected += chunk));
  }
  const stdout = (): string => collected;
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      release();
      const outcome = { exitCode: null, signal: null, timedOut: false, stderr: tail, stdout: stdout(), startError: error };
      reject(new ProcessError(`${command} could not be started: ${error.message}`, command, outcome));
    });
    child.once("close", (code, signal) => {
      release();
      if (partial) tail.push(partial);
      if (code === 0) return resolve();
      // spawn's own `timeout` kills the child with `killSignal`; only a signal we did not send is it.
      const timedOut = signal !== null && child.killed && !stoppedBySignal && spawnOptions.timeout !== undefined;
      const why = timedOut ? `timed out after ${spawnOptions.timeout} ms` : signal ? `was killed by ${signal}` : `exited with ${code}`;
      const outcome = { exitCode: code, signal, timedOut, stderr: tail, stdout: stdout() };
      reject(new ProcessError(`${command} ${why}: ${tail.filter(Boolean).slice(-5).join(" | ")}`, command, outcome));
    });
  });
  return { child, done, stdout };
}
