import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import packageJson from "../package.json";

/**
 * The in-cluster Jobs every Job-running component builds (restore, sync, migrations, smoke): the
 * worker image they run, the service account they run as, the Job itself and its timeout.
 * Not a component itself.
 */

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
