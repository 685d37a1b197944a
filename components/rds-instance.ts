import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isDnsName, type RecoveryMode } from "./shared";

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
  /** The KMS key the restore is encrypted with. Defaults to the account's RDS key. */
  readonly kmsKeyId?: string;
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
  return problems;
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
