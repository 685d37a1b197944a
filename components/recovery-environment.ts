import * as pulumi from "@pulumi/pulumi";
import type { PlanStep, RecoveryPlan } from "../plan/types";
import type { RecoveryConfig, ServiceRestore } from "../stacks/types";
import { ClusterConfig } from "./cluster-config";
import { ClusterRedis } from "./cluster-redis";
import { LogicalRestore } from "./logical-restore";
import { MigrationJob } from "./migration-job";
import { ReplicaBucketSync } from "./replica-bucket-sync";
import { RestoredCache, type CacheSnapshotLookup } from "./restored-cache";
import { RestoredDatabase } from "./restored-database";
import { SecretVersions } from "./secret-versions";
import { ServiceRedeployment } from "./service-redeployment";
import { must, serviceWiring } from "./service-wiring";
import { SmokeGate } from "./smoke-gate";
import { stackOutputs, type ProgramOutputs } from "./stack-outputs";
import { TrafficCutover } from "./traffic-cutover";
import { COMPONENT_TYPES, componentName } from "./names";

export interface RecoveryEnvironmentArgs {
  /** The validated stack (stacks/ loader). */
  readonly config: RecoveryConfig;
  /** The plan built from that config: its steps become components, its edges their `dependsOn`. */
  readonly plan: RecoveryPlan;
  /** The Jobs' image (restore, sync). Defaults to `config.workerImage`, then DEFAULT_WORKER_IMAGE. */
  readonly workerImage?: string;
  /** The cache "latest" snapshot lookup. Defaults to RestoredCache's (the AWS SDK's). */
  readonly cacheSnapshotLookup?: CacheSnapshotLookup;
}

/** Pure checks of RecoveryEnvironmentArgs: the plan must be the plan of this config. */
export function validateRecoveryEnvironmentArgs(args: RecoveryEnvironmentArgs): string[] {
  const problems: string[] = [];
  if (args.plan.stack !== args.config.stack)
    problems.push(`the plan is stack "${args.plan.stack}"'s, but the config is stack "${args.config.stack}"'s; build the plan from this config`);
  const seen = new Set<string>();
  for (const step of args.plan.steps) {
    for (const dep of step.dependsOn)
      if (!seen.has(dep)) problems.push(`step ${step.id} depends on ${dep}, which does not come before it; steps must be in dependency order (buildPlan's)`);
    seen.add(step.id);
  }
  return problems;
}

type Database = RestoredDatabase | LogicalRestore;

/**
 * The whole restore: one component per plan step, created in plan order, each with `dependsOn`
 * exactly the components of the steps the plan says it waits for. Data flows between them only
 * along those same edges (a service reads its own databases', caches' and buckets' outputs).
 */
export class RecoveryEnvironment extends pulumi.ComponentResource {
  /** Every step's component, by plan step id (`database:orders`). */
  public readonly components: ReadonlyMap<string, pulumi.ComponentResource>;
  public readonly databases: ReadonlyMap<string, Database>;
  public readonly caches: ReadonlyMap<string, RestoredCache | ClusterRedis>;
  public readonly buckets: ReadonlyMap<string, ReplicaBucketSync>;
  public readonly secrets: ReadonlyMap<string, SecretVersions>;
  public readonly services: ReadonlyMap<string, ServiceRedeployment>;
  public readonly traffic?: TrafficCutover;
  /** The stack outputs (the contract in stacks/outputs.ts): what index.ts exports, verify and the drill read. */
  public readonly outputs: ProgramOutputs;

  constructor(name: string, args: RecoveryEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.RecoveryEnvironment, name, {}, opts);
    const problems = validateRecoveryEnvironmentArgs(args);
    if (problems.length > 0) throw new pulumi.ResourceError(`RecoveryEnvironment: ${problems.join("; ")}`, this);

    const { config } = args;
    const namespace = config.cluster.namespace;
    const image = args.workerImage ?? config.workerImage;
    const components = new Map<string, pulumi.ComponentResource>();
    const databases = new Map<string, Database>();
    const caches = new Map<string, RestoredCache | ClusterRedis>();
    const buckets = new Map<string, ReplicaBucketSync>();
    const secrets = new Map<string, SecretVersions>();
    const services = new Map<string, ServiceRedeployment>();
    const gateway = config.services.find((s) => s.gateway);
    const common = { stack: config.stack, mode: config.mode, sourceNames: config.sourceNames };

    for (const step of args.plan.steps) {
      const name = componentName(step);
      const o: pulumi.ComponentResourceOptions = {
        parent: this,
        dependsOn: step.dependsOn.map((id) => components.get(id) as pulumi.ComponentResource),
      };
      let created: pulumi.ComponentResource;
      switch (step.kind) {
        case "cluster-config":
          created = new ClusterConfig(name, { namespace, sourceNamespace: config.cluster.sourceNamespace, manifests: config.cluster.manifests, stack: config.stack }, o);
          break;
        case "secret": {
          const s = byName(config.secrets, step);
          created = new SecretVersions(
            name,
            {
              secretId: s.source.secretId,
              versionStage: s.versionStage,
              versionId: s.versionId,
              recoverySecretId: s.recoverySecretId,
              namespace,
              kubernetesSecretName: `${s.source.kubernetesSecret}-${s.name}`,
              key: s.source.key,
              sourceNames: config.sourceNames,
            },
            o,
          );
          secrets.set(s.name, created as SecretVersions);
          break;
        }
        case "database": {
          const d = byName(config.databases, step);
          const target = {
            ...common,
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
                  { ...target, dumps: d.source.dumps, engineVersion: d.source.engineVersion, namespace, image, estimateMinutes: d.estimateMinutes, restoreRun: d.restoreRun },
                  o,
                )
              : d.method === "snapshot"
                ? new RestoredDatabase(name, { ...target, method: "snapshot", snapshot: d.snapshot, rotatePassword: d.rotatePassword }, o)
                : new RestoredDatabase(name, { ...target, method: "point-in-time", restoreTime: d.restoreTime, rotatePassword: d.rotatePassword }, o);
          databases.set(d.name, db);
          created = db;
          break;
        }
        case "migration": {
          const svc = byName(config.services, step);
          const m = svc.migrations as NonNullable<ServiceRestore["migrations"]>;
          created = new MigrationJob(
            name,
            { service: svc.name, image: svc.image, command: m.command, databaseUrl: must(databases, m.database, step).connectionString, namespace, estimateMinutes: m.estimateMinutes },
            o,
          );
          break;
        }
        case "cache": {
          const c = byName(config.caches, step);
          // Both kinds are the same `cache` step with the same edges and a `redisUrl`, so services wait and wire alike.
          const cache =
            c.kind === "cluster"
              ? new ClusterRedis(
                  name,
                  {
                    stack: config.stack,
                    mode: config.mode,
                    namespace,
                    backups: c.rdb,
                    redisImage: c.redisImage,
                    redisVersion: c.redisVersion,
                    workerImage: image,
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
          caches.set(c.name, cache);
          created = cache;
          break;
        }
        case "bucket": {
          const b = byName(config.buckets, step);
          const sync = new ReplicaBucketSync(
            name,
            {
              ...common,
              strategy: b.mode,
              sourceBucket: b.source.bucket,
              replica: b.source.replica,
              bucket: b.mode === "rebuild" ? b.bucket : undefined,
              namespace: b.mode === "rebuild" ? namespace : undefined,
              image,
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
          buckets.set(b.name, sync);
          created = sync;
          break;
        }
        case "service": {
          const svc = byName(config.services, step);
          const wiring = serviceWiring(svc, step, { databases, caches, buckets, secrets, services });
          const deployed = new ServiceRedeployment(
            name,
            { service: svc.name, image: svc.image, port: svc.port, healthPath: svc.healthPath, replicas: svc.replicas, namespace, gateway: svc.gateway, ...wiring },
            o,
          );
          services.set(svc.name, deployed);
          created = deployed;
          break;
        }
        case "smoke": {
          const gw = must(services, step.name, step);
          const tests = config.smoke.length > 0 ? config.smoke : [{ name: "gateway-health", method: "GET" as const, path: gateway?.healthPath ?? "/health", expectStatus: 200 }];
          created = new SmokeGate(name, { gatewayUrl: gw.url, tests, namespace, estimateMinutes: step.estimateMinutes }, o);
          break;
        }
        case "traffic": {
          // The Service's name as plain text: an Output of it would add an edge to the service
          // step, which the plan reaches only through the smoke step.
          const svc = byName(config.services, step);
          this.traffic = new TrafficCutover(name, { gatewayServiceName: svc.name, gatewayPort: svc.port, namespace, timeout: config.timeouts.traffic.create }, o);
          created = this.traffic;
          break;
        }
      }
      components.set(step.id, created);
    }

    this.components = components;
    this.databases = databases;
    this.caches = caches;
    this.buckets = buckets;
    this.secrets = secrets;
    this.services = services;
    this.outputs = stackOutputs(config, args.plan, this);
    this.registerOutputs({});
  }
}

function byName<T extends { readonly name: string }>(list: readonly T[], step: PlanStep): T {
  const found = list.find((x) => x.name === step.name);
  if (found === undefined) throw new Error(`RecoveryEnvironment: step ${step.id} has no ${step.kind} named "${step.name}" in the config`);
  return found;
}
