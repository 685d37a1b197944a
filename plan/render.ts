import type { RecoveryPlan } from "./types";

const BAR_WIDTH = 32;

/** The one-line verdict: `estimated RTO 73 min (runbook order 331 min), objective 60 min: exceeds`. */
export function verdictLine(plan: RecoveryPlan): string {
  const word = plan.verdict === "within-objective" ? "within" : "exceeds";
  return `estimated RTO ${plan.estimatedRtoMinutes} min (runbook order ${plan.sequentialMinutes} min), objective ${plan.objective.rtoMinutes} min: ${word}`;
}

/** One line per tier: `  non-critical  5 steps, last done at 35 min (bucket:uploads), objective 1440 min: within`. */
export function tierLines(plan: RecoveryPlan): string[] {
  const width = Math.max(0, ...plan.tiers.map((t) => t.tier.length));
  return plan.tiers.map(
    (t) =>
      `  ${t.tier.padEnd(width)}  ${t.steps} step${t.steps === 1 ? "" : "s"}, restored by ${t.finishMinute} min (${t.lastStep}), objective ${t.rtoMinutes} min: ${t.verdict === "within-objective" ? "within" : "exceeds"}`,
  );
}

/**
 * A table for people, in dependency order, with a bar per step on a shared time axis so the
 * parallel restores and the critical path (`*`) can be seen at a glance.
 */
export function renderPlan(plan: RecoveryPlan): string {
  const cluster = plan.steps.find((s) => s.kind === "cluster-config")?.id;
  const scale = plan.estimatedRtoMinutes > 0 ? BAR_WIDTH / plan.estimatedRtoMinutes : 0;
  const idWidth = Math.max(4, ...plan.steps.map((s) => s.id.length));
  const tierWidth = Math.max(4, ...plan.steps.map((s) => s.tier?.length ?? 0));
  const lines = [
    `Recovery plan for stack ${plan.stack} (${plan.mode}, restores ${plan.source}): ${plan.steps.length} steps`,
    "",
    `  ${"step".padEnd(idWidth)}  ${"est".padStart(4)}  ${"start".padStart(5)}  ${"end".padStart(4)}  ${"tier".padEnd(tierWidth)}  ${"timeline".padEnd(BAR_WIDTH)}  waits for`,
  ];
  for (const s of plan.steps) {
    const from = Math.round(s.startMinute * scale);
    const to = Math.max(from + 1, Math.round(s.finishMinute * scale));
    const bar = " ".repeat(from) + (s.critical ? "█" : "▒").repeat(to - from);
    const waits = s.dependsOn.filter((d) => d !== cluster);
    const waitText = s.dependsOn.length === 0 ? "-" : waits.length === 0 ? "(namespace)" : waits.join(", ");
    lines.push(
      `${s.critical ? "*" : " "} ${s.id.padEnd(idWidth)}  ${`${s.estimateMinutes}m`.padStart(4)}  ${String(s.startMinute).padStart(5)}  ${String(s.finishMinute).padStart(4)}  ${(s.tier ?? "-").padEnd(tierWidth)}  ${bar.padEnd(BAR_WIDTH)}  ${waitText}`,
    );
  }
  lines.push(
    "",
    `* critical path: ${plan.criticalPath.join(" → ")}`,
    cluster ? `  every step in the cluster also waits for ${cluster} (the namespace)` : "",
    ...plan.steps.filter((s) => s.estimateSource !== undefined).map((s) => `  ${s.id} ${s.estimateMinutes}m: ${s.estimateSource}`),
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
    })),
    criticalPath: plan.criticalPath,
    estimatedRtoMinutes: plan.estimatedRtoMinutes,
    sequentialMinutes: plan.sequentialMinutes,
    objective: plan.objective,
    verdict: plan.verdict,
    tiers: plan.tiers,
  };
}
