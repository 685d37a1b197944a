import type * as pulumi from "@pulumi/pulumi";
import type { PlanStep, StepKind } from "../plan/types";
import type { ServiceRestore } from "../stacks/types";
import { ClusterConfig } from "./cluster-config";
import { ClusterRedis } from "./cluster-redis";
import { LogicalRestore } from "./logical-restore";
import { MigrationJob } from "./migration-job";
import type { RecoveryEnvironmentArgs } from "./recovery-environment";
import { ReplicaBucketSync } from "./replica-bucket-sync";
import { RestoredCache } from "./restored-cache";
import { RestoredDatabase } from "./restored-database";
import { SecretVersions } from "./secret-versions";
import { ServiceRedeployment } from "./service-redeployment";
import { must, serviceWiring } from "./service-wiring";
import { SmokeGate } from "./smoke-gate";
import { TrafficCutover } from "./traffic-cutover";

/**
 * Which component each plan step kind becomes, and what of the config it is given: the table
 * RecoveryEnvironment walks in plan order. Not a component itself.
 */

export type Database = RestoredDatabase | LogicalRestore;

/** The components built so far, by kind: what later steps read (along the plan's edges only). */
export interface Built {
  /** Every step's component, by plan step id (`database:orders`). */
  readonly components: Map<string, pulumi.ComponentResource>;
  readonly databases: Map<string, Database>;
  readonly caches: Map<string, RestoredCache | ClusterRedis>;
  readonly buckets: Map<string, ReplicaBucketSync>;
  readonly secrets: Map<string, SecretVersions>;
  readonly services: Map<string, ServiceRedeployment>;
  traffic?: TrafficCutover;
}

export const builtSoFar = (): Built => ({
  components: new Map(),
  databases: new Map(),
  caches: new Map(),
  buckets: new Map(),
  secrets: new Map(),
  services: new Map(),
});

export interface StepContext {
  readonly args: RecoveryEnvironmentArgs;
  readonly built: Built;
}

/** Builds one step's component under `name`, with the options (parent, dependsOn) the plan gives it. */
export type StepComponent = (name: string, step: PlanStep, context: StepContext, opts: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

/** Keeps `value` under `key` for the steps after it, and returns it. */
function keep<T>(map: Map<string, T>, key: string, value: T): T {
  map.set(key, value);
  return value;
}

function byName<T extends { readonly name: string }>(list: readonly T[], step: PlanStep): T {
  const found = list.find((x) => x.name === step.name);
  if (found === undefined) throw new Error(`RecoveryEnvironment: step ${step.id} has no ${step.kind} named "${step.name}" in the config`);
  return found;
}

const database: StepComponent = (name, step, { args, built }, o) => {
  const { config } = args;
  const d = byName(config.databases, step);
  const target = {
    stack: config.stack,
    mode: config.mode,
    sourceNames: config.sourceNames,
    source: d.source,
    identifier: d.identifier,
    instanceClass: d.instanceClass,
    multiAz: d.multiAz,
    timeouts: config.timeouts.database,
    configuration: d.configuration,
  };
  const db =
    d.method === "logical"
      ? new LogicalRestore(
          name,
          {
            ...target,
            dumps: d.source.dumps,
            engineVersion: d.source.engineVersion,
            namespace: config.cluster.namespace,
            image: args.workerImage ?? config.workerImage,
            estimateMinutes: d.estimateMinutes,
            restoreRun: d.restoreRun,
          },
          o,
        )
      : d.method === "snapshot"
        ? new RestoredDatabase(name, { ...target, method: "snapshot", snapshot: d.snapshot, rotatePassword: d.rotatePassword }, o)
        : new RestoredDatabase(name, { ...target, method: "point-in-time", restoreTime: d.restoreTime, rotatePassword: d.rotatePassword }, o);
  return keep(built.databases, d.name, db);
};

// Both cache kinds are the same `cache` step with the same edges and a `redisUrl`, so services wait and wire alike.
const cache: StepComponent = (name, step, { args, built }, o) => {
  const { config } = args;
  const c = byName(config.caches, step);
  const created =
    c.kind === "cluster"
      ? new ClusterRedis(
          name,
          {
            stack: config.stack,
            mode: config.mode,
            namespace: config.cluster.namespace,
            backups: c.rdb,
            redisImage: c.redisImage,
            redisVersion: c.redisVersion,
            workerImage: args.workerImage ?? config.workerImage,
            storageGb: c.storageGb,
            storageClassName: c.storageClassName,
            estimateMinutes: c.estimateMinutes,
          },
          o,
        )
      : new RestoredCache(
          name,
          {
            stack: config.stack,
            mode: config.mode,
            sourceReplicationGroupId: c.source.replicationGroupId,
            replicationGroupId: c.replicationGroupId,
            snapshot: c.snapshot,
            nodeType: c.nodeType,
            parameterGroupName: c.parameterGroup,
            numCacheClusters: c.source.numCacheClusters,
            subnetGroup: c.source.subnetGroup,
            securityGroupIds: c.source.securityGroupIds,
            kmsKeyId: c.source.kmsKeyId,
            snapshotRetentionDays: c.source.snapshotRetentionDays,
            lookup: args.cacheSnapshotLookup,
          },
          o,
        );
  return keep(built.caches, c.name, created);
};

const bucket: StepComponent = (name, step, { args, built }, o) => {
  const { config } = args;
  const b = byName(config.buckets, step);
  const sync = new ReplicaBucketSync(
    name,
    {
      stack: config.stack,
      mode: config.mode,
      sourceNames: config.sourceNames,
      strategy: b.mode,
      sourceBucket: b.source.bucket,
      replica: b.source.replica,
      bucket: b.mode === "rebuild" ? b.bucket : undefined,
      namespace: b.mode === "rebuild" ? config.cluster.namespace : undefined,
      image: args.workerImage ?? config.workerImage,
      estimateMinutes: b.estimateMinutes,
      policy: b.policy,
      public: b.public,
      cors: b.cors,
      lifecycle: b.lifecycle,
      ownership: b.ownership,
      logging: b.logging,
    },
    o,
  );
  return keep(built.buckets, b.name, sync);
};

/** One factory per plan step kind; a kind without one does not compile. */
export const STEP_COMPONENTS: Readonly<Record<StepKind, StepComponent>> = {
  "cluster-config": (name, _step, { args: { config } }, o) =>
    new ClusterConfig(
      name,
      { namespace: config.cluster.namespace, sourceNamespace: config.cluster.sourceNamespace, manifests: config.cluster.manifests, stack: config.stack },
      o,
    ),
  secret: (name, step, { args: { config }, built }, o) => {
    const s = byName(config.secrets, step);
    const versions = new SecretVersions(
      name,
      {
        secretId: s.source.secretId,
        versionStage: s.versionStage,
        versionId: s.versionId,
        recoverySecretId: s.recoverySecretId,
        namespace: config.cluster.namespace,
        kubernetesSecretName: `${s.source.kubernetesSecret}-${s.name}`,
        key: s.source.key,
        sourceNames: config.sourceNames,
      },
      o,
    );
    return keep(built.secrets, s.name, versions);
  },
  database,
  migration: (name, step, { args: { config }, built }, o) => {
    const svc = byName(config.services, step);
    const m = svc.migrations as NonNullable<ServiceRestore["migrations"]>;
    return new MigrationJob(
      name,
      {
        service: svc.name,
        image: svc.image,
        command: m.command,
        databaseUrl: must(built.databases, m.database, step).connectionString,
        namespace: config.cluster.namespace,
        estimateMinutes: m.estimateMinutes,
      },
      o,
    );
  },
  cache,
  bucket,
  service: (name, step, { args: { config }, built }, o) => {
    const svc = byName(config.services, step);
    const wiring = serviceWiring(svc, step, built);
    const deployed = new ServiceRedeployment(
      name,
      { service: svc.name, image: svc.image, port: svc.port, healthPath: svc.healthPath, replicas: svc.replicas, namespace: config.cluster.namespace, gateway: svc.gateway, ...wiring },
      o,
    );
    return keep(built.services, svc.name, deployed);
  },
  smoke: (name, step, { args: { config }, built }, o) => {
    const gw = must(built.services, step.name, step);
    const gateway = config.services.find((s) => s.gateway);
    const tests = config.smoke.length > 0 ? config.smoke : [{ name: "gateway-health", method: "GET" as const, path: gateway?.healthPath ?? "/health", expectStatus: 200 }];
    return new SmokeGate(name, { gatewayUrl: gw.url, tests, namespace: config.cluster.namespace, estimateMinutes: step.estimateMinutes }, o);
  },
  traffic: (name, step, { args: { config }, built }, o) => {
    // The Service's name as plain text: an Output of it would add an edge to the service
    // step, which the plan reaches only through the smoke step.
    const svc = byName(config.services, step);
    built.traffic = new TrafficCutover(name, { gatewayServiceName: svc.name, gatewayPort: svc.port, namespace: config.cluster.namespace, timeout: config.timeouts.traffic.create }, o);
    return built.traffic;
  },
};
