import type { ReadinessItem, ReadinessReport } from "./types";
import { tableLines } from "../scripts/lib/table";

const rpoCell = (i: ReadinessItem) =>
  `${i.achievableRpoMinutes === null ? "—" : `${i.achievableRpoMinutes} min`} / ${i.objective.rpoMinutes} min (${i.objective.tier})`;

function headline(r: ReadinessReport): string {
  const s = r.summary;
  const counts = `${s.ok} ok, ${s.warn} warn, ${s.fail} fail${s.unchecked ? ` (${s.unchecked} not checked)` : ""}, ${s.uncovered} uncovered`;
  return `${r.ready ? "READY" : "NOT READY"}: ${counts}`;
}

/** The short table for people: one line per item, then what to do, then what is not covered. */
export function renderTable(r: ReadinessReport): string {
  const lines = [`readiness of ${r.stack} (restores ${r.source}, ${r.region}) at ${r.checkedAt}: ${headline(r)}`, ""];
  lines.push(...tableLines([["ITEM", "RESTORED FROM", "RPO NOW / OBJECTIVE", "STATUS"], ...r.items.map((i) => [`${i.kind}:${i.name}`, i.restoredFrom, rpoCell(i), i.status])]));
  const todo = r.items.filter((i) => i.problems.length > 0);
  if (todo.length > 0) {
    lines.push("", "what to do:");
    for (const i of todo) lines.push(`  ${i.kind}:${i.name} (${i.status})`, ...i.problems.map((p) => `    - ${p}`));
  }
  if (r.uncovered.length > 0) {
    lines.push("", "in the account but not in the inventory (npm run readiness -- --suggest prints their inventory entries):");
    for (const u of r.uncovered) lines.push(`  ${u.kind} ${u.id} (${u.region})`);
  }
  for (const p of r.coverageProblems) lines.push(`  ${p}`);
  return lines.join("\n");
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The same report for a pull request or a chat message. */
export function renderMarkdown(r: ReadinessReport): string {
  const lines = [
    `### Readiness of \`${r.stack}\`: ${r.ready ? "✅" : "❌"} ${headline(r)}`,
    "",
    `Restores \`${r.source}\` in ${r.region}, checked ${r.checkedAt}.`,
    "",
    "| item | restored from | RPO now / objective | status | what to do |",
    "|---|---|---|---|---|",
    ...r.items.map((i) => `| \`${i.kind}:${i.name}\` | ${cell(i.restoredFrom)} | ${cell(rpoCell(i))} | ${i.status} | ${cell(i.problems.join(" · ") || "—")} |`),
  ];
  if (r.uncovered.length > 0 || r.coverageProblems.length > 0) {
    lines.push("", "**Not in the inventory** (`npm run readiness -- --suggest` prints their entries):", "");
    for (const u of r.uncovered) lines.push(`- ${u.kind} \`${u.id}\` (${u.region})`);
    for (const p of r.coverageProblems) lines.push(`- ${cell(p)}`);
  }
  return lines.join("\n");
}
