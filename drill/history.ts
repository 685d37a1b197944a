import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { DrillReport } from "./report";

/** One line of reports/drills/history.jsonl: a drill in a sentence of numbers, for the trend table. */
export interface HistoryEntry {
  readonly at: string;
  readonly stack: string;
  readonly engine: DrillReport["engine"];
  readonly outcome: DrillReport["outcome"];
  readonly rtoMinutes: number | null;
  readonly rtoObjectiveMinutes: number;
  readonly estimatedRtoMinutes: number;
  readonly rpoMinutes: number | null;
  readonly rpoObjectiveMinutes: number;
  /** `passed/total` verification checks. */
  readonly checks: string;
  readonly destroy: DrillReport["destroy"]["status"];
  /** The report's folder name under the reports dir. */
  readonly report: string;
}

export const HISTORY_FILE = "history.jsonl";

export function historyEntry(report: DrillReport, reportDir: string): HistoryEntry {
  const checks = report.verification?.checks ?? [];
  return {
    at: report.startedAt,
    stack: report.stack,
    engine: report.engine,
    outcome: report.outcome,
    rtoMinutes: report.rto.measuredMinutes,
    rtoObjectiveMinutes: report.rto.objectiveMinutes,
    estimatedRtoMinutes: report.rto.estimatedMinutes,
    rpoMinutes: report.rpo.achievedMinutes,
    rpoObjectiveMinutes: report.rpo.objectiveMinutes,
    checks: `${checks.filter((c) => c.result === "pass").length}/${checks.length}`,
    destroy: report.destroy.status,
    report: reportDir ? basename(reportDir) : "",
  };
}

/** Past drills, oldest first. A damaged line is skipped, never fatal: the history is a record, not an input. */
export function readHistory(reportsDir: string): HistoryEntry[] {
  const file = join(reportsDir, HISTORY_FILE);
  if (!existsSync(file)) return [];
  const out: HistoryEntry[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as HistoryEntry;
      if (typeof entry.at === "string" && typeof entry.stack === "string") out.push(entry);
    } catch {
      // skipped: a partial line from an interrupted write
    }
  }
  return out;
}

export function appendHistory(reportsDir: string, entry: HistoryEntry): void {
  mkdirSync(reportsDir, { recursive: true });
  appendFileSync(join(reportsDir, HISTORY_FILE), `${JSON.stringify(entry)}\n`);
}
