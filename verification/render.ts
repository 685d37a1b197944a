/** What `npm run verify` prints for people: the results table, the summary line, a progress line per check. */
import type { CheckResult, VerificationResult } from "./types";
import { tableLines } from "../scripts/lib/table";

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The table for people: check, target, result, time, detail; failures are easy to spot. */
export function formatTable(result: VerificationResult, detailWidth = 100): string {
  const rows = result.checks.map((c) => [c.name, c.target, c.result === "pass" ? "pass" : "FAIL", formatMs(c.ms), truncate(c.detail, detailWidth)]);
  const header = ["CHECK", "TARGET", "RESULT", "TIME", "DETAIL"];
  return [...tableLines([header, ...rows], { trimEnd: true }), "", summaryLine(result)].join("\n");
}

export function summaryLine(result: VerificationResult): string {
  const failed = result.checks.filter((c) => c.result === "fail");
  const passed = result.checks.length - failed.length;
  const verdict = result.passed ? "PASS" : "FAIL";
  const which = failed.length > 0 ? `: ${failed.slice(0, 5).map((c) => `${c.name} ${c.target}`).join(", ")}${failed.length > 5 ? ", …" : ""}` : "";
  return `${verdict} ${result.stack}: ${passed} passed, ${failed.length} failed${which} (${formatMs(result.ms)})`;
}

export function progressLine(c: CheckResult, done: number, total: number): string {
  return `[${done}/${total}] ${c.result === "pass" ? "pass" : "FAIL"} ${c.name} ${c.target} (${formatMs(c.ms)})`;
}
