import { durationMs } from "../../scripts/lib/duration";
import { identifierProblems } from "../checks/database";
import { restoreTimeProblems } from "../checks/restore-time";
import { databaseConfigurationProblems } from "../database-configuration";
import { under, type Problem } from "../problems";
import type { Inventory } from "../schema";
import type { DatabaseRestore } from "../types";
import { blameSuffixUnlessGiven, type ResolveContext, type Resolved } from "./context";

/** One database of the inventory as the restore stack restores it, with its overrides checked. */
export function resolveDatabase(source: Inventory["databases"][number], ctx: ResolveContext): Resolved<DatabaseRestore> {
  const { stack, suffix, estimates } = ctx;
  const o = stack.databases[source.name] ?? {};
  const path = ["databases", source.name];
  const problems: Problem[] = [];
  const method = o.method ?? (o.snapshot !== undefined ? "snapshot" : "point-in-time");
  const identifier = o.identifier ?? `${source.identifier}-${suffix}`;
  const naming = identifierProblems(identifier, {
    sourceIdentifier: source.identifier,
    sourceNames: ctx.sourceNames,
    suggestion: `${source.identifier}-${suffix}`,
  });
  problems.push(...blameSuffixUnlessGiven(under(path, naming), o.identifier !== undefined));
  if (o.time !== undefined && method !== "point-in-time")
    problems.push({ path: [...path, "time"], message: `a time only applies to method point-in-time (this database uses ${method}); remove it or set method: point-in-time` });
  if (o.snapshot !== undefined && method !== "snapshot")
    problems.push({ path: [...path, "snapshot"], message: `a snapshot only applies to method snapshot (this database uses ${method}); remove it or set method: snapshot` });
  if (method === "point-in-time" && o.time !== undefined)
    problems.push(...under([...path, "time"], restoreTimeProblems(o.time, { retentionDays: source.backupRetentionDays, now: ctx.now })));
  if (o.restoreRun !== undefined && method !== "logical")
    problems.push({ path: [...path, "restoreRun"], message: `restoreRun re-runs a pg_dump restore Job and only applies to method logical (this database uses ${method}); remove it` });
  problems.push(...under(path, databaseConfigurationProblems(o)));
  const estimateKind = method === "point-in-time" ? "pointInTime" : method;
  const value: DatabaseRestore = {
    name: source.name,
    source,
    identifier,
    method,
    restoreTime: o.time ?? stack.restorePoint,
    snapshot: o.snapshot ?? "latest",
    instanceClass: o.instanceClass ?? source.instanceClass,
    multiAz: o.multiAz ?? source.multiAz,
    // A restore keeps the source's master password, which this project does not hold: without a
    // new one, DATABASE_URL has no password and no service can log in.
    rotatePassword: o.rotatePassword ?? true,
    estimateMinutes: source.estimateMinutes ?? estimates[estimateKind],
    restoreRun: o.restoreRun,
    configuration: {
      parameterGroup: o.parameterGroup ?? source.parameterGroup,
      optionGroup: o.optionGroup ?? source.optionGroup,
      caCertificateIdentifier: source.caCertificateIdentifier,
      logExports: source.logExports ?? [],
      monitoring: o.monitoring ?? source.monitoring,
      performanceInsights: o.performanceInsights ?? source.performanceInsights,
      iamAuth: source.iamAuth ?? false,
    },
  };
  return { value, problems };
}

/** A create timeout shorter than a restore's own estimate fails the restore it waits for. */
export function createTimeoutProblems(create: string | undefined, databases: readonly DatabaseRestore[]): Problem[] {
  if (create === undefined || databases.length === 0) return [];
  const minutes = (durationMs(create) ?? 0) / 60_000;
  const slowest = [...databases].sort((a, b) => b.estimateMinutes - a.estimateMinutes)[0];
  if (minutes >= slowest.estimateMinutes) return [];
  return [
    {
      path: ["timeouts", "database", "create"],
      message: `${create} is shorter than database "${slowest.name}"'s ${slowest.estimateMinutes}-minute estimate; a create that times out leaves the instance in AWS but not in state, so give it the estimate with margin (the default is 4h)`,
    },
  ];
}
