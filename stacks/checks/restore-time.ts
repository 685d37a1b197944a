import { parseIsoTime } from "../../scripts/lib/iso-time";
import type { Problem } from "../problems";

const DAY_MS = 24 * 60 * 60 * 1000;

/** How to write a restore time; the schema's messages for a malformed one say the same (problems.ts). */
export const RESTORE_TIME_FIX = 'use "latest" or an ISO 8601 time with a zone, like 2026-02-18T14:30:00Z';
export const ISO_TIME_FIX = "write it like 2026-02-18T14:30:00Z";

/**
 * The oldest time a point-in-time restore reaches: RDS keeps automated backups for the retention
 * period. The loader refuses a time before it; readiness fails a pinned time that has left it.
 */
export function oldestRestorable(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** The backup window a restore time must fall in: `retentionDays` back from `now`. */
export interface RestoreWindow {
  readonly retentionDays: number;
  readonly now: Date;
}

/**
 * `latest`, or an ISO time inside the window when one is given. Components check the form only:
 * a second `pulumi up` days later must not refuse a time the first one restored to.
 */
export function restoreTimeProblems(time: string, window?: RestoreWindow): Problem[] {
  if (time === "latest") return [];
  const at = parseIsoTime(time);
  // Worded as the schema words it (problems.ts), which refuses such a time in a stack file first.
  if (at === undefined) return [{ path: [], message: `the string ${JSON.stringify(time)} is not an ISO 8601 time; ${ISO_TIME_FIX}` }];
  if (window === undefined) return [];
  const { now, retentionDays } = window;
  if (at.getTime() > now.getTime())
    return [{ path: [], message: `${time} is in the future; use "latest" or a time before now (${now.toISOString()})` }];
  const oldest = oldestRestorable(now, retentionDays);
  if (at.getTime() < oldest.getTime())
    return [
      {
        path: [],
        message: `${time} is older than the ${retentionDays}-day backup retention (oldest restorable ${oldest.toISOString()}); pick a later time or restore from a snapshot`,
      },
    ];
  return [];
}
