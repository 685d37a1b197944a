import * as pulumi from "@pulumi/pulumi";
import type { RecoveryPlan } from "../plan/types";
import type { RecoveryConfig } from "../stacks/types";
import type { ClusterRedis } from "./cluster-redis";
import type { ReplicaBucketSync } from "./replica-bucket-sync";
import type { CacheSnapshotLookup, RestoredCache } from "./restored-cache";
import type { SecretVersions } from "./secret-versions";
import type { ServiceRedeployment } from "./service-redeployment";
import { builtSoFar, STEP_COMPONENTS, type Database } from "./step-components";
import { stackOutputs, type ProgramOutputs } from "./stack-outputs";
import type { TrafficCutover } from "./traffic-cutover";
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

    const built = builtSoFar();
    for (const step of args.plan.steps) {
      const o: pulumi.ComponentResourceOptions = {
        parent: this,
        dependsOn: step.dependsOn.map((id) => built.components.get(id) as pulumi.ComponentResource),
      };
      built.components.set(step.id, STEP_COMPONENTS[step.kind](componentName(step), step, { args, built }, o));
    }

    const { components, databases, caches, buckets, secrets, services } = built;
    this.traffic = built.traffic;
    this.components = components;
    this.databases = databases;
    this.caches = caches;
    this.buckets = buckets;
    this.secrets = secrets;
    this.services = services;
    this.outputs = stackOutputs(args.config, args.plan, this);
    this.registerOutputs({});
  }
}
