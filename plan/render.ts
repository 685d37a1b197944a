import type { DatabaseRestorePlan, EstimateSource, RecoveryPlan } from "./types";
import { tableLines, type TableColumn } from "../scripts/lib/table";

const BAR_WIDTH = 32;

/** The table's `from` column: where each estimate comes from (the legend under the table says more). */
const FROM_WORD: Record<EstimateSource["from"], string> = { "seed-004": "seed 004", default: "default", inventory: "inventory", item: "item" };
const FROM_WIDTH = Math.max(...Object.values(FROM_WORD).map((w) => w.length));

/**
 * step, est, from, start, end, tier, timeline, waits for: minutes right-aligned and at least four
 * wide (`30m`, `end` of `5`), the source as wide as its longest word, the bar its full width.
 */
const PLAN_COLUMNS: readonly TableColumn[] = [
  {},
  { align: "right", minWidth: 4 },
  { minWidth: FROM_WIDTH },
  { align: "right" },
  { align: "right", minWidth: 4 },
  {},
  { minWidth: BAR_WIDTH },
];

/** Where the minutes come from and how to change them, under the table. */
export function estimateLegend(plan: RecoveryPlan): string[] {
  const inventory = `Pulumi.${plan.source}.yaml`;
  return [
    `estimates (from): seed 004 = the upper bound of the restore runbook's table (seed 004), default = this project's,`,
    `  inventory = ${inventory}'s recovery:estimates.<kind>, item = the item's own estimateMinutes;`,
    `  change a kind with recovery:estimates.<kind> in ${inventory} (e.g. recovery:estimates.pointInTime: 25), one item with its estimateMinutes`,
  ];
}

/** `point-in-time  latest restorable time of lomash-identity-prod, read when pulumi up creates it` */
function restoreText(r: DatabaseRestorePlan): string {
  switch (r.method) {
    case "point-in-time":
      return r.restorePoint === "latest"
        ? `latest restorable time of ${r.from}, read when pulumi up creates it`
        : `${r.restorePoint} (a point in time of ${r.from})`;
    case "snapshot":
      return r.restorePoint === "latest" ? `newest snapshot of ${r.from}, resolved once and kept` : `snapshot ${r.restorePoint} of ${r.from}`;
    case "logical":
      return `newest pg_dump under ${r.from}, its sha256 checked`;
  }
}

/** One line per database: how it is restored and to what point. */
export function databaseLines(plan: RecoveryPlan): string[] {
  const databases = plan.steps.flatMap((s) => (s.restore !== undefined ? [{ name: s.name, restore: s.restore }] : []));
  if (databases.length === 0) return [];
  return [
    "databases (restore method, restore point):",
    ...tableLines(
      databases.map((d) => [d.name, d.restore.method, restoreText(d.restore)]),
      { indent: "  " },
    ),
  ];
}

/** The one-line verdict: `estimated RTO 73 min (runbook order 331 min), objective 60 min: exceeds`. */
export function verdictLine(plan: RecoveryPlan): string {
  const word = plan.verdict === "within-objective" ? "within" : "exceeds";
  return `estimated RTO ${plan.estimatedRtoMinutes} min (runbook order ${plan.sequentialMinutes} min), objective ${plan.objective.rtoMinutes} min: ${word}`;
}

/** One line per tier: `  non-critical  5 steps, last done at 35 min (bucket:uploads), objective 1440 min: within`. */
export function tierLines(plan: RecoveryPlan): string[] {
  return tableLines(
    plan.tiers.map((t) => [
      t.tier,
      `${t.steps} step${t.steps === 1 ? "" : "s"}, restored by ${t.finishMinute} min (${t.lastStep}), objective ${t.rtoMinutes} min: ${t.verdict === "within-objective" ? "within" : "exceeds"}`,
    ]),
    { indent: "  " },
  );
}

/**
 * A table for people, in dependency order, with a bar per step on a shared time axis so the
 * parallel restores and the critical path (`*`) can be seen at a glance.
 */
export function renderPlan(plan: RecoveryPlan): string {
  const cluster = plan.steps.find((s) => s.kind === "cluster-config")?.id;
  const scale = plan.estimatedRtoMinutes > 0 ? BAR_WIDTH / plan.estimatedRtoMinutes : 0;
  const rows = plan.steps.map((s) => {
    const from = Math.round(s.startMinute * scale);
    const to = Math.max(from + 1, Math.round(s.finishMinute * scale));
    const bar = " ".repeat(from) + (s.critical ? "█" : "▒").repeat(to - from);
    const waits = s.dependsOn.filter((d) => d !== cluster);
    const waitText = s.dependsOn.length === 0 ? "-" : waits.length === 0 ? "(namespace)" : waits.join(", ");
    const source = s.estimateSource ? FROM_WORD[s.estimateSource.from] : "-";
    return [s.id, `${s.estimateMinutes}m`, source, String(s.startMinute), String(s.finishMinute), s.tier ?? "-", bar, waitText];
  });
  const table = tableLines([["step", "est", "from", "start", "end", "tier", "timeline", "waits for"], ...rows], { columns: PLAN_COLUMNS });
  // The first column marks the critical path; the header has none.
  const marks = ["  ", ...plan.steps.map((s) => (s.critical ? "* " : "  "))];
  const lines = [
    `Recovery plan for stack ${plan.stack} (${plan.mode}, restores ${plan.source}): ${plan.steps.length} steps`,
    "",
    ...table.map((line, i) => `${marks[i]}${line}`),
  ];
  lines.push(
    "",
    `* critical path: ${plan.criticalPath.join(" → ")}`,
    cluster ? `  every step in the cluster also waits for ${cluster} (the namespace)` : "",
    "",
    ...estimateLegend(plan),
    "",
    ...databaseLines(plan),
    "",
    verdictLine(plan),
    ...(plan.tiers.length > 0 ? ["RTO per tier (when the last of its items is restored; the services come after):", ...tierLines(plan)] : []),
  );
  return lines.filter((l, i, all) => !(l === "" && all[i - 1] === "")).join("\n");
}

/** The `--json` shape: exactly the fields users script against, nothing internal. */
export function planJson(plan: RecoveryPlan): object {
  return {
    stack: plan.stack,
    source: plan.source,
    mode: plan.mode,
    steps: plan.steps.map((s) => ({
      id: s.id,
      kind: s.kind,
      dependsOn: s.dependsOn,
      estimateMinutes: s.estimateMinutes,
      startMinute: s.startMinute,
      finishMinute: s.finishMinute,
      tier: s.tier ?? null,
      estimateSource: s.estimateSource ?? null,
      restore: s.restore ?? null,
    })),
    criticalPath: plan.criticalPath,
    estimatedRtoMinutes: plan.estimatedRtoMinutes,
    sequentialMinutes: plan.sequentialMinutes,
    objective: plan.objective,
    verdict: plan.verdict,
    tiers: plan.tiers,
  };
}
