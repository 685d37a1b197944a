import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseConfiguration } from "../stacks/types";
import { DURATION, isDnsName } from "./arg-checks";
import { type RecoveryMode } from "./mode";

/**
 * What every database instance this project creates has in common, whichever way it is filled
 * (RestoredDatabase: point in time or snapshot; LogicalRestore: an empty instance and pg_restore).
 * Not a component itself.
 */

/** The production database a restore reads from. */
export interface DatabaseSource {
  /** The source instance identifier; read, never reused. */
  readonly identifier: string;
  readonly dbName: string;
  readonly username: string;
  /** Defaults to 5432. */
  readonly port?: number;
  readonly subnetGroup: string;
  readonly securityGroupIds: readonly string[];
  /**
   * The KMS key the restore is encrypted with, as a full key ARN (`arn:aws:kms:<region>:<account>:key/<id>`):
   * replace-only in the provider and fixed by a point-in-time restore, so an alias that the API
   * answers as the ARN would plan a replacement on the next `up`. Defaults to the account's RDS key.
   */
  readonly kmsKeyId?: string;
  /**
   * The source's `DbiResourceId` (`db-…`): its automated backups outlive the instance, so a
   * point-in-time restore names it instead of the identifier when given (the disaster where the
   * instance itself was deleted). Defaults to none: the restore names the identifier.
   */
  readonly dbiResourceId?: string;
  /** Defaults to 7. */
  readonly backupRetentionDays?: number;
}

/** The settings shared by RestoredDatabaseArgs and LogicalRestoreArgs. */
export interface DatabaseTargetArgs {
  /** The stack, for tags. */
  readonly stack: string;
  /** `recovery`: deletion protection and a named final snapshot. `drill`: neither, so it can be destroyed. */
  readonly mode: RecoveryMode;
  readonly source: DatabaseSource;
  /** The NEW identifier. Never the source's: a refresh after restoring under the source's name drops the instance. */
  readonly identifier: string;
  readonly instanceClass: string;
  /** Defaults to `false`. */
  readonly multiAz?: boolean;
  /** Defaults to the source's subnet group. */
  readonly subnetGroup?: string;
  /** Defaults to the source's security groups. */
  readonly securityGroupIds?: readonly string[];
  /** Recovery only. Defaults to `<identifier>-final`. */
  readonly finalSnapshotIdentifier?: string;
  /** Production's names (identifiers, buckets, secrets), none of which a target may take. Defaults to none. */
  readonly sourceNames?: readonly string[];
  /**
   * How long `pulumi up` waits for the instance (Go durations: `4h`, `90m`). Defaults to
   * DEFAULT_DATABASE_TIMEOUTS: the provider's own (40m/80m/60m) are shorter than a restore
   * that then sits in `backing-up` for hours (terraform-provider-aws #44104).
   */
  readonly timeouts?: DatabaseTimeouts;
  /**
   * Production's configuration, which a restore does not carry over by itself: the parameter
   * group (a restore attaches the engine's default unless one is named), option group, CA, log
   * exports, enhanced monitoring, Performance Insights and IAM authentication. The provider sends
   * what the restore API takes with the restore and the rest in a ModifyDBInstance after it
   * (docs/components.md, "What a restore carries over from production"). Defaults to none: every
   * setting is AWS's default.
   */
  readonly configuration?: DatabaseConfiguration;
}

/** `customTimeouts` of an RDS instance, each a Go duration like `4h` or `90m`. */
export interface DatabaseTimeouts {
  readonly create?: string;
  readonly update?: string;
  readonly delete?: string;
}

/**
 * Seed 004 gives a restore 40 minutes at most; since 2025 RDS takes a baseline backup right after
 * every restore and the instance stays `backing-up` (which the provider waits through) for 2–3 hours
 * on large databases (terraform-provider-aws #44104). A create that times out leaves the instance
 * in AWS but not in state, and the rerun fails with DBInstanceAlreadyExists: wait long instead.
 * Delete includes the final snapshot; update a class change of a Multi-AZ pair.
 */
export const DEFAULT_DATABASE_TIMEOUTS = { create: "4h", update: "2h", delete: "2h" } as const satisfies Required<DatabaseTimeouts>;

/** A full KMS key ARN; aliases and bare key ids are refused (see DatabaseSource.kmsKeyId). */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
/** An RDS DbiResourceId, as `aws rds describe-db-instances` prints it. */
export const DBI_RESOURCE_ID = /^db-[A-Z0-9]+$/;

/** The fix for a KMS key given as an alias or id: the command that prints its ARN. */
export const kmsArnFix = (key: string): string =>
  `give the full key ARN (arn:aws:kms:<region>:<account>:key/<id>), which \`aws kms describe-key --key-id ${key} --query KeyMetadata.Arn --output text\` prints`;

/** `15.7` → `15`, `9.6.24` → `9.6`: the major version RDS takes as a prefix and fills in the newest minor. */
export function majorVersion(version: string): string {
  const parts = version.split(".");
  return Number(parts[0]) >= 10 ? parts[0] : parts.slice(0, 2).join(".");
}

export function targetProblems(args: DatabaseTargetArgs): string[] {
  const problems: string[] = [];
  const id = args.identifier;
  if (id === args.source.identifier)
    problems.push(`identifier "${id}" is the source database's own; a restore always gets a new identifier, like "${args.source.identifier}-recovery"`);
  else if ((args.sourceNames ?? []).includes(id))
    problems.push(`identifier "${id}" is a production resource's name; choose a new identifier`);
  if (!isDnsName(id, 63))
    problems.push(`identifier "${id}" is not a valid RDS identifier (lowercase letters, digits, single hyphens, at most 63 characters)`);
  if (!args.instanceClass.startsWith("db."))
    problems.push(`instanceClass "${args.instanceClass}" is not an RDS instance class; use one like "db.r6g.large"`);
  if ((args.securityGroupIds ?? args.source.securityGroupIds).length === 0)
    problems.push("securityGroupIds is empty; a private database needs at least one security group");
  if (args.mode === "drill" && args.finalSnapshotIdentifier !== undefined)
    problems.push("finalSnapshotIdentifier is set, but a drill takes no final snapshot (it must be destroyable); remove it");
  // The default, `<identifier>-final`, is valid whenever the identifier is.
  const finalId = args.finalSnapshotIdentifier;
  if (args.mode === "recovery" && finalId !== undefined && !isDnsName(finalId, 255))
    problems.push(`finalSnapshotIdentifier "${finalId}" is not a valid snapshot identifier (letters, digits, single hyphens)`);
  const key = args.source.kmsKeyId;
  if (key !== undefined && !KMS_KEY_ARN.test(key))
    problems.push(`source.kmsKeyId "${key}" is not a KMS key ARN; kmsKeyId is replace-only and a restore cannot change it, so ${kmsArnFix(key)}`);
  const dbi = args.source.dbiResourceId;
  if (dbi !== undefined && !DBI_RESOURCE_ID.test(dbi))
    problems.push(`source.dbiResourceId "${dbi}" is not a DbiResourceId (db- and capitals or digits); read it with \`aws rds describe-db-instances --db-instance-identifier ${args.source.identifier} --query 'DBInstances[0].DbiResourceId'\``);
  for (const [op, d] of Object.entries(args.timeouts ?? {}))
    if (d !== undefined && !DURATION.test(d)) problems.push(`timeouts.${op} "${d}" is not a duration; write a whole number with a unit, like 90m or 4h`);
  problems.push(...configurationProblems(args.configuration));
  return problems;
}

const RDS_GROUP = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]+$/;
const MONITORING_INTERVALS: readonly number[] = [0, 1, 5, 10, 15, 30, 60];

/** The loader's rules again, for a component used without it (stacks/database-configuration.ts). */
function configurationProblems(c: DatabaseConfiguration | undefined): string[] {
  if (c === undefined) return [];
  const problems: string[] = [];
  if (c.parameterGroup !== undefined && !RDS_GROUP.test(c.parameterGroup))
    problems.push(`configuration.parameterGroup "${c.parameterGroup}" is not an RDS parameter group name`);
  if (c.optionGroup !== undefined && !RDS_GROUP.test(c.optionGroup) && !/^default:[a-z0-9-]+$/.test(c.optionGroup))
    problems.push(`configuration.optionGroup "${c.optionGroup}" is not an RDS option group name`);
  const m = c.monitoring;
  if (m !== undefined) {
    if (!MONITORING_INTERVALS.includes(m.intervalSeconds))
      problems.push(`configuration.monitoring.intervalSeconds must be one of ${MONITORING_INTERVALS.join(", ")} (got ${m.intervalSeconds})`);
    if (m.intervalSeconds > 0 && m.roleArn === undefined)
      problems.push("configuration.monitoring.roleArn is required when intervalSeconds is above 0; give the enhanced-monitoring role's ARN");
    if (m.roleArn !== undefined && !IAM_ROLE_ARN.test(m.roleArn))
      problems.push(`configuration.monitoring.roleArn "${m.roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  }
  const key = c.performanceInsights?.kmsKeyId;
  if (key !== undefined && !KMS_KEY_ARN.test(key))
    problems.push(`configuration.performanceInsights.kmsKeyId "${key}" is not a KMS key ARN; it can never be changed once set, so ${kmsArnFix(key)}`);
  return problems;
}

/**
 * The instance's configuration inputs. Undefined where the inventory records nothing, so the
 * provider's defaults (and the restore's) apply as before.
 */
export function configurationInputs(c: DatabaseConfiguration | undefined): Partial<aws.rds.InstanceArgs> {
  if (c === undefined) return {};
  const pi = c.performanceInsights;
  const monitoring = c.monitoring;
  return {
    parameterGroupName: c.parameterGroup,
    optionGroupName: c.optionGroup,
    caCertIdentifier: c.caCertificateIdentifier,
    enabledCloudwatchLogsExports: [...c.logExports],
    iamDatabaseAuthenticationEnabled: c.iamAuth,
    ...(monitoring === undefined ? {} : { monitoringInterval: monitoring.intervalSeconds, monitoringRoleArn: monitoring.roleArn }),
    ...(pi === undefined
      ? {}
      : {
          performanceInsightsEnabled: pi.enabled,
          performanceInsightsRetentionPeriod: pi.enabled ? pi.retentionDays : undefined,
          performanceInsightsKmsKeyId: pi.enabled ? pi.kmsKeyId : undefined,
        }),
  };
}

/** The instance's `customTimeouts`: the defaults with the stack's overrides. */
export function databaseTimeouts(args: DatabaseTargetArgs): Required<DatabaseTimeouts> {
  return { ...DEFAULT_DATABASE_TIMEOUTS, ...stripUndefined(args.timeouts ?? {}) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Private, encrypted, in the source's network, and protected in a recovery. `skipFinalSnapshot`
 * is always explicit: it defaults to false, which makes a drill's destroy fail without a name.
 */
export function instanceBase(
  args: DatabaseTargetArgs,
  tags: pulumi.Input<Record<string, pulumi.Input<string>>>,
): aws.rds.InstanceArgs {
  const recovery = args.mode === "recovery";
  return {
    identifier: args.identifier,
    instanceClass: args.instanceClass,
    multiAz: args.multiAz ?? false,
    publiclyAccessible: false,
    storageEncrypted: true,
    kmsKeyId: args.source.kmsKeyId,
    dbSubnetGroupName: args.subnetGroup ?? args.source.subnetGroup,
    vpcSecurityGroupIds: [...(args.securityGroupIds ?? args.source.securityGroupIds)],
    port: args.source.port ?? 5432,
    backupRetentionPeriod: args.source.backupRetentionDays ?? 7,
    copyTagsToSnapshot: true,
    applyImmediately: true,
    deletionProtection: recovery,
    skipFinalSnapshot: !recovery,
    finalSnapshotIdentifier: recovery ? (args.finalSnapshotIdentifier ?? `${args.identifier}-final`) : undefined,
    ...configurationInputs(args.configuration),
    tags,
  };
}

/**
 * Where the worker image keeps Amazon RDS's CA bundle (global-bundle.pem, every region's roots).
 * The Jobs' DATABASE_URLs name it, so node-pg and libpq both verify the server's certificate.
 */
export const RDS_CA_BUNDLE_PATH = "/etc/ssl/certs/rds-global-bundle.pem";

/**
 * `postgresql://user[:password]@host:port/db?sslmode=verify-full&sslrootcert=<RDS bundle>`, always
 * a Pulumi secret. RDS for PostgreSQL 15 and later refuses unencrypted connections
 * (`rds.force_ssl=1`), and verify-full is the one mode node-pg and libpq read the same way.
 */
export function connectionString(
  instance: aws.rds.Instance,
  source: DatabaseSource,
  password: pulumi.Input<string> | undefined,
): pulumi.Output<string> {
  const user = encodeURIComponent(source.username);
  const auth = password === undefined ? pulumi.output(user) : pulumi.output(password).apply((p) => `${user}:${encodeURIComponent(p)}`);
  const tls = `sslmode=verify-full&sslrootcert=${RDS_CA_BUNDLE_PATH}`;
  return pulumi.secret(pulumi.interpolate`postgresql://${auth}@${instance.address}:${instance.port}/${encodeURIComponent(source.dbName)}?${tls}`);
}
