import { DescribeDBInstancesCommand, type DBInstance, type RDSClient } from "@aws-sdk/client-rds";
import type { DatabaseConfiguration } from "../../stacks/types";
import type { Check, CheckVerdict } from "../types";

/**
 * `database.configuration`: the restored instance is configured like production, as the inventory
 * records it (issue 19). A restore that holds the right data but runs the engine's default
 * parameter group (no pg_stat_statements, no rds.force_ssl) is not a recovery: the services come
 * up and then misbehave. Read with DescribeDBInstances only.
 */
export interface DatabaseConfigTarget {
  /** The inventory's name of the database. */
  readonly name: string;
  /** The restored instance's identifier. */
  readonly identifier: string;
  /** The stack, for the `pulumi up --stack` in the fixes. */
  readonly stack: string;
  readonly expected: DatabaseConfiguration;
  readonly rds: RDSClient;
}

export interface ConfigurationComparison {
  /** Each a sentence with its fix; empty when the instance is configured as recorded. */
  readonly differences: readonly string[];
  /** What held, for the pass detail. */
  readonly matched: readonly string[];
  /** What the endpoint did not report, so it could not be compared (AWS reports all of them; moto 5.2.1 not monitoring or PI). */
  readonly unreported: readonly string[];
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
const list = (xs: readonly string[]): string => (xs.length === 0 ? "none" : xs.join(", "));

/** Compares what DescribeDBInstances says of the restored instance with what the inventory records. */
export function compareConfiguration(
  expected: DatabaseConfiguration,
  instance: DBInstance,
  where: { readonly identifier: string; readonly stack: string },
): ConfigurationComparison {
  const { identifier: id, stack } = where;
  const up = `pulumi up --stack ${stack}`;
  const differences: string[] = [];
  const matched: string[] = [];
  const unreported: string[] = [];

  if (expected.parameterGroup !== undefined) {
    const group = instance.DBParameterGroups?.[0];
    const name = group?.DBParameterGroupName;
    const status = group?.ParameterApplyStatus;
    if (name !== expected.parameterGroup)
      differences.push(
        `${id} runs parameter group ${name ?? "(none)"}, the inventory records ${expected.parameterGroup}: a restore attaches the engine's default unless one is named, so production's settings are missing; run \`${up}\` (the instance names it), then reboot it`,
      );
    else if (status === "pending-reboot")
      differences.push(
        `parameter group ${name} is attached to ${id} but pending-reboot: static parameters such as shared_preload_libraries apply only after a reboot; reboot it before traffic (\`aws rds reboot-db-instance --db-instance-identifier ${id}\`, a minute or two), then verify again`,
      );
    else if (status !== undefined && status !== "in-sync")
      differences.push(`parameter group ${name} of ${id} is ${status}, not in-sync; wait until it is applied, then verify again`);
    else matched.push(`parameter group ${name} (${status ?? "status not reported"})`);
  }

  if (expected.optionGroup !== undefined) {
    const membership = instance.OptionGroupMemberships?.[0];
    if (membership?.OptionGroupName !== expected.optionGroup)
      differences.push(`${id} has option group ${membership?.OptionGroupName ?? "(none)"}, the inventory records ${expected.optionGroup}; run \`${up}\``);
    else if (membership.Status !== undefined && membership.Status !== "in-sync")
      differences.push(`option group ${expected.optionGroup} of ${id} is ${membership.Status}, not in-sync; wait until it is applied, then verify again`);
    else matched.push(`option group ${expected.optionGroup}`);
  }

  if (expected.caCertificateIdentifier !== undefined) {
    if (instance.CACertificateIdentifier !== expected.caCertificateIdentifier)
      differences.push(
        `${id} presents a certificate from ${instance.CACertificateIdentifier ?? "(none)"}, the inventory records ${expected.caCertificateIdentifier}, so clients that trust only production's CA refuse it; the provider does not send the CA with a restore (hashicorp/terraform-provider-aws#35711): run \`${up}\` again, which applies it with a ModifyDBInstance`,
      );
    else matched.push(`CA ${expected.caCertificateIdentifier}`);
  }

  const exports = instance.EnabledCloudwatchLogsExports ?? [];
  if (!sameSet(exports, expected.logExports))
    differences.push(`${id} exports logs ${list(exports)} to CloudWatch, the inventory records ${list(expected.logExports)}; run \`${up}\``);
  else matched.push(`log exports ${list(exports)}`);

  const iam = instance.IAMDatabaseAuthenticationEnabled;
  if (iam === undefined) unreported.push("IAM database authentication");
  else if (iam !== expected.iamAuth)
    differences.push(`IAM database authentication is ${iam ? "on" : "off"} on ${id}, the inventory records ${expected.iamAuth ? "on" : "off"}; run \`${up}\``);
  else matched.push(`IAM auth ${iam ? "on" : "off"}`);

  const monitoring = expected.monitoring;
  if (monitoring !== undefined) {
    const interval = instance.MonitoringInterval;
    if (interval === undefined) unreported.push("enhanced monitoring");
    else if (interval !== monitoring.intervalSeconds)
      differences.push(
        `${id} samples enhanced monitoring every ${interval} s, the inventory records ${monitoring.intervalSeconds} s; the provider sets it with a ModifyDBInstance right after the restore: run \`${up}\` again`,
      );
    else if (monitoring.roleArn !== undefined && instance.MonitoringRoleArn !== monitoring.roleArn)
      differences.push(`${id} publishes enhanced monitoring as ${instance.MonitoringRoleArn ?? "(no role)"}, the inventory records ${monitoring.roleArn}; run \`${up}\``);
    else matched.push(`monitoring ${interval} s`);
  }

  const pi = expected.performanceInsights;
  if (pi !== undefined) {
    const enabled = instance.PerformanceInsightsEnabled;
    const fix = `a restore does not take Performance Insights, the provider applies it with a ModifyDBInstance (after a point-in-time restore only on the next up): run \`${up}\` again`;
    if (enabled === undefined) unreported.push("Performance Insights");
    else if (enabled !== pi.enabled)
      differences.push(`Performance Insights is ${enabled ? "on" : "off"} on ${id}, the inventory records ${pi.enabled ? "on" : "off"}; ${fix}`);
    else if (pi.enabled && instance.PerformanceInsightsRetentionPeriod !== undefined && instance.PerformanceInsightsRetentionPeriod !== (pi.retentionDays ?? 7))
      differences.push(`${id} keeps Performance Insights ${instance.PerformanceInsightsRetentionPeriod} days, the inventory records ${pi.retentionDays ?? 7}; ${fix}`);
    else if (pi.enabled && pi.kmsKeyId !== undefined && instance.PerformanceInsightsKMSKeyId !== pi.kmsKeyId)
      differences.push(
        `${id} encrypts Performance Insights with ${instance.PerformanceInsightsKMSKeyId ?? "(no key)"}, the inventory records ${pi.kmsKeyId}; the key can never be changed once set: restore again under a new identifier`,
      );
    else matched.push(`Performance Insights ${pi.enabled ? "on" : "off"}`);
  }
  return { differences, matched, unreported };
}

const verdict = (ok: boolean, detail: string): CheckVerdict => ({ ok, detail });

export function databaseConfigCheck(t: DatabaseConfigTarget): Check {
  return {
    name: "database.configuration",
    target: t.name,
    group: "db",
    async run(signal) {
      const out = await t.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: t.identifier }), { abortSignal: signal });
      const instance = out.DBInstances?.[0];
      if (!instance) return verdict(false, `RDS has no instance ${t.identifier}`);
      const { differences, matched, unreported } = compareConfiguration(t.expected, instance, t);
      if (differences.length > 0) return verdict(false, differences.join("; "));
      const missing = unreported.length > 0 ? `; not reported by this endpoint, so not compared: ${unreported.join(", ")}` : "";
      return verdict(true, `configured as the inventory records: ${matched.join(", ")}${missing}`);
    },
  };
}
