import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { identifierProblems } from "../stacks/checks/database";
import { isDnsName } from "../stacks/checks/dns-name";
import { databaseConfigurationProblems } from "../stacks/database-configuration";
import { describeProblem, schemaProblems, under, type Problem } from "../stacks/problems";
import { databaseConfigurationSchema, databaseSourceSchema, databaseTimeoutsSchema } from "../stacks/schema";
import type { DatabaseConfiguration } from "../stacks/types";
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

/** `15.7` → `15`, `9.6.24` → `9.6`: the major version RDS takes as a prefix and fills in the newest minor. */
export function majorVersion(version: string): string {
  const parts = version.split(".");
  return Number(parts[0]) >= 10 ? parts[0] : parts.slice(0, 2).join(".");
}

/**
 * The checks every database target shares. The identifier, the source's fields, the timeouts and
 * the configuration are checked by the validators and schema the loader uses (stacks/checks,
 * stacks/schema.ts), so a component used without the loader says what the loader would.
 */
export function targetProblems(args: DatabaseTargetArgs): string[] {
  const shared: Problem[] = [
    ...identifierProblems(args.identifier, {
      sourceIdentifier: args.source.identifier,
      sourceNames: args.sourceNames,
      suggestion: `${args.source.identifier}-recovery`,
    }),
    ...under(["source"], schemaProblems(databaseSourceSchema, { kmsKeyId: args.source.kmsKeyId, dbiResourceId: args.source.dbiResourceId })),
    ...under(["timeouts"], schemaProblems(databaseTimeoutsSchema, args.timeouts ?? {})),
    ...under(["configuration"], configurationProblems(args.configuration)),
  ];
  const problems: string[] = shared.map(describeProblem);
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
  return problems;
}

/** The loader's schema and cross-field rules (stacks/database-configuration.ts), paths from `configuration`. */
function configurationProblems(c: Partial<DatabaseConfiguration> | undefined): Problem[] {
  if (c === undefined) return [];
  return [...schemaProblems(databaseConfigurationSchema, c), ...databaseConfigurationProblems(c)];
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
