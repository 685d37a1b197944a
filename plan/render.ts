import type { RecoveryPlan } from "./types";

const BAR_WIDTH = 32;

/** The one-line verdict: `estimated RTO 73 min (runbook order 331 min), objective 60 min: exceeds`. */
export function verdictLine(plan: RecoveryPlan): string {
  const word = plan.verdict === "within-objective" ? "within" : "exceeds";
  return `estimated RTO ${plan.estimatedRtoMinutes} min (runbook order ${plan.sequentialMinutes} min), objective ${plan.objective.rtoMinutes} min: ${word}`;
}

/**
 * A table for people, in dependency order, with a bar per step on a shared time axis so the
 * parallel restores and the critical path (`*`) can be seen at a glance.
 */
export function renderPlan(plan: RecoveryPlan): string {
  const cluster = plan.steps.find((s) => s.kind === "cluster-config")?.id;
  const scale = plan.estimatedRtoMinutes > 0 ? BAR_WIDTH / plan.estimatedRtoMinutes : 0;
  const idWidth = Math.max(4, ...plan.steps.map((s) => s.id.length));
  const lines = [
    `Recovery plan for stack ${plan.stack} (${plan.mode}, restores ${plan.source}): ${plan.steps.length} steps`,
    "",
    `  ${"step".padEnd(idWidth)}  ${"est".padStart(4)}  ${"start".padStart(5)}  ${"end".padStart(4)}  ${"timeline".padEnd(BAR_WIDTH)}  waits for`,
  ];
  for (const s of plan.steps) {
    const from = Math.round(s.startMinute * scale);
    const to = Math.max(from + 1, Math.round(s.finishMinute * scale));
    const bar = " ".repeat(from) + (s.critical ? "█" : "▒").repeat(to - from);
    const waits = s.dependsOn.filter((d) => d !== cluster);
    const waitText = s.dependsOn.length === 0 ? "-" : waits.length === 0 ? "(namespace)" : waits.join(", ");
    lines.push(
      `${s.critical ? "*" : " "} ${s.id.padEnd(idWidth)}  ${`${s.estimateMinutes}m`.padStart(4)}  ${String(s.startMinute).padStart(5)}  ${String(s.finishMinute).padStart(4)}  ${bar.padEnd(BAR_WIDTH)}  ${waitText}`,
    );
  }
  lines.push(
    "",
    `* critical path: ${plan.criticalPath.join(" → ")}`,
    cluster ? `  every step in the cluster also waits for ${cluster} (the namespace)` : "",
    "",
    verdictLine(plan),
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
    })),
    criticalPath: plan.criticalPath,
    estimatedRtoMinutes: plan.estimatedRtoMinutes,
    sequentialMinutes: plan.sequentialMinutes,
    objective: plan.objective,
    verdict: plan.verdict,
  };
}
