import type { DrillReport } from "./report";

/** Text and attribute values are escaped: step names and stack names come from config. */
export const escapeXml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

const LABEL_W = 230;
const CHART_W = 640;
const ROW_H = 24;
const TOP = 56;
const BOTTOM = 56;

function tickStep(max: number): number {
  for (const s of [1, 2, 5, 10, 15, 30, 60, 120]) if (max / s <= 12) return s;
  return Math.ceil(max / 12);
}

/**
 * timeline.svg: a Gantt of the plan steps, the estimate (hollow) above what was measured (solid),
 * the critical path in red, and the RTO objective and the measured RTO as vertical lines.
 */
export function timelineSvg(r: DrillReport): string {
  const measuredEnd = Math.max(0, ...r.steps.map((s) => s.measured?.finishMinute ?? s.measured?.startMinute ?? 0));
  const span = Math.max(1, r.rto.estimatedMinutes, r.rto.objectiveMinutes, r.rto.measuredMinutes ?? 0, measuredEnd);
  const x = (minute: number) => LABEL_W + (minute / span) * CHART_W;
  const height = TOP + r.steps.length * ROW_H + BOTTOM;
  const width = LABEL_W + CHART_W + 30;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(`DR drill ${r.stack} ${r.startedAt}: ${r.outcome}`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(`DR drill: ${r.stack}, ${r.startedAt} (${r.outcome}${r.rehearsal ? ", rehearsal with the fake engine" : ""})`)}</text>`,
    `<text x="10" y="38">${escapeXml(`minutes from the start of up; hollow = estimate, solid = measured, red = critical path; RTO objective ${r.rto.objectiveMinutes} min, measured ${r.rto.measuredMinutes ?? "not measured"}`)}</text>`,
  );
  const tick = tickStep(span);
  for (let m = 0; m <= span + 1e-9; m += tick) {
    parts.push(
      `<line x1="${x(m).toFixed(1)}" y1="${TOP - 4}" x2="${x(m).toFixed(1)}" y2="${TOP + r.steps.length * ROW_H}" stroke="#e5e5e5"/>`,
      `<text x="${x(m).toFixed(1)}" y="${TOP + r.steps.length * ROW_H + 14}" text-anchor="middle" fill="#555">${m}</text>`,
    );
  }
  r.steps.forEach((s, i) => {
    const y = TOP + i * ROW_H;
    const colour = s.critical ? "#d62728" : "#1f77b4";
    const measured = s.measured;
    const tip = `${s.id}: estimate ${s.estimate.startMinute}→${s.estimate.finishMinute} min; measured ${measured ? `${measured.startMinute}→${measured.finishMinute ?? "unfinished"} min` : "not run"}; ${s.status}${s.critical ? "; critical path" : ""}`;
    parts.push(`<g data-step="${escapeXml(s.id)}"${s.critical ? ' class="critical"' : ""}>`, `<title>${escapeXml(tip)}</title>`);
    if (s.critical) parts.push(`<rect x="0" y="${y}" width="${width}" height="${ROW_H}" fill="#fdecea"/>`);
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end"${s.critical ? ' font-weight="bold" fill="#a40000"' : ""}>${escapeXml(s.id)}</text>`,
      `<rect x="${x(s.estimate.startMinute).toFixed(1)}" y="${y + 3}" width="${Math.max(1, x(s.estimate.finishMinute) - x(s.estimate.startMinute)).toFixed(1)}" height="8" fill="none" stroke="${colour}"/>`,
    );
    if (measured) {
      const end = measured.finishMinute ?? measuredEnd;
      const fill = s.status === "failed" ? "#7f0000" : s.status === "unfinished" ? "#999999" : colour;
      parts.push(`<rect x="${x(measured.startMinute).toFixed(1)}" y="${y + 12}" width="${Math.max(1, x(end) - x(measured.startMinute)).toFixed(1)}" height="8" fill="${fill}"/>`);
    }
    parts.push("</g>");
  });
  const bottom = TOP + r.steps.length * ROW_H;
  parts.push(
    `<line x1="${x(r.rto.objectiveMinutes).toFixed(1)}" y1="${TOP - 8}" x2="${x(r.rto.objectiveMinutes).toFixed(1)}" y2="${bottom}" stroke="#d62728" stroke-dasharray="4 3"/>`,
    `<text x="${x(r.rto.objectiveMinutes).toFixed(1)}" y="${bottom + 30}" text-anchor="middle" fill="#d62728">RTO objective</text>`,
  );
  if (r.rto.measuredMinutes !== null)
    parts.push(
      `<line x1="${x(r.rto.measuredMinutes).toFixed(1)}" y1="${TOP - 8}" x2="${x(r.rto.measuredMinutes).toFixed(1)}" y2="${bottom}" stroke="#2ca02c" stroke-width="2"/>`,
      `<text x="${x(r.rto.measuredMinutes).toFixed(1)}" y="${bottom + 44}" text-anchor="middle" fill="#2ca02c">measured RTO</text>`,
    );
  parts.push("</svg>", "");
  return parts.join("\n");
}
