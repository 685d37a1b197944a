import type { ItemResult } from "./types";

/** An item whose restore has nothing to restore from: one failing finding, no restore point. */
export function failed(restoredFrom: string, message: string): ItemResult {
  return { restoredFrom, restorePoint: null, achievableRpoMinutes: null, findings: [{ level: "fail", message }], notes: [], rpoNotJudged: true };
}

/** An item whose deciding check could not answer: reported as such, never as passed. */
export function unknown(restoredFrom: string, why: string): ItemResult {
  return {
    restoredFrom,
    restorePoint: null,
    achievableRpoMinutes: null,
    findings: [{ level: "unknown", message: `could not check: ${why}; run readiness again, or check by hand` }],
    notes: [],
    rpoNotJudged: true,
  };
}
