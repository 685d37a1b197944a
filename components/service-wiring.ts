import type * as pulumi from "@pulumi/pulumi";
import type { PlanStep } from "../plan/types";
import type { ServiceRestore } from "../stacks/types";
import type { LogicalRestore } from "./logical-restore";
import type { ReplicaBucketSync } from "./replica-bucket-sync";
import type { ClusterRedis } from "./cluster-redis";
import type { RestoredCache } from "./restored-cache";
import type { RestoredDatabase } from "./restored-database";
import type { SecretVersions } from "./secret-versions";
import type { ServiceRedeployment, ServiceRedeploymentArgs } from "./service-redeployment";

/** What a service is given of the steps it depends on: environment variables and secrets. Not a component itself. */

/** `orders` → `ORDERS`, `order-payment` → `ORDER_PAYMENT`: names as environment variable prefixes. */
export const envName = (name: string): string => name.toUpperCase().replace(/-/g, "_");

/** The component a step created, by name; an error naming the step when the plan has not created it yet. */
export function must<T>(map: ReadonlyMap<string, T>, key: string, step: PlanStep): T {
  const found = map.get(key);
  if (found === undefined) throw new Error(`RecoveryEnvironment: step ${step.id} needs "${key}", which the plan has not created before it`);
  return found;
}

/** What the steps before a service restored, by name. */
export interface Restored {
  readonly databases: ReadonlyMap<string, RestoredDatabase | LogicalRestore>;
  readonly caches: ReadonlyMap<string, RestoredCache | ClusterRedis>;
  readonly buckets: ReadonlyMap<string, ReplicaBucketSync>;
  readonly secrets: ReadonlyMap<string, SecretVersions>;
  readonly services: ReadonlyMap<string, ServiceRedeployment>;
}

/**
 * A service's environment from the steps it waits for, and only those: `<DB>_DATABASE_URL`
 * (and DATABASE_URL for its own database), `<CACHE>_REDIS_URL` (and REDIS_URL), `<BUCKET>_BUCKET`,
 * the restored secrets' Kubernetes Secrets, and `<SERVICE>_SERVICE_URL` of the services it calls.
 */
export function serviceWiring(
  svc: ServiceRestore,
  step: PlanStep,
  r: Restored,
): Required<Pick<ServiceRedeploymentArgs, "secretEnv" | "env" | "envFromSecrets">> {
  const secretEnv: Record<string, pulumi.Input<string>> = {};
  const env: Record<string, pulumi.Input<string>> = {};
  const envFromSecrets: pulumi.Input<string>[] = [];
  const refs = svc.dependsOn.map((ref) => ({ kind: ref.slice(0, ref.indexOf(":")), name: ref.slice(ref.indexOf(":") + 1) }));
  const dbs = refs.filter((x) => x.kind === "database");
  const redis = refs.filter((x) => x.kind === "cache");
  for (const { kind, name } of refs) {
    if (kind === "database") secretEnv[`${envName(name)}_DATABASE_URL`] = must(r.databases, name, step).connectionString;
    if (kind === "cache") secretEnv[`${envName(name)}_REDIS_URL`] = must(r.caches, name, step).redisUrl;
    if (kind === "bucket") {
      const b = must(r.buckets, name, step);
      secretEnv[`${envName(name)}_BUCKET`] = b.bucketName;
      if (b.readOnly) env[`${envName(name)}_BUCKET_READ_ONLY`] = "true";
    }
    if (kind === "secret") envFromSecrets.push(must(r.secrets, name, step).kubernetesSecretName);
    if (kind === "service") env[`${envName(name)}_SERVICE_URL`] = must(r.services, name, step).url;
  }
  const ownDb = svc.migrations?.database ?? (dbs.length === 1 ? dbs[0].name : undefined);
  if (ownDb !== undefined) secretEnv.DATABASE_URL = must(r.databases, ownDb, step).connectionString;
  if (redis.length === 1) secretEnv.REDIS_URL = must(r.caches, redis[0].name, step).redisUrl;
  return { secretEnv, env, envFromSecrets };
}
