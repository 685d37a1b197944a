import type { RecoveryConfig } from "../stacks";
import { stackOutputsSchema } from "../stacks/outputs";
import { round, verdict, type DatabaseRpo, type DrillReport, MINUTE_MS } from "./report";

/**
 * The restore point each database actually reached, as the stack outputs contract carries it
 * (`databases.<name>.restorePoint`, stacks/outputs.ts). Outputs that do not follow the contract
 * report no restore point: the RPO is then "not measured", never guessed.
 */
export function restorePointsFrom(outputs: Record<string, unknown> | undefined): Record<string, string> {
  const parsed = stackOutputsSchema.safeParse(outputs);
  if (!parsed.success) return {};
  const out: Record<string, string> = {};
  for (const [name, db] of Object.entries(parsed.data.databases)) if (db.restorePoint !== undefined) out[name] = db.restorePoint;
  return out;
}

/** Achieved RPO: the simulated failure time minus the restore point reached, worst database first. */
export function measureRpo(config: RecoveryConfig, failureTime: Date, points: Record<string, string>): DrillReport["rpo"] {
  const databases: DatabaseRpo[] = config.databases.map((d) => {
    const at = points[d.name] === undefined ? NaN : Date.parse(points[d.name]);
    if (Number.isNaN(at)) return { name: d.name, restorePoint: null, achievedMinutes: null };
    return { name: d.name, restorePoint: new Date(at).toISOString(), achievedMinutes: round(Math.max(0, failureTime.getTime() - at) / MINUTE_MS, 2) };
  });
  const measured = databases.map((d) => d.achievedMinutes);
  // One database without a restore point means the RPO was not measured for the whole environment.
  const achieved = measured.length > 0 && measured.every((m) => m !== null) ? Math.max(...(measured as number[])) : null;
  return {
    objectiveMinutes: config.objectives.rpoMinutes,
    failureTime: failureTime.toISOString(),
    databases,
    achievedMinutes: achieved,
    verdict: verdict(achieved, config.objectives.rpoMinutes),
  };
}
