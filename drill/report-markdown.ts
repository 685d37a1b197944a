import type { HistoryEntry } from "./history";
import type { DrillReport, Verdict } from "./report";
import { urnName } from "../components/names";

const cell = (v: unknown): string => String(v ?? "—").replace(/\|/g, "\\|").replace(/\n/g, " ");
const table = (head: string[], rows: unknown[][]): string =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
const min = (n: number | null | undefined): string => {
  if (n === null || n === undefined) return "—";
  // short rehearsals: minutes alone would read 0.04
  return n > 0 && n < 1 ? `${n} min (${Math.round(n * 60)} s)` : `${n} min`;
};
const VERDICT: Record<Verdict, string> = { "within-objective": "within objective", "exceeds-objective": "**exceeds objective**", "not-measured": "not measured" };
const TREND_ROWS = 12;

/** report.md: what an auditor reads. Numbers come from report.json, nothing is recomputed here. */
export function reportMarkdown(r: DrillReport, history: readonly HistoryEntry[]): string {
  const out: string[] = [];
  out.push(`# DR drill: ${r.stack}, ${r.startedAt}: ${r.outcome === "passed" ? "PASSED" : "FAILED"}`, "");
  if (r.rehearsal)
    out.push(`> **Rehearsal, ${r.engineNote ?? "fake engine: nothing real was created"}.** No Pulumi stack was deployed: the times below are not a production RTO.`, "");
  if (r.kept) out.push(`> **Kept with \`--keep\` (debugging): the drill stack was NOT destroyed.** Not a complete drill. Remove it with \`${r.destroy.command}\`.`, "");
  const strayCount = r.destroy.strays?.instances.length ?? 0;
  if (r.destroy.status === "failed" && (r.destroy.leftovers.length > 0 || strayCount === 0))
    out.push(`> **DESTROY FAILED: ${r.destroy.leftovers.length} resources are left behind.** Remove them with \`${r.destroy.command}\`.`, "");
  if (strayCount > 0) out.push(`> **${strayCount} RDS instances this drill created are outside its state**, so destroy could not remove them: see Destroy for the command that removes each.`, "");
  if (r.interrupted) out.push(`> Interrupted by ${r.interrupted}; the up was cancelled and the stack destroyed (see Destroy).`, "");
  const checks = r.verification?.checks ?? [];
  out.push(
    table(
      ["", "measured", "objective", "estimate", "verdict"],
      [
        ["RTO (start of up → verification passed)", min(r.rto.measuredMinutes), min(r.rto.objectiveMinutes), min(r.rto.estimatedMinutes), VERDICT[r.rto.verdict]],
        [`RPO (failure time ${r.rpo.failureTime} − restore point)`, min(r.rpo.achievedMinutes), min(r.rpo.objectiveMinutes), "—", VERDICT[r.rpo.verdict]],
      ],
    ),
    "",
    `Engine: ${r.engine}${r.rehearsal ? " (rehearsal)" : ""}. Finished ${r.finishedAt}. Verification: ${checks.filter((c) => c.result === "pass").length}/${checks.length} checks passed. Destroy: ${r.destroy.status}.`,
    "",
    "## Phases",
    "",
    table(["phase", "status", "started", "seconds", "detail"], r.phases.map((p) => [p.name, p.status, p.startedAt, p.seconds, p.detail])),
    "",
    "## Preflight",
    "",
    table(["check", "result", "detail"], r.preflight.map((c) => [c.name, c.result, c.detail])),
    "",
    ...readinessSection(r),
    "## Steps: estimated vs measured",
    "",
    "Minutes from the start of `up`. ★ marks the critical path. ![timeline](timeline.svg)",
    "",
    table(
      ["step", "estimate (start → finish)", "measured (start → finish)", "estimated min", "measured min", "status"],
      r.steps.map((s) => [
        `${s.critical ? "★ " : ""}${s.id}`,
        `${s.estimate.startMinute} → ${s.estimate.finishMinute}`,
        s.measured ? `${s.measured.startMinute} → ${s.measured.finishMinute ?? "…"}` : "—",
        s.estimate.minutes,
        s.measured?.minutes ?? "—",
        s.status,
      ]),
    ),
    "",
    "## RPO per database",
    "",
    table(["database", "restore point reached", "data lost (min)"], r.rpo.databases.map((d) => [d.name, d.restorePoint ?? "not reported", d.achievedMinutes ?? "—"])),
    "",
    "## Verification",
    "",
    checks.length === 0 ? "Not run." : table(["check", "target", "result", "ms", "detail"], checks.map((c) => [c.name, c.target, c.result, c.ms, c.detail])),
    "",
    "## Destroy",
    "",
    `Status: **${r.destroy.status}**.${r.destroy.error ? ` Error: ${r.destroy.error}.` : ""}`,
    "",
  );
  if (r.destroy.leftovers.length > 0)
    out.push("Left behind (remove with `" + r.destroy.command + "`):", "", table(["type", "urn", "id"], r.destroy.leftovers.map((x) => [x.type, x.urn, x.id])), "");
  const strays = r.destroy.strays;
  if (strays && strays.instances.length > 0)
    out.push(
      `**${strays.instances.length} RDS instances this drill created are not in its state** (found by their tags after the destroy; a create that timed out leaves one). Remove each:`,
      "",
      table(["instance", "status", "command"], strays.instances.map((x) => [x.identifier, x.status ?? "unknown", `\`${x.command}\``])),
      "",
    );
  if (strays?.error) out.push(`Could not look for RDS instances left outside the state: ${strays.error}.`, "");
  if (strays && strays.refused.length > 0) out.push(`Carry this drill's tags but are production names, so not listed for removal: ${strays.refused.join(", ")}.`, "");
  if (r.destroy.destroyed.length > 0)
    out.push(`Destroyed (${r.destroy.destroyed.length}; full URNs in report.json):`, "", table(["resource", "type"], r.destroy.destroyed.map((x) => [urnName(x.urn), x.type])), "");
  // Components are covered by the step table; these are the cloud resources themselves.
  const slowest = [...r.resources].filter((x) => x.seconds !== undefined && !x.type.startsWith("recovery:")).sort((a, b) => (b.seconds ?? 0) - (a.seconds ?? 0)).slice(0, 10);
  if (slowest.length > 0) out.push("## Slowest resources", "", table(["resource", "type", "step", "seconds"], slowest.map((x) => [urnName(x.urn), x.type, x.stepId, x.seconds])), "");
  // A real drill's trend is for auditors: rehearsals (--engine fake, minutes that mean nothing) are left out of it.
  const trend = r.rehearsal ? history : history.filter((h) => h.engine !== "fake");
  const rehearsals = history.length - trend.length;
  out.push(
    "## Trend: past drills",
    "",
    ...(rehearsals > 0 ? [`(${rehearsals} rehearsal${rehearsals === 1 ? "" : "s"} with --engine fake left out)`, ""] : []),
    table(
      ["started", "stack", "engine", "outcome", "RTO (objective)", "RPO (objective)", "estimate", "checks", "destroy"],
      trend.slice(-TREND_ROWS).map((h) => [h.at, h.stack, h.engine, h.outcome, `${min(h.rtoMinutes)} (${h.rtoObjectiveMinutes})`, `${min(h.rpoMinutes)} (${h.rpoObjectiveMinutes})`, min(h.estimatedRtoMinutes), h.checks, h.destroy]),
    ),
    "",
  );
  if (r.errors.length > 0) out.push("## Errors", "", ...r.errors.map((e) => `- ${e}`), "");
  return out.join("\n");
}

const READINESS: Record<DrillReport["readiness"]["status"], string> = {
  ready: "ready",
  "not-ready": "**NOT READY** (recorded; a not-ready readiness does not stop a drill)",
  skipped: "",
  error: "**unknown**",
};

/** What the drill assumed about production: each item's restore source and restore point as readiness read them. */
function readinessSection(r: DrillReport): string[] {
  const { status, detail, report } = r.readiness;
  const out = ["## What the drill assumed (readiness)", "", `Readiness of \`${r.stack}\`: ${READINESS[status] ? `${READINESS[status]}: ` : ""}${detail}.`, ""];
  if (report === undefined) return out;
  out.push(
    table(
      ["item", "restored from", "restore point", "RPO now / objective", "status"],
      report.items.map((i) => [`${i.kind}:${i.name}`, i.restoredFrom, i.restorePoint ?? "—", `${min(i.achievableRpoMinutes)} / ${min(i.objective.rpoMinutes)} (${i.objective.tier})`, i.status]),
    ),
    "",
  );
  if (report.uncovered.length > 0) out.push(`Not in the inventory: ${report.uncovered.map((u) => `${u.kind} \`${u.id}\``).join(", ")}.`, "");
  return out;
}
