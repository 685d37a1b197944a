import { workerCommand } from "./worker-command";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { connectionString, databaseTimeouts, instanceBase, majorVersion, targetProblems, type DatabaseTargetArgs } from "./database-instance-settings";
import { throwIfProblems } from "./arg-checks";
import { DEFAULT_JOB_SERVICE_ACCOUNT, DEFAULT_WORKER_IMAGE, job, jobTimeout } from "./kubernetes-job";
import { modeProblems } from "./mode";
import { DB_SECRET_OUTPUTS, K8S_SECRET_OUTPUTS, secretStringData } from "./secret-values";
import { recoveryTags } from "./tags";
import { isBucketName } from "../workers/s3-location";
import { COMPONENT_TYPES } from "./names";

export interface LogicalRestoreArgs extends DatabaseTargetArgs {
  /** Where the pg_dump files and their manifest (with each dump's checksum) are kept. Read only. */
  readonly dumps: { readonly bucket: string; readonly prefix: string };
  /**
   * The source's engine version (`15.7`). The new instance asks for its major version only (`15`):
   * RDS fills in the newest minor it still creates (it stops creating deprecated ones), and after an
   * automatic minor upgrade the provider keeps the prefix, so a refresh never plans a downgrade.
   * Defaults to the provider's default for postgres.
   */
  readonly engineVersion?: string;
  /** Storage of the new instance, in GiB. Defaults to `100`. */
  readonly allocatedStorageGb?: number;
  /** The namespace the restore Job runs in. */
  readonly namespace: pulumi.Input<string>;
  /** This project's image, which holds `npm run restore`. Defaults to DEFAULT_WORKER_IMAGE. */
  readonly image?: string;
  /** Parallel pg_restore jobs (`--jobs`). Defaults to `4`. */
  readonly jobs?: number;
  /** Restore only these tables (`--tables`, runbook 1C "a specific table only"). Defaults to all. */
  readonly tables?: readonly string[];
  /** The service account the Job runs as (it reads the dump bucket). Defaults to `recovery-worker`. */
  readonly serviceAccountName?: string;
  /** The plan's estimate; the Job may take three times as long before `pulumi up` fails it. Defaults to `20`. */
  readonly estimateMinutes?: number;
  /**
   * Runs the restore again, on purpose: each new number is a new Job (`<name>-restore-run-<n>`)
   * running with `--force` (the target is no longer empty). Defaults to none: the restore runs
   * once, and nothing else in these args re-runs it.
   */
  readonly restoreRun?: number;
}

/** Pure checks of LogicalRestoreArgs; an empty list means valid. */
export function validateLogicalRestoreArgs(args: LogicalRestoreArgs): string[] {
  const problems = [...modeProblems(args.mode), ...targetProblems(args)];
  if (!isBucketName(args.dumps.bucket))
    problems.push(`dumps.bucket "${args.dumps.bucket}" is not an S3 bucket name`);
  if (args.jobs !== undefined && (!Number.isInteger(args.jobs) || args.jobs < 1 || args.jobs > 32))
    problems.push(`jobs must be a whole number from 1 to 32 (got ${args.jobs})`);
  for (const t of args.tables ?? [])
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(t))
      problems.push(`table "${t}" is not a table name; use names like orders or public.orders`);
  if (args.allocatedStorageGb !== undefined && (!Number.isInteger(args.allocatedStorageGb) || args.allocatedStorageGb < 20))
    problems.push(`allocatedStorageGb must be a whole number of at least 20 (got ${args.allocatedStorageGb})`);
  if (args.engineVersion !== undefined && !/^\d+(\.\d+){0,2}$/.test(args.engineVersion))
    problems.push(`engineVersion "${args.engineVersion}" is not a PostgreSQL version; write it like 15.7`);
  if (args.restoreRun !== undefined && (!Number.isInteger(args.restoreRun) || args.restoreRun < 1))
    problems.push(`restoreRun must be a whole number of at least 1 (got ${args.restoreRun}); raise it by one to run the restore again`);
  return problems;
}

/**
 * A `database` step restored from a pg_dump file in S3 (runbook 1C, seed 003 "logical dump"):
 * a NEW empty encrypted private instance, then a Job running the restore worker against it.
 * The worker takes the newest dump under the prefix and checks it against the checksum in the
 * manifest before restoring. The target URL reaches the Job through a Secret, never inline, and
 * the source database is never named to the worker.
 */
export class LogicalRestore extends pulumi.ComponentResource {
  public readonly identifier: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** The dump location restored from (`s3://bucket/prefix`, newest dump). */
  public readonly restorePoint: pulumi.Output<string>;
  /** `postgresql://…`, a Pulumi secret. */
  public readonly connectionString: pulumi.Output<string>;

  constructor(name: string, args: LogicalRestoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.LogicalRestore, name, {}, opts);
    throwIfProblems("LogicalRestore", validateLogicalRestoreArgs(args), this);

    const from = `s3://${args.dumps.bucket}/${args.dumps.prefix}`;
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
    const instance = new aws.rds.Instance(
      `${name}-db`,
      {
        ...instanceBase(args, recoveryTags(args.stack, args.source.identifier, `logical:${from}`, "latest-dump")),
        engine: "postgres",
        engineVersion: args.engineVersion === undefined ? undefined : majorVersion(args.engineVersion),
        autoMinorVersionUpgrade: true,
        // A major upgrade of the restored data is a decision, not a side effect of editing the inventory.
        allowMajorVersionUpgrade: false,
        allocatedStorage: args.allocatedStorageGb ?? 100,
        dbName: args.source.dbName,
        username: args.source.username,
        password: password.result,
      },
      // The version is the one asked for at creation: a later inventory edit (production upgraded)
      // never upgrades the restored instance in place.
      { parent: this, additionalSecretOutputs: DB_SECRET_OUTPUTS, ignoreChanges: ["engineVersion"], customTimeouts: databaseTimeouts(args) },
    );
    this.connectionString = connectionString(instance, args.source, password.result);

    const targetName = `${name}-target`;
    const target = new k8s.core.v1.Secret(
      targetName,
      {
        metadata: { name: targetName, namespace: args.namespace },
        type: "Opaque",
        stringData: secretStringData({ TARGET_DATABASE_URL: this.connectionString }),
      },
      { parent: this, additionalSecretOutputs: K8S_SECRET_OUTPUTS },
    );

    // Kubernetes expands $(TARGET_DATABASE_URL) from the Secret-backed env: the URL is never in the manifest.
    const command = workerCommand("restore", "--from", from, "--to", "$(TARGET_DATABASE_URL)", "--latest", "--jobs", String(args.jobs ?? 4));
    if (args.tables !== undefined && args.tables.length > 0) command.push("--tables", args.tables.join(","));
    if (args.restoreRun !== undefined) command.push("--force");
    // A Job's template is replace-only, and a replaced restore Job runs pg_restore again over the
    // restored (and by then live) database. So the template holds no Output (the Secret's name
    // is plain text: a Secret replaced for a new password leaves it alone) and later changes to it
    // (--jobs, --tables, the image) are ignored. Running it again is asked for by restoreRun,
    // which makes a new resource, so nothing of the old one's ignored inputs carries over.
    job(
      args.restoreRun === undefined ? `${name}-restore` : `${name}-restore-run-${args.restoreRun}`,
      {
        namespace: args.namespace,
        image: args.image ?? DEFAULT_WORKER_IMAGE,
        command,
        envFromSecrets: [targetName],
        serviceAccountName: args.serviceAccountName ?? DEFAULT_JOB_SERVICE_ACCOUNT,
        labels: { "recovery/step": name },
        timeoutMinutes: jobTimeout(args.estimateMinutes ?? 20),
        backoffLimit: 1,
      },
      { parent: this, dependsOn: [instance, target], ignoreChanges: ["spec.template"] },
    );

    this.identifier = instance.identifier;
    this.endpoint = instance.address;
    this.port = instance.port;
    this.restorePoint = pulumi.output(`${from} (newest dump)`);
    this.registerOutputs({
      identifier: this.identifier,
      endpoint: this.endpoint,
      port: this.port,
      restorePoint: this.restorePoint,
      connectionString: this.connectionString,
    });
  }
}
