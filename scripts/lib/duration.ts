import { UsageError } from "./errors";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration flag in milliseconds: `500ms`, `30s`, `5m`, `90m`, `2h`; a bare number is seconds,
 * the same for every command (`--timeout 30` is half a minute, never 30 ms).
 */
export function parseDuration(flag: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2] ?? "s"]) : NaN;
  if (!(ms > 0))
    throw new UsageError(`${flag} ${value}: not a duration; use e.g. 30s, 500ms or 2m`, {
      code: "bad-duration",
      details: { flag },
    });
  return ms;
}
