import type { EstimateKind } from "../stacks/estimates";
import type { DatabaseRestore, RecoveryConfig } from "../stacks/types";
import { estimateSource } from "./estimate-source";
import type { DatabaseRestorePlan, EstimateSource, StepKind } from "./types";

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
  readonly estimateSource?: EstimateSource;
  /** A database step: its method and restore point. */
  readonly restore?: DatabaseRestorePlan;
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
  const from = (kind: EstimateKind, minutes: number, itemKey?: string) => ({ estimateMinutes: minutes, estimateSource: estimateSource(config, kind, minutes, itemKey) });
  const steps: StepSpec[] = [
    { id: cluster, kind: "cluster-config", name: config.cluster.namespace, dependsOn: [], ...from("clusterConfig", config.cluster.estimateMinutes, "recovery:cluster.estimateMinutes") },
  ];

  // Kubernetes Secrets live in the namespace.
  config.secrets.forEach((s, i) =>
    steps.push({ id: stepId("secret", s.name), kind: "secret", name: s.name, dependsOn: [cluster], ...from("secret", s.estimateMinutes, `recovery:secrets[${i}].estimateMinutes`), tier: s.source.tier ?? STACK_TIER }),
  );

  // RDS restores need nothing of ours; a logical restore runs as a Job in the cluster.
  config.databases.forEach((d, i) =>
    steps.push({
      id: stepId("database", d.name),
      kind: "database",
      name: d.name,
      dependsOn: d.method === "logical" ? [cluster] : [],
      ...from(d.method === "point-in-time" ? "pointInTime" : d.method, d.estimateMinutes, `recovery:databases[${i}].estimateMinutes`),
      tier: d.source.tier ?? STACK_TIER,
      restore: restoreOf(d),
    }),
  );

  const migrationsOf = new Map<string, string[]>();
  config.services.forEach((svc, i) => {
    if (!svc.migrations) return;
    const id = stepId("migration", svc.name);
    steps.push({
      id,
      kind: "migration",
      name: svc.name,
      dependsOn: [cluster, stepId("database", svc.migrations.database)],
      ...from("migration", svc.migrations.estimateMinutes, `recovery:services[${i}].migrations.estimateMinutes`),
    });
    migrationsOf.set(svc.migrations.database, [...(migrationsOf.get(svc.migrations.database) ?? []), id]);
  });

  // ElastiCache needs nothing of ours; a cluster cache is a StatefulSet in the namespace, run by its service account.
  config.caches.forEach((c, i) =>
    steps.push({
      id: stepId("cache", c.name),
      kind: "cache",
      name: c.name,
      dependsOn: c.kind === "cluster" ? [cluster] : [],
      ...from("cache", c.estimateMinutes, `recovery:caches[${i}].estimateMinutes`),
      tier: c.source.tier ?? STACK_TIER,
    }),
  );

  // A rebuild is filled by a sync Job in the cluster; a promoted replica needs nothing.
  config.buckets.forEach((b, i) =>
    steps.push({
      id: stepId("bucket", b.name),
      kind: "bucket",
      name: b.name,
      dependsOn: b.mode === "rebuild" ? [cluster] : [],
      ...from(b.mode === "promote" ? "bucketPromote" : "bucketSync", b.estimateMinutes, `recovery:buckets[${i}].estimateMinutes`),
      tier: b.source.tier ?? STACK_TIER,
    }),
  );

  const gateway = config.services.find((s) => s.gateway);
  config.services.forEach((svc, i) => {
    const deps = new Set<string>([cluster, ...svc.dependsOn]);
    if (svc.migrations) deps.add(stepId("migration", svc.name));
    // A service that uses a database waits for every migration of that database.
    for (const ref of svc.dependsOn)
      if (ref.startsWith("database:")) for (const m of migrationsOf.get(ref.slice("database:".length)) ?? []) deps.add(m);
    // The gateway gates all traffic: it comes up last, after every other service.
    if (svc === gateway) for (const other of config.services) if (other !== svc) deps.add(stepId("service", other.name));
    steps.push({ id: stepId("service", svc.name), kind: "service", name: svc.name, dependsOn: [...deps], ...from("service", svc.estimateMinutes, `recovery:services[${i}].estimateMinutes`) });
  });

  if (gateway) {
    const smoke = stepId("smoke", gateway.name);
    steps.push({ id: smoke, kind: "smoke", name: gateway.name, dependsOn: [stepId("service", gateway.name)], ...from("smoke", config.estimates.smoke) });
    // Drills never take traffic; a recovery takes it only once the smoke tests have passed.
    if (config.mode === "recovery" && config.trafficCutover)
      steps.push({ id: stepId("traffic", gateway.name), kind: "traffic", name: gateway.name, dependsOn: [smoke], ...from("traffic", config.estimates.traffic) });
  }
  return steps;
}

/** A database's method and restore point, as the components will use them. */
function restoreOf(d: DatabaseRestore): DatabaseRestorePlan {
  switch (d.method) {
    case "point-in-time":
      return { method: d.method, restorePoint: d.restoreTime, from: d.source.identifier };
    case "snapshot":
      return { method: d.method, restorePoint: d.snapshot, from: d.source.identifier };
    case "logical":
      return { method: d.method, restorePoint: "latest", from: `s3://${d.source.dumps.bucket}/${d.source.dumps.prefix}` };
  }
}
