import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { connectionString, databaseTimeouts, instanceBase, targetProblems, type DatabaseTargetArgs } from "./database-instance-settings";
import { restoreTimeProblems } from "../stacks/checks/restore-time";
import { describeProblem, under } from "../stacks/problems";
import { SnapshotResolution } from "./rds-snapshot";
import { throwIfProblems } from "./arg-checks";
import { modeProblems } from "./mode";
import { DB_SECRET_OUTPUTS } from "./secret-values";
import { recoveryTags } from "./tags";
import { COMPONENT_TYPES } from "./names";

export interface RestoredDatabaseArgs extends DatabaseTargetArgs {
  /** `point-in-time` (runbook 1A) or `snapshot` (runbook 1B). A pg_dump restore is LogicalRestore. */
  readonly method: "point-in-time" | "snapshot";
  /** point-in-time: `latest` (the latest restorable time) or an ISO time. Defaults to `latest`. */
  readonly restoreTime?: string;
  /** snapshot: a snapshot identifier, or `latest` for the newest snapshot of the source. Defaults to `latest`. */
  readonly snapshot?: string;
  /**
   * Sets a new random master password on the restored instance (never the source). Defaults to
   * `true`: a restore keeps the source's password, which this project does not hold, so without a
   * new one the connection string carries no password. `false` keeps the source's.
   */
  readonly rotatePassword?: boolean;
}

/** Pure checks of RestoredDatabaseArgs; an empty list means valid. */
export function validateRestoredDatabaseArgs(args: RestoredDatabaseArgs): string[] {
  const problems = [...modeProblems(args.mode), ...targetProblems(args)];
  if (args.method !== "point-in-time" && args.method !== "snapshot")
    problems.push(`method must be "point-in-time" or "snapshot" (got "${String(args.method)}"); restore a pg_dump file with LogicalRestore`);
  if (args.restoreTime !== undefined) {
    if (args.method !== "point-in-time")
      problems.push(`restoreTime only applies to method "point-in-time"; remove it or change the method`);
    // The form only, as the loader's schema reads it; the backup window is the loader's to check
    // (a second `up` days later must not refuse the time the first one restored to).
    else problems.push(...under(["restoreTime"], restoreTimeProblems(args.restoreTime)).map(describeProblem));
  }
  if (args.snapshot !== undefined) {
    if (args.method !== "snapshot") problems.push(`snapshot only applies to method "snapshot"; remove it or change the method`);
    else if (args.snapshot.trim() === "") problems.push(`snapshot must be a snapshot identifier or "latest"`);
  }
  return problems;
}

/**
 * A `database` step: an RDS instance restored into a NEW identifier from a point in time or a
 * snapshot of the source. The restore inputs are ignored after creation, so a later `pulumi up`
 * never replaces a restored database because "latest" moved or the block was removed; the
 * snapshot is resolved once (SnapshotResolution), so a later `up` neither looks for it again nor
 * fails when the source and its snapshots are gone.
 */
export class RestoredDatabase extends pulumi.ComponentResource {
  public readonly identifier: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** `latest`, the ISO time restored to, or the restored snapshot's creation time. */
  public readonly restorePoint: pulumi.Output<string>;
  /** `postgresql://…`, a Pulumi secret. */
  public readonly connectionString: pulumi.Output<string>;

  constructor(name: string, args: RestoredDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.RestoredDatabase, name, {}, opts);
    throwIfProblems("RestoredDatabase", validateRestoredDatabaseArgs(args), this);

    let restoredFrom: pulumi.Input<string>;
    let restore: Pick<aws.rds.InstanceArgs, "restoreToPointInTime" | "snapshotIdentifier">;
    if (args.method === "point-in-time") {
      const time = args.restoreTime ?? "latest";
      // The DbiResourceId names the automated backups, which RDS retains after the instance is
      // deleted; the identifier must name a live instance. Only one of them is sent.
      const source =
        args.source.dbiResourceId !== undefined
          ? { sourceDbiResourceId: args.source.dbiResourceId }
          : { sourceDbInstanceIdentifier: args.source.identifier };
      restore = {
        restoreToPointInTime: time === "latest" ? { ...source, useLatestRestorableTime: true } : { ...source, restoreTime: time },
      };
      restoredFrom = `point-in-time:${args.source.identifier}`;
      this.restorePoint = pulumi.output(time);
    } else {
      const snapshot = new SnapshotResolution(
        `${name}-snapshot`,
        { sourceIdentifier: args.source.identifier, snapshot: args.snapshot ?? "latest", region: new pulumi.Config("aws").get("region") },
        { parent: this },
      );
      restore = { snapshotIdentifier: snapshot.snapshotId };
      restoredFrom = pulumi.interpolate`snapshot:${snapshot.snapshotId}`;
      this.restorePoint = snapshot.createTime;
    }

    const password = (args.rotatePassword ?? true)
      ? new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this }).result
      : undefined;
    const instance = new aws.rds.Instance(
      `${name}-db`,
      {
        ...instanceBase(args, recoveryTags(args.stack, args.source.identifier, restoredFrom, this.restorePoint)),
        ...restore,
        password,
      },
      // Pitfalls of the RDS resource: a changed snapshotIdentifier, or a removed or moved
      // restoreToPointInTime, would otherwise replace the restored database.
      {
        parent: this,
        additionalSecretOutputs: DB_SECRET_OUTPUTS,
        ignoreChanges: ["restoreToPointInTime", "snapshotIdentifier"],
        customTimeouts: databaseTimeouts(args),
      },
    );

    this.identifier = instance.identifier;
    this.endpoint = instance.address;
    this.port = instance.port;
    this.connectionString = connectionString(instance, args.source, password);
    this.registerOutputs({
      identifier: this.identifier,
      endpoint: this.endpoint,
      port: this.port,
      restorePoint: this.restorePoint,
      connectionString: this.connectionString,
    });
  }
}
