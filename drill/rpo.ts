import type { RecoveryConfig } from "../stacks";
import { round, verdict, type DatabaseRpo, type DrillReport, MINUTE_MS } from "./report";

/**
 * The restore point each database actually reached, read from the stack outputs. The program
 * exports it as `restorePoints: { <database>: ISO time }` (or `databases.<name>.restorePoint`);
 * both shapes are read so the drill does not care which the components settle on.
 */
export function restorePointsFrom(outputs: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const dbs = outputs?.databases;
  if (isObject(dbs))
    for (const [name, db] of Object.entries(dbs)) if (isObject(db) && typeof db.restorePoint === "string") out[name] = db.restorePoint;
  const points = outputs?.restorePoints;
  if (isObject(points)) for (const [name, at] of Object.entries(points)) if (typeof at === "string") out[name] = at;
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
