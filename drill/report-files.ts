import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HistoryEntry } from "./history";
import type { DrillReport } from "./report";
import { reportMarkdown } from "./report-markdown";
import { timelineSvg } from "./report-svg";

/** `2026-11-25T02:04:47.123Z` → `2026-11-25T02-04-47Z`: sortable, and safe in every file system. */
export const folderTimestamp = (iso: string): string => iso.replace(/\.\d+Z$/, "Z").replace(/:/g, "-");

/** Writes `<reportsDir>/<stack>-<timestamp>/{report.json,report.md,timeline.svg}`; returns the folder. */
export function writeReport(reportsDir: string, report: DrillReport, history: readonly HistoryEntry[]): string {
  const base = join(reportsDir, `${report.stack}-${folderTimestamp(report.startedAt)}`);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, "report.md"), reportMarkdown(report, history));
  writeFileSync(join(dir, "timeline.svg"), timelineSvg(report));
  return dir;
}
