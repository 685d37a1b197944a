import { DescribeDBParameterGroupsCommand, type DBInstance } from "@aws-sdk/client-rds";
import { RDS_CA_CERTIFICATES } from "../stacks/schema";
import type { DatabaseRestore } from "../stacks";
import { couldNotCheck, isNotFound } from "./aws";
import type { CheckContext } from "./context";
import type { Finding } from "./types";

/**
 * Drift between the configuration the inventory records for a database and what production has
 * now (issue 19): a parameter group changed last week and the inventory never learned it means
 * the next restore comes up configured like last month's production. Read from the source's
 * DescribeDBInstances answer; nothing is written.
 */
export interface ConfigurationDrift {
  readonly findings: readonly Finding[];
  readonly notes: readonly string[];
  /** The inventory fields as production has them now, for `--suggest`; empty when nothing drifted. */
  readonly fields: Readonly<Record<string, unknown>>;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
const show = (v: unknown): string => (v === undefined ? "none" : Array.isArray(v) ? (v.length === 0 ? "[]" : `[${v.join(", ")}]`) : String(v));

/** What production's instance says, in the inventory's terms; undefined where the endpoint did not say. */
export function recordedFrom(i: DBInstance): Record<string, unknown> {
  const group = i.DBParameterGroups?.[0]?.DBParameterGroupName;
  const option = i.OptionGroupMemberships?.[0]?.OptionGroupName;
  const interval = i.MonitoringInterval;
  return {
    // The engine's defaults are what a restore gets anyway; recording them would only pin a name.
    parameterGroup: group !== undefined && !group.startsWith("default.") ? group : undefined,
    optionGroup: option !== undefined && !option.startsWith("default:") ? option : undefined,
    caCertificateIdentifier: (RDS_CA_CERTIFICATES as readonly string[]).includes(i.CACertificateIdentifier ?? "") ? i.CACertificateIdentifier : undefined,
    logExports: i.EnabledCloudwatchLogsExports ?? [],
    iamAuth: i.IAMDatabaseAuthenticationEnabled,
    monitoring: interval === undefined ? undefined : interval === 0 ? { intervalSeconds: 0 } : { intervalSeconds: interval, roleArn: i.MonitoringRoleArn },
    performanceInsights:
      i.PerformanceInsightsEnabled === undefined
        ? undefined
        : i.PerformanceInsightsEnabled
          ? { enabled: true, retentionDays: i.PerformanceInsightsRetentionPeriod, kmsKeyId: i.PerformanceInsightsKMSKeyId }
          : { enabled: false },
  };
}

/** Compares the inventory's recorded configuration (the source's, before any restore-stack override) with production's. */
export function configurationDrift(db: DatabaseRestore, instance: DBInstance): ConfigurationDrift {
  const s = db.source;
  const id = s.identifier;
  const now = recordedFrom(instance);
  const findings: Finding[] = [];
  const fields: Record<string, unknown> = {};
  /** `theirs`/`ours` as a person reads them; `suggested` the inventory value --suggest prints. */
  const drift = (key: string, theirs: string, ours: string, consequence: string, suggested: unknown) => {
    fields[key] = suggested;
    findings.push({
      level: "warn",
      message: `${id} has ${key} ${theirs} now, the inventory records ${ours}, so a restore ${consequence}; update ${key} in the inventory (npm run readiness -- --suggest prints it)`,
    });
  };

  const group = instance.DBParameterGroups?.[0]?.DBParameterGroupName;
  if (group !== undefined && group !== s.parameterGroup && !(s.parameterGroup === undefined && group.startsWith("default.")))
    drift("parameterGroup", group, show(s.parameterGroup), `would attach ${s.parameterGroup ?? "the engine's default"} and miss production's settings`, group);
  const option = now.optionGroup as string | undefined;
  if (option !== undefined && option !== s.optionGroup) drift("optionGroup", option, show(s.optionGroup), "would get another option group", option);
  const ca = now.caCertificateIdentifier as string | undefined;
  if (ca !== undefined && s.caCertificateIdentifier !== undefined && ca !== s.caCertificateIdentifier)
    drift("caCertificateIdentifier", ca, s.caCertificateIdentifier, "would present a certificate from another CA than its clients trust", ca);
  const exports = now.logExports as string[];
  if (!sameSet(exports, s.logExports ?? [])) drift("logExports", show(exports), show(s.logExports ?? []), "would export other logs", exports);
  const iam = now.iamAuth as boolean | undefined;
  if (iam !== undefined && iam !== (s.iamAuth ?? false)) drift("iamAuth", String(iam), String(s.iamAuth ?? false), "would treat IAM logins unlike production", iam);

  const unreported: string[] = [];
  const interval = instance.MonitoringInterval;
  const ours = s.monitoring?.intervalSeconds ?? 0;
  if (interval === undefined) unreported.push("MonitoringInterval");
  else if (interval !== ours || (interval > 0 && instance.MonitoringRoleArn !== s.monitoring?.roleArn))
    drift("monitoring", `every ${interval} s`, ours === 0 ? "off" : `every ${ours} s`, "would sample enhanced monitoring unlike production", now.monitoring);
  const pi = instance.PerformanceInsightsEnabled;
  const oursPi = s.performanceInsights?.enabled ?? false;
  if (pi === undefined) unreported.push("PerformanceInsightsEnabled");
  else if (pi !== oursPi || (pi && (instance.PerformanceInsightsRetentionPeriod ?? 7) !== (s.performanceInsights?.retentionDays ?? 7)))
    drift("performanceInsights", pi ? `on (${instance.PerformanceInsightsRetentionPeriod ?? 7} days)` : "off", oursPi ? `on (${s.performanceInsights?.retentionDays ?? 7} days)` : "off", "would run Performance Insights unlike production", now.performanceInsights);
  const notes =
    unreported.length > 0
      ? [`DescribeDBInstances reports no ${unreported.join(" or ")} for ${id}, so enhanced monitoring and Performance Insights could not be compared with the inventory`]
      : [];
  return { findings, notes, fields };
}

/** One question per parameter group and run, however many databases name it. */
const groupAnswers = new WeakMap<CheckContext, Map<string, Promise<Finding | undefined>>>();

/**
 * The parameter group the restore names must exist in the region it restores into: otherwise
 * RestoreDBInstanceToPointInTime fails with DBParameterGroupNotFound, mid-recovery.
 */
export function parameterGroupFinding(db: DatabaseRestore, ctx: CheckContext): Promise<Finding | undefined> {
  const name = db.configuration.parameterGroup;
  if (name === undefined) return Promise.resolve(undefined);
  const answers = groupAnswers.get(ctx) ?? new Map<string, Promise<Finding | undefined>>();
  groupAnswers.set(ctx, answers);
  if (!answers.has(name)) answers.set(name, parameterGroupExists(name, db, ctx));
  return answers.get(name)!;
}

async function parameterGroupExists(name: string, db: DatabaseRestore, ctx: CheckContext): Promise<Finding | undefined> {
  const key = `recovery:databases[].parameterGroup (or recovery:databases.${db.name}.parameterGroup)`;
  try {
    const { DBParameterGroups = [] } = await ctx.aws.rds(ctx.config.region).send(new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name }), ctx.aws.call());
    if (DBParameterGroups.some((g) => g.DBParameterGroupName === name)) return undefined;
  } catch (error) {
    if (!isNotFound(error, "DBParameterGroupNotFound", "DBParameterGroupNotFoundFault"))
      return { level: "unknown", message: `could not check that parameter group ${name} exists (${couldNotCheck("DescribeDBParameterGroups", error, ctx.aws.timeoutMs)})` };
  }
  return {
    level: "fail",
    message: `parameter group ${name} does not exist in ${ctx.config.region}, so the restore would fail with DBParameterGroupNotFound; create it there (aws rds copy-db-parameter-group, or from production's settings) or fix ${key}`,
  };
}
