import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { holdSignals } from "./interrupt";

export interface Spawned {
  readonly child: ChildProcess;
  /** Resolves on exit 0; rejects with the command and the end of its stderr otherwise. */
  readonly done: Promise<void>;
}

/** Starts a command (argument array, no shell); stderr lines go to `onStderrLine`. */
export function start(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { onStderrLine?: (line: string) => void } = {},
): Spawned {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  // Ctrl-C on the CLI (or a Job's SIGTERM) must not leave a pg_restore writing into the target
  // after we exit: while this child runs, a signal stops it with us (interrupt.ts). The handler
  // is installed here, not on import, so importing the workers changes nobody's Ctrl-C.
  const release = holdSignals(() => child.kill("SIGTERM"));
  const tail: string[] = [];
  let partial = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      options.onStderrLine?.(line);
    }
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", (error) => {
      release();
      reject(new Error(`${command} could not be started: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      release();
      if (partial) tail.push(partial);
      if (code === 0) resolve();
      else {
        const why = signal ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new Error(`${command} ${why}: ${tail.filter(Boolean).slice(-5).join(" | ")}`));
      }
    });
  });
  return { child, done };
}

/** Runs a command to completion and returns its stdout. */
export async function runForOutput(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<string> {
  const spawned = start(command, args, options);
  let out = "";
  spawned.child.stdout?.setEncoding("utf8");
  spawned.child.stdout?.on("data", (chunk: string) => (out += chunk));
  await spawned.done;
  return out;
}
