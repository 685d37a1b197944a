import { namespaceProblems } from "../checks/namespace";
import { restoreTimeProblems } from "../checks/restore-time";
import { DEFAULT_ESTIMATES, type EstimateKind } from "../estimates";
import { under, type Problem } from "../problems";
import type { Inventory, RestoreStack } from "../schema";
import type { RecoveryConfig, ServiceRestore } from "../types";
import { resolveBucket, sharedLogBucketProblems } from "./buckets";
import { resolveCache } from "./caches";
import type { ResolveContext, Resolved } from "./context";
import { createTimeoutProblems, resolveDatabase } from "./databases";
import { resolveSecret } from "./secrets";
import { sourceNamesOf } from "./source-names";

export { checkDrillIsolation } from "./isolation";
export { sourceNamesOf } from "./source-names";

/**
 * Joins a validated restore stack with its inventory, and checks what needs both. Each kind
 * resolves in its own module; the checks a component makes too come from stacks/checks, so the
 * loader and the component say the same thing. Problems carry paths; the loader makes key paths.
 */
export function resolveRestoreStack(
  stackName: string,
  stack: RestoreStack,
  inv: Inventory,
  now: Date,
): { config: RecoveryConfig; problems: Problem[] } {
  const sourceNames = sourceNamesOf(inv);
  const ctx: ResolveContext = {
    stack,
    inventory: inv,
    suffix: stack.suffix,
    estimates: { ...DEFAULT_ESTIMATES, ...stripUndefined(inv.estimates) } as Record<EstimateKind, number>,
    sourceNames: new Set(sourceNames),
    now,
  };
  const problems: Problem[] = [...unknownOverrides(stack, inv), ...stackProblems(ctx)];
  const all = <S, T>(sources: readonly S[], resolve: (source: S, ctx: ResolveContext) => Resolved<T>): T[] =>
    sources.map((source) => {
      const resolved = resolve(source, ctx);
      problems.push(...resolved.problems);
      return resolved.value;
    });

  const namespace = stack.namespace ?? `${inv.cluster.namespace}-${ctx.suffix}`;
  problems.push(
    ...namespaceProblems(namespace, inv.cluster.namespace, `${inv.cluster.namespace}-${ctx.suffix}`).map((p) =>
      stack.namespace ? p : { ...p, path: ["suffix"] },
    ),
  );
  const databases = all(inv.databases, resolveDatabase);
  problems.push(...createTimeoutProblems(stack.timeouts?.database.create, databases));
  const caches = all(inv.caches, resolveCache);
  const buckets = all(inv.buckets, resolveBucket);
  problems.push(...sharedLogBucketProblems(buckets, stack));
  const secrets = all(inv.secrets, resolveSecret);
  const services = inv.services.map((s) => resolveService(s, ctx));

  const targetNames = [
    namespace,
    ...databases.map((d) => d.identifier),
    // A cluster cache's StatefulSet lives in the namespace above, named by the step.
    ...caches.flatMap((c) => (c.kind === "elasticache" ? [c.replicationGroupId] : [])),
    ...buckets.filter((b) => b.mode === "rebuild").map((b) => b.bucket),
    ...buckets.flatMap((b) => (b.logging ? [b.logging.targetBucket] : [])),
    ...secrets.flatMap((s) => (s.recoverySecretId ? [s.recoverySecretId] : [])),
  ];

  const config: RecoveryConfig = {
    stack: stackName,
    mode: stack.mode,
    source: stack.source,
    region: inv.region,
    objectives: inv.objectives,
    tiers: inv.tiers,
    coverage: inv.coverage,
    suffix: ctx.suffix,
    restorePoint: stack.restorePoint,
    failureTime: stack.failureTime,
    deletionProtection: stack.deletionProtection,
    trafficCutover: stack.trafficCutover,
    workerImage: stack.workerImage,
    estimates: ctx.estimates,
    timeouts: stack.timeouts ?? { database: {}, traffic: {} },
    cluster: {
      sourceNamespace: inv.cluster.namespace,
      namespace,
      manifests: inv.cluster.manifests,
      estimateMinutes: inv.cluster.estimateMinutes ?? ctx.estimates.clusterConfig,
    },
    databases,
    caches,
    buckets,
    secrets,
    services,
    smoke: inv.smoke,
    sourceNames,
    targetNames,
  };
  return { config, problems };
}

/** The stack's own settings against its mode, and the restore point against the shortest backup window. */
function stackProblems({ stack, inventory, now }: ResolveContext): Problem[] {
  const problems: Problem[] = [];
  if (stack.mode === "drill" && stack.deletionProtection)
    problems.push({ path: ["deletionProtection"], message: "a drill must be destroyable; set it to false" });
  if (stack.mode === "recovery" && !stack.deletionProtection)
    problems.push({ path: ["deletionProtection"], message: "restored databases in a recovery stack are protected from deletion; set it to true" });
  if (stack.mode === "drill" && stack.trafficCutover)
    problems.push({ path: ["trafficCutover"], message: "a drill never takes production traffic; set it to false" });
  const retentionDays = Math.min(...inventory.databases.map((d) => d.backupRetentionDays), Infinity);
  problems.push(...under(["restorePoint"], restoreTimeProblems(stack.restorePoint, { retentionDays, now })));
  return problems;
}

/** An override for something the inventory does not have would be silently ignored. */
function unknownOverrides(stack: RestoreStack, inv: Inventory): Problem[] {
  const problems: Problem[] = [];
  for (const list of ["databases", "caches", "buckets", "secrets"] as const) {
    const known = new Set(inv[list].map((x) => x.name));
    for (const name of Object.keys(stack[list])) {
      if (!known.has(name))
        problems.push({
          path: [list, name],
          message: `there is no ${list.slice(0, -1)} named "${name}" in the source inventory; use one of ${[...known].join(", ") || "(none)"}`,
        });
    }
  }
  return problems;
}

function resolveService(s: Inventory["services"][number], { estimates }: ResolveContext): ServiceRestore {
  return {
    ...s,
    estimateMinutes: s.estimateMinutes ?? estimates.service,
    migrations: s.migrations && {
      database: s.migrations.database,
      command: s.migrations.command,
      estimateMinutes: s.migrations.estimateMinutes ?? estimates.migration,
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
