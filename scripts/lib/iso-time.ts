import { z } from "zod";

/**
 * The one grammar for an ISO 8601 time, everywhere a user writes one (a stack's restorePoint,
 * a component's restoreTime, `--undelete-after`): a date, a time with seconds, and a zone (`Z` or
 * `+02:00`). A time without a zone would be read in the operator's local zone, and a day that does
 * not exist (February 30) rolls over in `Date.parse`; zod's validator refuses both.
 */
export const isoTimeSchema = (params: { readonly error?: string } = {}) => z.iso.datetime({ offset: true, ...params });

const ISO_TIME = isoTimeSchema();

/** `2026-02-18T14:30:00Z` → its Date; undefined for anything else. */
export function parseIsoTime(text: string): Date | undefined {
  return ISO_TIME.safeParse(text).success ? new Date(text) : undefined;
}
