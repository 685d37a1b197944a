import { workerCommand } from "./worker-command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_REDIS_IMAGE, redisVersionOfImage } from "../stacks/image-reference";
import { redisVersionProblems } from "../stacks/checks/cache";
import { describeProblem } from "../stacks/problems";
import { maxRdbVersionFor } from "../workers/redis-rdb-versions";
import { isDnsName, throwIfProblems } from "./arg-checks";
import { DEFAULT_JOB_SERVICE_ACCOUNT, DEFAULT_WORKER_IMAGE, jobTimeout } from "./kubernetes-job";
import { modeProblems, type RecoveryMode } from "./mode";
import { isBucketName } from "../workers/s3-location";
import { COMPONENT_TYPES } from "./names";

export interface ClusterRedisArgs {
  readonly stack: string;
  readonly mode: RecoveryMode;
  /** The namespace of the recovery environment the StatefulSet runs in. */
  readonly namespace: pulumi.Input<string>;
  /** Where `npm run backup:redis` keeps the RDB files and their manifests. Read only. */
  readonly backups: { readonly bucket: string; readonly prefix: string };
  /** The Redis image. Defaults to `redis:7.0.15` (seed 004's Redis 7.0). */
  readonly redisImage?: string;
  /**
   * The version of that image's Redis, which decides the newest RDB it loads (`--redis-version`
   * of the restore). Defaults to the image tag's `major.minor`, so required for an untagged image.
   */
  readonly redisVersion?: string;
  /** This project's image, which holds `npm run restore:redis`. Defaults to DEFAULT_WORKER_IMAGE. */
  readonly workerImage?: string;
  /** The data volume, in GiB. Defaults to `10`. */
  readonly storageGb?: number;
  /** The volume's storage class. Defaults to the cluster's default class. */
  readonly storageClassName?: string;
  /** The service account of the pod (the init container reads the backups bucket). Defaults to `recovery-worker`. */
  readonly serviceAccountName?: string;
  /** The plan's estimate; `pulumi up` waits three times as long for Redis to be ready. Defaults to `5` (seed 004: 2-5 min). */
  readonly estimateMinutes?: number;
}

/** The official redis image runs redis-server as uid/gid 999; the volume is given to that group. */
const REDIS_GID = 999;

function versionOf(args: ClusterRedisArgs): string | undefined {
  return args.redisVersion ?? redisVersionOfImage(args.redisImage ?? DEFAULT_REDIS_IMAGE);
}

/** Pure checks of ClusterRedisArgs; an empty list means valid. */
export function validateClusterRedisArgs(name: string, args: ClusterRedisArgs): string[] {
  const problems = [...modeProblems(args.mode)];
  if (!isDnsName(name, 52)) problems.push(`name "${name}" is not a valid StatefulSet name (lowercase letters, digits, single hyphens, at most 52 characters)`);
  if (!isBucketName(args.backups.bucket)) problems.push(`backups.bucket "${args.backups.bucket}" is not an S3 bucket name`);
  const version = versionOf(args);
  problems.push(...redisVersionProblems(args.redisImage ?? DEFAULT_REDIS_IMAGE, args.redisVersion).map(describeProblem));
  if (version !== undefined && maxRdbVersionFor(version) === undefined) problems.push(`redisVersion "${version}" is not a Redis version this project knows (2.6 or later)`);
  if (args.storageGb !== undefined && (!Number.isInteger(args.storageGb) || args.storageGb < 1))
    problems.push(`storageGb must be a whole number of at least 1 (got ${args.storageGb})`);
  return problems;
}

/**
 * A `cache` step as seed 004 runs Redis (Restore 2A): a StatefulSet in the recovery namespace
 * whose init container, this project's worker image, puts the newest RDB from the backups into
 * the volume (`npm run restore:redis`, checksum and RDB version checked) before Redis starts and
 * loads it. `--if-empty` makes a restarted pod keep what its Redis saved since. The readiness
 * probe passes only once Redis answers PONG (it answers LOADING while reading the file), and
 * `pulumi up` waits for it, so services that use the cache start after it holds the data.
 */
export class ClusterRedis extends pulumi.ComponentResource {
  /** Tells the cache kinds apart where both are handled (stack outputs). */
  public readonly kind = "cluster" as const;
  /** `<name>.<namespace>.svc.cluster.local`. */
  public readonly endpoint: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** `redis://<endpoint>:6379`, a Pulumi secret like RestoredCache's, so services wire it the same way. */
  public readonly redisUrl: pulumi.Output<string>;
  /** The prefix the newest RDB was taken from; verify reads its manifest (`caches.<name>.manifest`). */
  public readonly manifest: pulumi.Output<string>;

  constructor(name: string, args: ClusterRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.ClusterRedis, name, {}, opts);
    throwIfProblems("ClusterRedis", validateClusterRedisArgs(name, args), this);

    const from = `s3://${args.backups.bucket}/${args.backups.prefix}`;
    const labels = { app: name, "recovery/step": name };
    const service = new k8s.core.v1.Service(
      `${name}-svc`,
      {
        metadata: { name, namespace: args.namespace, labels },
        // Headless: the StatefulSet's governing Service; its one pod answers the name.
        spec: { type: "ClusterIP", clusterIP: "None", selector: labels, ports: [{ name: "redis", port: 6379, targetPort: 6379 }] },
      },
      { parent: this },
    );
    new k8s.apps.v1.StatefulSet(
      `${name}-redis`,
      {
        metadata: { name, namespace: args.namespace, labels },
        spec: {
          serviceName: service.metadata.name,
          replicas: 1,
          // A drill leaves nothing behind: its claim goes with the StatefulSet. A recovery keeps the
          // restored data even if the StatefulSet is deleted by mistake.
          persistentVolumeClaimRetentionPolicy: { whenDeleted: args.mode === "drill" ? "Delete" : "Retain", whenScaled: "Retain" },
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: args.serviceAccountName ?? DEFAULT_JOB_SERVICE_ACCOUNT,
              // The init container's files get Redis's group, so Redis reads dump.rdb and saves beside it.
              securityContext: { fsGroup: REDIS_GID },
              initContainers: [
                {
                  name: "restore-rdb",
                  image: args.workerImage ?? DEFAULT_WORKER_IMAGE,
                  command: workerCommand("restore-redis", "--from", from, "--latest", "--to-dir", "/data", "--redis-version", versionOf(args)!, "--if-empty"),
                  volumeMounts: [{ name: "data", mountPath: "/data" }],
                },
              ],
              containers: [
                {
                  name: "redis",
                  image: args.redisImage ?? DEFAULT_REDIS_IMAGE,
                  // No AOF: with appendonly on, Redis would ignore the restored dump.rdb.
                  args: ["redis-server", "--dir", "/data", "--dbfilename", "dump.rdb", "--appendonly", "no"],
                  ports: [{ name: "redis", containerPort: 6379 }],
                  volumeMounts: [{ name: "data", mountPath: "/data" }],
                  // PING answers LOADING (exit 0 from redis-cli) while the RDB loads: ready means PONG.
                  readinessProbe: { exec: { command: ["sh", "-c", "redis-cli ping | grep -q PONG"] }, periodSeconds: 5, failureThreshold: 3 },
                  livenessProbe: { tcpSocket: { port: 6379 }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 },
                },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: "data" },
              spec: {
                accessModes: ["ReadWriteOnce"],
                storageClassName: args.storageClassName,
                resources: { requests: { storage: `${args.storageGb ?? 10}Gi` } },
              },
            },
          ],
        },
      },
      // The provider waits until the pod is ready (the RDB restored and loaded), up to the timeout.
      { parent: this, dependsOn: [service], customTimeouts: { create: `${jobTimeout(args.estimateMinutes ?? 5)}m`, update: `${jobTimeout(args.estimateMinutes ?? 5)}m` } },
    );

    this.endpoint = pulumi.interpolate`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`;
    this.port = pulumi.output(6379);
    this.redisUrl = pulumi.secret(pulumi.interpolate`redis://${this.endpoint}:6379`);
    this.manifest = pulumi.output(from);
    this.registerOutputs({ endpoint: this.endpoint, port: this.port, redisUrl: this.redisUrl, manifest: this.manifest });
  }
}
