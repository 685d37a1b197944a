import type { RecoveryConfig } from "../stacks";
import { runReadiness, type ReadinessOptions } from "./run";
import type { ReadinessReport } from "./types";

/**
 * Readiness as one of the drill's preflight checks (the shape of drill/preflight.ts's
 * PreflightCheck), with the whole report for the drill report's "what the drill assumed".
 * Not ready is a warning, not a stop: a drill is how a team finds out what a failing item means.
 */
export async function readinessPreflight(
  config: RecoveryConfig,
  options: Omit<ReadinessOptions, "config"> = {},
): Promise<{ name: "readiness"; result: "pass" | "warn"; detail: string; report: ReadinessReport }> {
  const { report } = await runReadiness({ ...options, config });
  const s = report.summary;
  const detail = `${s.ok} ok, ${s.warn} warn, ${s.fail} fail, ${s.unchecked} not checked, ${s.uncovered} uncovered${
    report.ready ? "" : `: ${[...report.items.filter((i) => i.status === "fail").map((i) => `${i.kind}:${i.name}`), ...report.uncovered.map((u) => `${u.kind} ${u.id} not in the inventory`)].join(", ")}`
  }`;
  return { name: "readiness", result: report.ready ? "pass" : "warn", detail, report };
}
