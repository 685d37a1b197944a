import { SingleBar, Presets } from "cli-progress";
import { formatBytesIn } from "../scripts/lib/bytes";

/** Progress for one phase; always on stderr so `--json` keeps stdout to one JSON object. */
export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** A no-op for library callers (Kubernetes Jobs log the final record instead). */
export const silentProgress: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A bar on a terminal; on a pipe (a Job's log, a test) one line every few seconds, because a
 * redrawn bar in a log is unreadable and an SRE still needs to see that the restore moves.
 */
export function createProgress(label: string, unit: "bytes" | "items", total: number): Progress {
  const format = (n: number): string => (unit === "bytes" ? formatBytesIn(n, "MB") : String(n));
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {shown}/{shownTotal} | eta {eta}s`,
        stream: process.stderr,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    let currentTotal = total;
    bar.start(Math.max(total, 1), 0, { shown: format(0), shownTotal: format(total) });
    return {
      update(done, newTotal) {
        if (newTotal !== undefined && newTotal !== currentTotal) {
          currentTotal = newTotal;
          bar.setTotal(Math.max(newTotal, 1));
        }
        bar.update(done, { shown: format(done), shownTotal: format(currentTotal) });
      },
      stop: () => bar.stop(),
    };
  }
  let lastPrinted = 0;
  let currentTotal = total;
  let last = 0;
  process.stderr.write(`${label}: started (${format(total)} to do)\n`);
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) currentTotal = newTotal;
      last = done;
      const now = Date.now();
      if (now - lastPrinted < 2000) return;
      lastPrinted = now;
      process.stderr.write(`${label}: ${format(done)} / ${format(currentTotal)}\n`);
    },
    stop() {
      process.stderr.write(`${label}: done (${format(last)} / ${format(currentTotal)})\n`);
    },
  };
}
