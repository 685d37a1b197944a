import { EXIT } from "./errors";

/**
 * When the reader of a command's output goes away (`npm run plan -- --json | head -c1`), Node
 * throws EPIPE as an uncaught error with a stack trace. Here a closed pipe changes nothing but the
 * output: what would have been written is dropped, the command carries on to its end and exits
 * with its own code. Carrying on matters for the commands that change something: a restore or a
 * drill stopped half way by its log reader would leave a half-restored target, or a drill stack
 * that is never destroyed.
 */
let closed = false;

/** True once stdout or stderr has lost its reader. */
export const pipeClosed = (): boolean => closed;

let installed = false;

/** Installs the handler on both streams (once). */
export function onClosedPipe(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      closed = true;
      // Any other error on our own output can't be reported there either: mark the run failed.
      if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") process.exitCode = EXIT.failed;
    });
  }
}

/** process.stdout/stderr writers that drop what comes after the reader left. */
export const processIo = {
  stdout: (text: string): void => {
    if (!closed) process.stdout.write(text);
  },
  stderr: (text: string): void => {
    if (!closed) process.stderr.write(text);
  },
};
