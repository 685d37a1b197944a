import { COMPONENT_TYPES, componentName, urnName } from "../components/names";
import type { PlanStep, RecoveryPlan } from "../plan";
import type { RecoveryConfig } from "../stacks";
import type { DrillEngine, EngineEvent, EngineRunOptions, EngineStepMetadata, StackResource } from "./engine";
import type { Clock } from "./clock";
import { errorMessage } from "../scripts/lib/errors";

/**
 * SEAM for real data work: what a step does to real systems when the fake engine "creates" it.
 * The end-to-end test's realiser (tests/support/drill-realiser.ts) runs the real workers: restore
 * (workers/restore.ts) from moto's S3 into a local PostgreSQL, and bucket sync (workers/bucket-sync.ts).
 */
export interface DataRealiser {
  /**
   * Does the step's data work. The returned outputs land in `outputs().steps[<step id>]` and, over
   * the fake engine's stand-ins, where the program exports them: `databases`/`caches`/`buckets`/
   * `secrets`/`services.<name>` (the contract in stacks/outputs.ts), a database's with its `restorePoint`.
   */
  create(step: PlanStep, config: RecoveryConfig): Promise<{ outputs?: Record<string, unknown>; restorePoint?: Date } | void>;
  /** Undoes it (drop the database, delete the bucket). Must leave nothing behind. */
  destroy(step: PlanStep, config: RecoveryConfig): Promise<void>;
}

export interface FakeEngineOptions {
  readonly config: RecoveryConfig;
  readonly plan: RecoveryPlan;
  readonly clock: Clock;
  /** How long one plan minute lasts on the clock. Defaults to a minute. */
  readonly minuteMs?: number;
  /** Measured minutes of a step. Defaults to its estimate. */
  readonly stepMinutes?: (step: PlanStep) => number;
  /** `up` fails when this step runs. */
  readonly failStep?: string;
  /** How long destroying one step takes, in plan minutes. Defaults to 0. */
  readonly destroyMinutesPerStep?: number;
  /** `destroy` fails and leaves these steps' resources behind. */
  readonly failDestroySteps?: readonly string[];
  /** The restore point a database reaches. Defaults to 5 minutes before the step starts (a latest restorable time). */
  readonly restorePoint?: (database: string, stepStartedAt: Date) => Date;
  readonly realiser?: DataRealiser;
  readonly project?: string;
}

/** Where the program exports a step's outputs (stacks/outputs.ts), by step kind. */
type ExportGroup = "databases" | "caches" | "buckets" | "secrets" | "services";
/** The outputs contract (stacks/outputs.ts), plus `steps`: what each step left, a fake-only extra. */
type Outputs = {
  namespace: string;
  steps: Record<string, unknown>;
  connectionStrings: Record<string, string>;
  gatewayUrl?: string;
} & Record<ExportGroup, Record<string, Record<string, unknown>>>;

/**
 * What the program would export for a step, with stand-in values (no password, `.fake.invalid`
 * hosts), so a rehearsal's outputs follow the same contract verify and the drill parse.
 */
function fakeExport(step: PlanStep, config: RecoveryConfig, startedAt: Date): { group: ExportGroup; value: Record<string, unknown>; connectionString?: string } | undefined {
  const named = <T extends { readonly name: string }>(list: readonly T[]) => list.find((x) => x.name === step.name);
  const d = step.kind === "database" ? named(config.databases) : undefined;
  if (d) {
    const endpoint = `${d.identifier}.fake.invalid`;
    const port = d.source.port;
    return { group: "databases", value: { identifier: d.identifier, endpoint, port, database: d.source.dbName }, connectionString: `postgresql://${d.source.username}@${endpoint}:${port}/${d.source.dbName}` };
  }
  const c = step.kind === "cache" ? named(config.caches) : undefined;
  if (c)
    return {
      group: "caches",
      value:
        c.kind === "elasticache"
          ? { kind: "elasticache", replicationGroupId: c.replicationGroupId, endpoint: `master.${c.replicationGroupId}.fake.invalid`, port: 6379, tls: true, url: `rediss://master.${c.replicationGroupId}.fake.invalid:6379` }
          : {
              kind: "cluster",
              endpoint: `cache-${c.name}.${config.cluster.namespace}.svc.cluster.local`,
              port: 6379,
              tls: false,
              url: `redis://cache-${c.name}.${config.cluster.namespace}.svc.cluster.local:6379`,
              manifest: `s3://${c.rdb.bucket}/${c.rdb.prefix}`,
            },
    };
  const b = step.kind === "bucket" ? named(config.buckets) : undefined;
  if (b) return { group: "buckets", value: { bucket: b.bucket, mode: b.mode, replica: b.source.replica.bucket, ...(b.mode === "rebuild" ? { syncedAt: startedAt.toISOString() } : {}) } };
  const s = step.kind === "secret" ? named(config.secrets) : undefined;
  if (s) return { group: "secrets", value: { secretId: s.source.secretId, versionId: "fake-version", kubernetesSecret: `${s.source.kubernetesSecret}-${s.name}`, key: s.source.key } };
  const svc = step.kind === "service" ? named(config.services) : undefined;
  if (svc) return { group: "services", value: { url: `http://${svc.name}.${config.cluster.namespace}.svc.cluster.local:${svc.port}` } };
  return undefined;
}

/**
 * What the fake engine registers for a step: the component the program creates for it (its real
 * type token, from components/names.ts) and one child standing for what the component creates.
 */
function typesOf(step: PlanStep, config: RecoveryConfig): [component: string, child: string, suffix: string] {
  const T = COMPONENT_TYPES;
  switch (step.kind) {
    case "cluster-config":
      return [T.ClusterConfig, "kubernetes:core/v1:Namespace", "ns"];
    case "secret":
      return [T.SecretVersions, "kubernetes:core/v1:Secret", "secret"];
    case "database": {
      const logical = config.databases.find((d) => d.name === step.name)?.method === "logical";
      return [logical ? T.LogicalRestore : T.RestoredDatabase, "aws:rds/instance:Instance", "db"];
    }
    case "migration":
      return [T.MigrationJob, "kubernetes:batch/v1:Job", "job"];
    case "cache":
      return config.caches.find((c) => c.name === step.name)?.kind === "cluster"
        ? [T.ClusterRedis, "kubernetes:apps/v1:StatefulSet", "redis"]
        : [T.RestoredCache, "aws:elasticache/replicationGroup:ReplicationGroup", "redis"];
    case "bucket":
      return [T.ReplicaBucketSync, "aws:s3/bucketV2:BucketV2", "bucket"];
    case "service":
      return [T.ServiceRedeployment, "kubernetes:apps/v1:Deployment", "deployment"];
    case "smoke":
      return [T.SmokeGate, "kubernetes:batch/v1:Job", "job"];
    case "traffic":
      return [T.TrafficCutover, "kubernetes:networking.k8s.io/v1:Ingress", "ingress"];
  }
}

interface FakeResource extends StackResource {
  readonly stepId?: string;
  readonly parent?: string;
}

/**
 * A fake Pulumi engine: `up` walks the plan as the program would (each step a component with one
 * child, started once its dependencies finish), emitting the Automation API's events on the clock.
 * Used by the tests, and by `--engine fake` as a rehearsal of the orchestration with no cloud.
 */
export function fakeEngine(options: FakeEngineOptions): DrillEngine & { readonly state: ReadonlyMap<string, FakeResource> } {
  const { config, plan, clock } = options;
  const minuteMs = options.minuteMs ?? 60_000;
  const project = options.project ?? "recovery-stacks";
  const state = new Map<string, FakeResource>();
  const noOutputs = (): Outputs => ({ namespace: config.cluster.namespace, steps: {}, connectionStrings: {}, databases: {}, caches: {}, buckets: {}, secrets: {}, services: {} });
  let outputs = noOutputs();
  let sequence = 0;
  const urnOf = (typeChain: string[], name: string) => `urn:pulumi:${config.stack}::${project}::${typeChain.join("$")}::${name}`;
  const stackUrn = urnOf(["pulumi:pulumi:Stack"], `${project}-${config.stack}`);
  const envType = COMPONENT_TYPES.RecoveryEnvironment;
  const envUrn = urnOf(["pulumi:pulumi:Stack", envType], "environment");
  const emit = (onEvent: EngineRunOptions["onEvent"], kind: "pre" | "out" | "failed", op: string, urn: string, type: string, parent?: string) => {
    const metadata: EngineStepMetadata = { op, urn, type, new: { urn, type, parent } };
    const base = { sequence: sequence++, timestamp: Math.floor(clock.now() / 1000) };
    const event: EngineEvent =
      kind === "pre" ? { ...base, resourcePreEvent: { metadata } } : kind === "out" ? { ...base, resOutputsEvent: { metadata } } : { ...base, resOpFailedEvent: { metadata, status: 1, steps: 0 } };
    onEvent(event);
  };
  const resourcesOf = (step: PlanStep): FakeResource[] => {
    const [componentType, childType, suffix] = typesOf(step, config);
    const name = componentName(step);
    const component = urnOf(["pulumi:pulumi:Stack", envType, componentType], name);
    const child = urnOf(["pulumi:pulumi:Stack", envType, componentType, childType], `${name}-${suffix}`);
    // An RDS instance is known to the state by its identifier too (what the drill's stray check compares).
    const identifier = step.kind === "database" ? config.databases.find((d) => d.name === step.name)?.identifier : undefined;
    return [
      { urn: component, type: componentType, stepId: step.id, parent: envUrn },
      { urn: child, type: childType, id: `${name}-${suffix}-${(sequence + 1000).toString(36)}`, stepId: step.id, parent: component, ...(identifier ? { identifier } : {}) },
    ];
  };
  const cancelled = (signal?: AbortSignal) => {
    if (signal?.aborted) throw new Error("update cancelled (the fake engine stopped at the interrupt, as `stack.cancel()` does)");
  };

  return {
    kind: "fake",
    note: options.realiser
      ? "fake engine: no Pulumi and no cloud; the data work (restores, bucket copies) was real, against local systems"
      : "fake engine: a rehearsal, nothing real was created",
    state,
    async prerequisites() {
      return [];
    },
    async up({ onEvent, signal }) {
      const t0 = clock.now();
      for (const [urn, type, parent] of [[stackUrn, "pulumi:pulumi:Stack", undefined], [envUrn, envType, stackUrn]] as const) {
        emit(onEvent, "pre", "create", urn, type, parent);
        state.set(urn, { urn, type, parent });
      }
      // Event times from the plan's DAG with the fake durations; real data work (the realiser)
      // runs at each step's start and pushes later events back, as a slow resource would.
      const finish = new Map<string, number>();
      const timeline: { at: number; step: PlanStep; start: boolean }[] = [];
      for (const step of plan.steps) {
        const start = Math.max(0, ...step.dependsOn.map((d) => finish.get(d) ?? 0));
        const end = start + (options.stepMinutes?.(step) ?? step.estimateMinutes) * minuteMs;
        finish.set(step.id, end);
        timeline.push({ at: start, step, start: true }, { at: end, step, start: false });
      }
      timeline.sort((a, b) => a.at - b.at || Number(a.start) - Number(b.start));
      let shift = 0;
      const running = new Map<string, Promise<void>>();
      for (const { at, step, start } of timeline) {
        const wait = t0 + at + shift - clock.now();
        if (wait > 0) await clock.sleep(wait, signal);
        else shift += -wait;
        if (signal?.aborted) await Promise.allSettled(running.values()); // stop after the work in flight, as the CLI does
        cancelled(signal);
        const [component, child] = resourcesOf(step);
        if (start) {
          emit(onEvent, "pre", "create", component.urn, component.type, component.parent);
          state.set(component.urn, component);
          emit(onEvent, "pre", "create", child.urn, child.type, child.parent);
          if (options.failStep === step.id) {
            emit(onEvent, "failed", "create", child.urn, child.type, child.parent);
            throw new Error(`update failed: ${urnName(child.urn)} could not be created (fake failure)`);
          }
          state.set(child.urn, child);
          const startedAt = new Date(clock.now());
          // The data work runs alongside the other steps, as the program's resources would; the
          // step finishes no sooner than its work does.
          const work = (async () => {
            const realised = options.realiser ? await options.realiser.create(step, config) : undefined;
            outputs.steps[step.id] = { urn: component.urn, ...(realised ? realised.outputs : {}) };
            // The realiser's outputs (real endpoints) over the stand-ins.
            const exported = fakeExport(step, config, startedAt);
            if (exported) {
              outputs[exported.group][step.name] = { ...exported.value, ...(realised?.outputs ?? {}) };
              if (exported.connectionString) outputs.connectionStrings[step.name] = exported.connectionString;
            }
            if (step.kind === "database") {
              const point = realised?.restorePoint ?? options.restorePoint?.(step.name, startedAt) ?? new Date(startedAt.getTime() - 5 * 60_000);
              outputs.databases[step.name].restorePoint = point.toISOString();
            }
            const url = outputs.services[step.name]?.url;
            if (step.kind === "service" && typeof url === "string" && config.services.find((x) => x.name === step.name)?.gateway) outputs.gatewayUrl = url;
          })();
          work.catch(() => undefined); // awaited (and reported) at the step's finish
          running.set(step.id, work);
        } else {
          try {
            await running.get(step.id);
          } catch (error) {
            emit(onEvent, "failed", "create", child.urn, child.type, child.parent);
            await Promise.allSettled(running.values());
            throw new Error(`update failed: ${urnName(child.urn)}: ${errorMessage(error)}`);
          }
          emit(onEvent, "out", "create", child.urn, child.type, child.parent);
          emit(onEvent, "out", "create", component.urn, component.type, component.parent);
        }
      }
      emit(onEvent, "out", "create", envUrn, envType, stackUrn);
      emit(onEvent, "out", "create", stackUrn, "pulumi:pulumi:Stack");
    },
    async destroy({ onEvent }) {
      const failing = new Set(options.failDestroySteps ?? []);
      // Reverse plan order: the gateway first, the namespace last, as Pulumi deletes dependents first.
      for (const step of [...plan.steps].reverse()) {
        if (failing.has(step.id)) continue;
        const mine = [...state.values()].filter((r) => r.stepId === step.id);
        if (mine.length === 0) continue;
        await clock.sleep((options.destroyMinutesPerStep ?? 0) * minuteMs);
        if (options.realiser) await options.realiser.destroy(step, config);
        for (const r of mine.reverse()) {
          emit(onEvent, "pre", "delete", r.urn, r.type, r.parent);
          state.delete(r.urn);
          emit(onEvent, "out", "delete", r.urn, r.type, r.parent);
        }
      }
      if (failing.size > 0 && [...state.values()].some((r) => r.stepId && failing.has(r.stepId)))
        throw new Error(`destroy failed: ${[...failing].join(", ")} could not be deleted (fake failure)`);
      state.clear();
      outputs = noOutputs();
    },
    async outputs() {
      return structuredClone(outputs);
    },
    async resources() {
      return [...state.values()].filter((r) => r.stepId !== undefined).map(({ urn, type, id, identifier }) => ({ urn, type, id, ...(identifier ? { identifier } : {}) }));
    },
    destroyCommand() {
      return `(fake engine: nothing real to remove) pulumi destroy --stack ${config.stack} --yes`;
    },
  };
}
