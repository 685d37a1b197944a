import { UsageError } from "./errors";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The one duration grammar: `500ms`, `30s`, `5m`, `90m`, `2h`; a bare number is seconds, the
 * same for every command (`--timeout 30` is half a minute, never 30 ms). Milliseconds, or
 * undefined when `text` is not a positive duration.
 */
export function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2] ?? "s"]) : NaN;
  return ms > 0 ? ms : undefined;
}

/**
 * What Pulumi's `customTimeouts` takes (a Go duration, which needs its unit) within the grammar
 * above: a whole number of seconds, minutes or hours, like `90m` or `4h`. Config durations are
 * these, so the same value reads the same in the stack file and in `pulumi up`.
 */
export function isTimeoutDuration(text: string): boolean {
  return /^[1-9][0-9]*(s|m|h)$/.test(text) && durationMs(text) !== undefined;
}

/** A duration flag in milliseconds, `fallbackMs` when not given; bad usage (exit 2) when not a duration. */
export function parseDuration(flag: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const ms = durationMs(value);
  if (ms === undefined)
    throw new UsageError(`${flag} ${value}: not a duration; use e.g. 30s, 500ms or 2m`, {
      code: "bad-duration",
      details: { flag },
    });
  return ms;
}
