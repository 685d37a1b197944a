import type { Problem } from "./problems";
import type { DatabaseConfiguration } from "./types";

type Monitoring = DatabaseConfiguration["monitoring"];
type PerformanceInsights = DatabaseConfiguration["performanceInsights"];

/**
 * What the schema alone cannot see in a database's recorded configuration: the fields RDS only
 * accepts together. ModifyDBInstance refuses an interval without a role (and a role without an
 * interval), and Performance Insights settings without Performance Insights; refused here, before
 * a restore that would otherwise fail after its instance already exists.
 */
export function monitoringProblems(monitoring: Monitoring): Problem[] {
  if (monitoring === undefined) return [];
  if (monitoring.intervalSeconds > 0 && monitoring.roleArn === undefined)
    return [
      {
        path: ["monitoring", "roleArn"],
        message: `enhanced monitoring every ${monitoring.intervalSeconds} s needs the role RDS publishes the metrics with; add roleArn (\`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].MonitoringRoleArn'\` prints the source's), or set intervalSeconds: 0 to turn monitoring off`,
      },
    ];
  if (monitoring.intervalSeconds === 0 && monitoring.roleArn !== undefined)
    return [{ path: ["monitoring", "roleArn"], message: "intervalSeconds is 0 (monitoring off), so a role is not used; remove roleArn or give an interval (1, 5, 10, 15, 30 or 60)" }];
  return [];
}

export function performanceInsightsProblems(pi: PerformanceInsights): Problem[] {
  if (pi === undefined || pi.enabled) return [];
  return (["retentionDays", "kmsKeyId"] as const)
    .filter((k) => pi[k] !== undefined)
    .map((k) => ({
      path: ["performanceInsights", k],
      message: `Performance Insights is off (enabled: false), so ${k} is not used; remove it or set enabled: true`,
    }));
}

export function logExportProblems(exports: readonly string[] | undefined): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  (exports ?? []).forEach((e, i) => {
    if (seen.has(e)) problems.push({ path: ["logExports", i], message: `"${e}" is listed twice; list each log type once` });
    seen.add(e);
  });
  return problems;
}

/** Every problem of one recorded configuration (the inventory's, a restore stack's override, a component's), paths from the database entry. */
export function databaseConfigurationProblems(
  c: { readonly monitoring?: Monitoring; readonly performanceInsights?: PerformanceInsights; readonly logExports?: readonly string[] },
): Problem[] {
  return [...monitoringProblems(c.monitoring), ...performanceInsightsProblems(c.performanceInsights), ...logExportProblems(c.logExports)];
}
