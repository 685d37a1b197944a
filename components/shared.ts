import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import packageJson from "../package.json";

/**
 * What every component shares: the mode, the tags that tie a resource to its restore, name
 * checks, and the shape of the in-cluster Jobs (restore, sync, migrations, smoke).
 * Not a component itself.
 */

export type RecoveryMode = "recovery" | "drill";
export const RECOVERY_MODES: readonly RecoveryMode[] = ["recovery", "drill"];

/** Where .github/workflows/worker-image.yml pushes this project's worker image (ECR, next to the services' images). */
export const WORKER_IMAGE_REPOSITORY = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/recovery-stacks";
/**
 * This project's own image (it holds `npm run restore` and `npm run sync`), tagged with this
 * checkout's package.json version: the Jobs run the worker code released with the program that
 * creates them, never a moving `:latest`. The workflow pushes that tag on a release, to an
 * ECR repository with immutable tags. A restore stack may pin another with `recovery:workerImage`.
 */
export const DEFAULT_WORKER_IMAGE = `${WORKER_IMAGE_REPOSITORY}:${packageJson.version}`;
/** The service account of the Git-kept manifests (k8s/production) that the Jobs run as (IRSA for S3). */
export const DEFAULT_JOB_SERVICE_ACCOUNT = "recovery-worker";

/** The loader's name rule, which the components check their names by too. */
export { isDnsName } from "../stacks/checks/dns-name";

/** Problems of a `mode` field (shared by every component that behaves differently in a drill). */
export function modeProblems(mode: string): string[] {
  return RECOVERY_MODES.includes(mode as RecoveryMode)
    ? []
    : [`mode must be one of ${RECOVERY_MODES.join(", ")} (got "${mode}"); use "recovery" for a real rebuild or "drill" for a rehearsal`];
}

/** Validation problems become one ResourceError: nothing is created when one is found. */
export function throwIfProblems(component: string, problems: readonly string[], parent: pulumi.Resource): void {
  if (problems.length > 0) throw new pulumi.ResourceError(`${component}: ${problems.join("; ")}`, parent);
}

/** The tags every restored AWS resource carries; `pulumi up` output and the AWS console can tell them apart. */
export function recoveryTags(
  stack: string,
  source: string,
  restoredFrom: pulumi.Input<string>,
  restorePoint: pulumi.Input<string>,
): pulumi.Input<Record<string, pulumi.Input<string>>> {
  return {
    "recovery:stack": stack,
    "recovery:source": source,
    "recovery:restored-from": restoredFrom,
    "recovery:restore-point": restorePoint,
  };
}

/** `orders` → `ORDERS`, `order-payment` → `ORDER_PAYMENT`: names as environment variable prefixes. */
export const envName = (name: string): string => name.toUpperCase().replace(/-/g, "_");

/** One key per value, every value a Pulumi secret: a Kubernetes Secret never holds a plain value. */
export function secretStringData(values: Readonly<Record<string, pulumi.Input<string>>>): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, pulumi.secret(v)]));
}

export interface JobSpec {
  readonly namespace: pulumi.Input<string>;
  readonly image: pulumi.Input<string>;
  readonly command: readonly string[];
  /** Secrets whose keys become environment variables (never values inline in the Job). */
  readonly envFromSecrets?: readonly pulumi.Input<string>[];
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly serviceAccountName?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** How long `pulumi up` waits for the Job to complete before failing the step. */
  readonly timeoutMinutes: number;
  readonly backoffLimit?: number;
  /**
   * `pulumi.com/replaceUnready: "true"`: a Job that failed is replaced (run again) by the next
   * `pulumi up` instead of being awaited again, forever (pulumi-kubernetes' Diff). For Jobs that
   * are safe to run twice (migrations, smoke tests, the bucket sync). Defaults to `false`.
   */
  readonly replaceUnready?: boolean;
}

/**
 * A Job that `pulumi up` waits for: the Kubernetes provider awaits its completion, so what
 * depends on it (a migration, the services) starts only after it succeeded.
 */
export function job(name: string, spec: JobSpec, opts: pulumi.CustomResourceOptions): k8s.batch.v1.Job {
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: {
        name,
        namespace: spec.namespace,
        labels: { ...spec.labels },
        ...(spec.replaceUnready ? { annotations: { "pulumi.com/replaceUnready": "true" } } : {}),
      },
      spec: {
        // No ttlSecondsAfterFinished: a Job the cluster deleted by itself would be re-created by
        // the next `pulumi refresh` + `up`, running a restore again over a live database.
        backoffLimit: spec.backoffLimit ?? 2,
        template: {
          metadata: { labels: { ...spec.labels } },
          spec: {
            restartPolicy: "Never",
            serviceAccountName: spec.serviceAccountName,
            containers: [
              {
                name: "main",
                image: spec.image,
                command: [...spec.command],
                env: Object.entries(spec.env ?? {}).map(([n, value]) => ({ name: n, value })),
                envFrom: (spec.envFromSecrets ?? []).map((secretName) => ({ secretRef: { name: secretName } })),
              },
            ],
          },
        },
      },
    },
    { ...opts, customTimeouts: { create: `${spec.timeoutMinutes}m`, update: `${spec.timeoutMinutes}m` } },
  );
}

/** Jobs get three times the plan's estimate before `pulumi up` calls them failed. */
export const jobTimeout = (estimateMinutes: number): number => Math.max(10, Math.ceil(estimateMinutes * 3));

/**
 * Marks credential-holding properties as secret outputs explicitly. Pulumi already keeps secret
 * inputs secret; the explicit marking is what CrossGuard can see (it receives values unwrapped),
 * so `credentials-are-secret` holds in `pulumi preview --policy-pack` as well as offline.
 */
export const K8S_SECRET_OUTPUTS = ["data", "stringData"];
export const DB_SECRET_OUTPUTS = ["password"];

