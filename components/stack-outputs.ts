import * as pulumi from "@pulumi/pulumi";
import type { RecoveryPlan } from "../plan/types";
import { parseIsoTime } from "../scripts/lib/iso-time";
import type { StackOutputsInput } from "../stacks/outputs";
import type { RecoveryConfig } from "../stacks/types";
import type { LogicalRestore } from "./logical-restore";
import type { ReplicaBucketSync } from "./replica-bucket-sync";
import type { ClusterRedis } from "./cluster-redis";
import type { RestoredCache } from "./restored-cache";
import type { RestoredDatabase } from "./restored-database";
import type { SecretVersions } from "./secret-versions";
import type { ServiceRedeployment } from "./service-redeployment";
import type { TrafficCutover } from "./traffic-cutover";

/** The program's stack outputs, built from the environment's components (the contract is stacks/outputs.ts). Not a component itself. */

/**
 * A plain shape as a program builds it: every value may still be an Output, at any depth (Pulumi
 * resolves nested Outputs in stack exports). Optional keys stay optional; the compiler checks
 * the program's exports against the contract's own input type this way.
 */
export type Unresolved<T> = [Exclude<T, undefined>] extends [object]
  ? [Exclude<T, undefined>] extends [readonly unknown[]]
    ? pulumi.Input<T>
    : { [K in keyof Exclude<T, undefined>]: Unresolved<Exclude<T, undefined>[K]> }
  : pulumi.Input<T>;

/** The stack outputs contract (stacks/outputs.ts) as the program exports it. */
export type ProgramOutputs = Unresolved<StackOutputsInput>;

/** One entry of a per-name group (`databases.<name>`): annotating each builder with it keeps excess-property checks. */
type Entry<K extends "databases" | "connectionStrings" | "caches" | "buckets" | "secrets" | "services"> =
  NonNullable<ProgramOutputs[K]> extends Readonly<Record<string, infer E>> ? E : never;

export interface RestoredParts {
  readonly databases: ReadonlyMap<string, RestoredDatabase | LogicalRestore>;
  readonly caches: ReadonlyMap<string, RestoredCache | ClusterRedis>;
  readonly buckets: ReadonlyMap<string, ReplicaBucketSync>;
  readonly secrets: ReadonlyMap<string, SecretVersions>;
  readonly services: ReadonlyMap<string, ServiceRedeployment>;
  readonly traffic?: TrafficCutover;
}

const byName = <T, R>(map: ReadonlyMap<string, T>, f: (value: T, name: string) => R): Record<string, R> =>
  Object.fromEntries([...map].map(([name, value]) => [name, f(value, name)]));

function find<T extends { readonly name: string }>(list: readonly T[], name: string): T {
  const found = list.find((x) => x.name === name);
  if (found === undefined) throw new Error(`stack outputs: nothing named "${name}" in the config`);
  return found;
}

/** A cache's entry: how verify reaches it (its URL a Pulumi secret) and, for an RDB restore, which manifest to count against. */
export function cacheOutput(c: RestoredCache | ClusterRedis): Entry<"caches"> {
  return c.kind === "elasticache"
    ? { kind: "elasticache", replicationGroupId: c.replicationGroupId, endpoint: c.endpoint, port: c.port, tls: c.tls, url: c.redisUrl }
    : { kind: "cluster", endpoint: c.endpoint, port: c.port, tls: false, url: c.redisUrl, manifest: c.manifest };
}

/** What `npm run verify` and `npm run drill` read (docs/verify.md has the contract). */
export function stackOutputs(config: RecoveryConfig, plan: RecoveryPlan, parts: RestoredParts): ProgramOutputs {
  const gateway = config.services.find((s) => s.gateway);
  const inCluster = gateway ? parts.services.get(gateway.name)?.url : undefined;
  const hostname = parts.traffic?.hostname;
  return {
    recoveryPlan: plan,
    namespace: config.cluster.namespace,
    gatewayUrl: hostname && inCluster ? pulumi.all([hostname, inCluster]).apply(([h, url]) => (h ? `https://${h}` : url)) : inCluster,
    gatewayHostname: hostname,
    databases: byName(parts.databases, (d, name): Entry<"databases"> => ({
      identifier: d.identifier,
      endpoint: d.endpoint,
      port: d.port,
      database: find(config.databases, name).source.dbName,
      // "latest" and "newest dump" are not times: only a resolved ISO time is a restore point to measure RPO by.
      restorePoint: d.restorePoint.apply((p) => (parseIsoTime(p) === undefined ? undefined : p)),
    })),
    connectionStrings: byName(parts.databases, (d): Entry<"connectionStrings"> => d.connectionString),
    caches: byName(parts.caches, (c) => cacheOutput(c)),
    buckets: byName(parts.buckets, (b, name): Entry<"buckets"> => {
      const c = find(config.buckets, name);
      return { bucket: b.bucketName, mode: c.mode, replica: c.source.replica.bucket, syncedAt: b.syncStartedAt };
    }),
    secrets: byName(parts.secrets, (s, name): Entry<"secrets"> => {
      const c = find(config.secrets, name);
      return { secretId: c.source.secretId, versionId: s.restoredVersionId, kubernetesSecret: s.kubernetesSecretName, key: c.source.key };
    }),
    services: byName(parts.services, (s): Entry<"services"> => ({ url: s.url })),
  };
}
