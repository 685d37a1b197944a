import type { RecoveryConfig } from "../stacks";
import type { Finding, ItemKind, ItemResult, Objective, ReadinessItem, ReadinessReport, Status, Uncovered } from "./types";

/** The objectives an item is judged against: its tier's, or the inventory's own without a tier. */
export function objectiveFor(config: RecoveryConfig, tier: string | undefined): Objective {
  if (tier === undefined) return { tier: "stack", ...config.objectives };
  // The loader refuses an unknown tier, so this always finds one.
  const t = config.tiers[tier];
  return { tier, rpoMinutes: t.rpoMinutes, rtoMinutes: t.rtoMinutes };
}

export function minutesBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 60_000));
}

/** Joins what a check found with its objective: the RPO judged, the worst finding the status. */
export function judge(kind: ItemKind, name: string, id: string, objective: Objective, result: ItemResult): ReadinessItem {
  const findings: Finding[] = [...result.findings];
  const rpo = result.achievableRpoMinutes;
  if (rpo !== null && !result.rpoNotJudged && rpo > objective.rpoMinutes)
    findings.push({
      level: "fail",
      message: `achievable RPO ${rpo} min exceeds the ${objective.tier === "stack" ? "stack's" : `${objective.tier} tier's`} ${objective.rpoMinutes} min; ${result.rpoFix ?? "fix the backups"}`,
    });
  const status: Status = findings.some((f) => f.level === "fail") ? "fail" : findings.length > 0 ? "warn" : "ok";
  return {
    kind,
    name,
    id,
    status,
    objective,
    achievableRpoMinutes: rpo,
    restorePoint: result.restorePoint,
    restoredFrom: result.restoredFrom,
    problems: findings.map((f) => f.message),
    notes: [...result.notes],
    checked: !findings.some((f) => f.level === "unknown"),
  };
}

/**
 * The verdict: ready when no item fails, nothing that decides it went unanswered, and the inventory
 * covers everything the account has (`strict`: no warning either).
 */
export function summarize(
  base: { stack: string; source: string; region: string; checkedAt: string; durationMs: number },
  items: readonly ReadinessItem[],
  uncovered: readonly Uncovered[],
  coverageProblems: readonly string[],
  strict = false,
): ReadinessReport {
  const count = (s: Status) => items.filter((i) => i.status === s).length;
  const summary = {
    ok: count("ok"),
    warn: count("warn"),
    fail: count("fail"),
    unchecked: items.filter((i) => !i.checked).length,
    uncovered: uncovered.length,
  };
  const ready =
    summary.fail === 0 && summary.unchecked === 0 && summary.uncovered === 0 && coverageProblems.length === 0 && (!strict || summary.warn === 0);
  return { ...base, ready, items, uncovered, coverageProblems, summary };
}
