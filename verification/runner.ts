import { setMaxListeners } from "node:events";
import pLimit from "p-limit";
import type { Redactor } from "./redact";
import type { Check, CheckResult } from "./types";
import { errorMessage } from "../scripts/lib/errors";

export interface RunOptions {
  /** Checks in flight at once. Most wait on the network; databases are bounded by their pools. */
  readonly concurrency: number;
  /** Per check, unless the check sets its own. */
  readonly timeoutMs: number;
  readonly redactor: Redactor;
  readonly onResult?: (result: CheckResult, done: number, total: number) => void;
}

class CheckTimeout extends Error {}

/**
 * Runs independent checks in parallel. Each gets an AbortSignal that fires at its timeout;
 * the runner stops waiting then even if the check ignores the signal, so one hung endpoint
 * cannot hold up the verdict. Results come back in the order the checks were given.
 */
export async function runChecks(checks: readonly Check[], options: RunOptions): Promise<CheckResult[]> {
  const limit = pLimit(Math.max(1, options.concurrency));
  let done = 0;
  return Promise.all(
    checks.map((check) =>
      limit(async (): Promise<CheckResult> => {
        const raw = await runOne(check, check.timeoutMs ?? options.timeoutMs);
        const result = { ...raw, detail: options.redactor.apply(oneLine(raw.detail)) };
        done += 1;
        options.onResult?.(result, done, checks.length);
        return result;
      }),
    ),
  );
}

/** One check under its timeout: a verdict, a throw or the timeout, each becomes a result. */
async function runOne(check: Check, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  // One signal serves every request of a check (a bucket's sampled GETs): not a leak.
  setMaxListeners(256, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new CheckTimeout());
      reject(new CheckTimeout());
    }, timeoutMs);
  });
  const started = performance.now();
  const { name, target } = check;
  try {
    const verdict = await Promise.race([check.run(controller.signal), expired]);
    return { name, target, result: verdict.ok ? "pass" : "fail", ms: elapsed(started), detail: verdict.detail };
  } catch (error) {
    const detail = error instanceof CheckTimeout || controller.signal.aborted ? `timed out after ${timeoutMs} ms` : describeError(error);
    return { name, target, result: "fail", ms: elapsed(started), detail };
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (started: number): number => Math.round(performance.now() - started);
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, " ").trim();

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  const message = errorMessage(error);
  const code = error instanceof Error ? (error as { code?: string }).code : undefined;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
