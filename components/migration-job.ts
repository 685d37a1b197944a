import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "./arg-checks";
import { job, jobTimeout } from "./kubernetes-job";
import { K8S_SECRET_OUTPUTS, secretStringData } from "./secret-values";
import { COMPONENT_TYPES } from "./names";

export interface MigrationJobArgs {
  /** The service whose migrations run (its image holds them). */
  readonly service: string;
  /** The service's image. */
  readonly image: string;
  /** The migration command, e.g. `["npx", "prisma", "migrate", "deploy"]` (runbook 1A step 4). */
  readonly command: readonly string[];
  /** The restored database's connection string; reaches the Job as DATABASE_URL through a Secret. */
  readonly databaseUrl: pulumi.Input<string>;
  /** The namespace the Job runs in. */
  readonly namespace: pulumi.Input<string>;
  /** The plan's estimate; the Job may take three times as long (at least 10 minutes). Defaults to `5`. */
  readonly estimateMinutes?: number;
}

/** Pure checks of MigrationJobArgs; an empty list means valid. */
export function validateMigrationJobArgs(args: MigrationJobArgs): string[] {
  const problems: string[] = [];
  if (args.command.length === 0 || args.command.some((c) => c.trim() === ""))
    problems.push(`command of service "${args.service}" is empty; give the migration command, like ["npx", "prisma", "migrate", "deploy"]`);
  if (args.image.trim() === "") problems.push(`image of service "${args.service}" is empty; the migrations run from the service's image`);
  if (args.estimateMinutes !== undefined && !(args.estimateMinutes > 0))
    problems.push(`estimateMinutes must be positive (got ${args.estimateMinutes})`);
  return problems;
}

/**
 * A `migration` step: the service's pending migrations run as a Job against the restored
 * database. The services of that database wait for it (the plan's edges).
 */
export class MigrationJob extends pulumi.ComponentResource {
  public readonly jobName: pulumi.Output<string>;

  constructor(name: string, args: MigrationJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.MigrationJob, name, {}, opts);
    throwIfProblems("MigrationJob", validateMigrationJobArgs(args), this);

    const env = new k8s.core.v1.Secret(
      `${name}-env`,
      {
        metadata: { name: `${name}-env`, namespace: args.namespace },
        type: "Opaque",
        stringData: secretStringData({ DATABASE_URL: args.databaseUrl }),
      },
      { parent: this, additionalSecretOutputs: K8S_SECRET_OUTPUTS },
    );
    const migrations = job(
      `${name}-job`,
      {
        namespace: args.namespace,
        image: args.image,
        command: args.command,
        envFromSecrets: [env.metadata.name],
        labels: { "recovery/step": name, "recovery/service": args.service },
        timeoutMinutes: jobTimeout(args.estimateMinutes ?? 5),
        backoffLimit: 1,
        // Safe to run again (migrate deploy applies only what is pending): a transient failure
        // is fixed by the next `pulumi up` instead of being awaited forever.
        replaceUnready: true,
      },
      { parent: this },
    );

    this.jobName = migrations.metadata.name;
    this.registerOutputs({ jobName: this.jobName });
  }
}
