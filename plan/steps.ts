import type { RecoveryConfig } from "../stacks/types";
import type { StepKind } from "./types";

/** A step before scheduling: what it is and what it waits for. */
export interface StepSpec {
  readonly id: string;
  readonly kind: StepKind;
  readonly name: string;
  readonly dependsOn: string[];
  readonly estimateMinutes: number;
  /**
   * An inventory item's step (secret, database, cache, bucket): its `tier`, or `stack` when it
   * names none (judged against `recovery:objectives`). Undefined for the steps around the items.
   */
  readonly tier?: string;
  /** Where the estimate came from, when the plan names it (caches: the item, the stack, or seed 004's table). */
  readonly estimateSource?: string;
}

/** The tier of an item that names none: the stack's own objectives (as readiness names it). */
export const STACK_TIER = "stack";

export const stepId = (kind: StepKind, name: string): string => `${kind}:${name}`;

/**
 * The steps of the restore and their real dependencies (seed 004's "Full Environment Restore
 * Order", minus the waits the runbook imposes only because a person does one thing at a time).
 */
export function stepsFor(config: RecoveryConfig): StepSpec[] {
  const cluster = stepId("cluster-config", config.cluster.namespace);
  const steps: StepSpec[] = [
    { id: cluster, kind: "cluster-config", name: config.cluster.namespace, dependsOn: [], estimateMinutes: config.cluster.estimateMinutes },
  ];

  // Kubernetes Secrets live in the namespace.
  for (const s of config.secrets)
    steps.push({ id: stepId("secret", s.name), kind: "secret", name: s.name, dependsOn: [cluster], estimateMinutes: s.estimateMinutes, tier: s.source.tier ?? STACK_TIER });

  // RDS restores need nothing of ours; a logical restore runs as a Job in the cluster.
  for (const d of config.databases)
    steps.push({
      id: stepId("database", d.name),
      kind: "database",
      name: d.name,
      dependsOn: d.method === "logical" ? [cluster] : [],
      estimateMinutes: d.estimateMinutes,
      tier: d.source.tier ?? STACK_TIER,
    });

  const migrationsOf = new Map<string, string[]>();
  for (const svc of config.services) {
    if (!svc.migrations) continue;
    const id = stepId("migration", svc.name);
    steps.push({
      id,
      kind: "migration",
      name: svc.name,
      dependsOn: [cluster, stepId("database", svc.migrations.database)],
      estimateMinutes: svc.migrations.estimateMinutes,
    });
    migrationsOf.set(svc.migrations.database, [...(migrationsOf.get(svc.migrations.database) ?? []), id]);
  }

  // ElastiCache needs nothing of ours; a cluster cache is a StatefulSet in the namespace, run by its service account.
  for (const c of config.caches)
    steps.push({
      id: stepId("cache", c.name),
      kind: "cache",
      name: c.name,
      dependsOn: c.kind === "cluster" ? [cluster] : [],
      estimateMinutes: c.estimateMinutes,
      estimateSource: c.estimateSource,
      tier: c.source.tier ?? STACK_TIER,
    });

  // A rebuild is filled by a sync Job in the cluster; a promoted replica needs nothing.
  for (const b of config.buckets)
    steps.push({
      id: stepId("bucket", b.name),
      kind: "bucket",
      name: b.name,
      dependsOn: b.mode === "rebuild" ? [cluster] : [],
      estimateMinutes: b.estimateMinutes,
      tier: b.source.tier ?? STACK_TIER,
    });

  const gateway = config.services.find((s) => s.gateway);
  for (const svc of config.services) {
    const deps = new Set<string>([cluster, ...svc.dependsOn]);
    if (svc.migrations) deps.add(stepId("migration", svc.name));
    // A service that uses a database waits for every migration of that database.
    for (const ref of svc.dependsOn)
      if (ref.startsWith("database:")) for (const m of migrationsOf.get(ref.slice("database:".length)) ?? []) deps.add(m);
    // The gateway gates all traffic: it comes up last, after every other service.
    if (svc === gateway) for (const other of config.services) if (other !== svc) deps.add(stepId("service", other.name));
    steps.push({ id: stepId("service", svc.name), kind: "service", name: svc.name, dependsOn: [...deps], estimateMinutes: svc.estimateMinutes });
  }

  if (gateway) {
    const smoke = stepId("smoke", gateway.name);
    steps.push({ id: smoke, kind: "smoke", name: gateway.name, dependsOn: [stepId("service", gateway.name)], estimateMinutes: config.estimates.smoke });
    // Drills never take traffic; a recovery takes it only once the smoke tests have passed.
    if (config.mode === "recovery" && config.trafficCutover)
      steps.push({ id: stepId("traffic", gateway.name), kind: "traffic", name: gateway.name, dependsOn: [smoke], estimateMinutes: config.estimates.traffic });
  }
  return steps;
}
