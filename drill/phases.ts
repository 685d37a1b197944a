import type { RecoveryPlan } from "../plan";
import type { RecoveryConfig } from "../stacks";
import type { Clock } from "./clock";
import type { DrillEngine, EngineEvent, StackResource } from "./engine";
import { backupChecks, isolationCheck, planCheck, readinessCheck, type DrillReadiness, type PreflightCheck } from "./preflight";
import { round, type DestroyReport, type PhaseName, type PhaseReport, type PhaseStatus } from "./report";
import type { DrillOptions, Progress } from "./run";
import { withStrayTimeout } from "./strays";
import type { StampedEvent } from "./timing";
import type { VerificationResult } from "./verifier";
import { errorMessage } from "../scripts/lib/errors";
import { COMPONENT_TYPES, isComponentType, urnName } from "../components/names";

/**
 * The drill's phases as named steps (preflight, up, verify, destroy) over one DrillRun, the state
 * they fill in; runDrill (run.ts) calls them in order and builds the report from that state.
 */

class Interrupted extends Error {
  constructor(readonly reason: string) {
    super(`interrupted by ${reason}`);
  }
}

export function abortReason(signal: AbortSignal | undefined): string {
  const r: unknown = signal?.reason;
  return typeof r === "string" ? r : r instanceof Error ? r.message : "an interrupt";
}

/** Stops waiting (not the work itself) when the drill is interrupted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new Interrupted(abortReason(signal)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted(abortReason(signal)));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const message = (error: unknown): string => errorMessage(error).split("\n")[0];

/** What a phase step gives back: its status, and its result when it ran to the end. */
interface PhaseResult<T> {
  readonly status: PhaseStatus;
  readonly value?: T;
}

/**
 * One drill's state, kept in one place: what each phase found, what the engine reported, what went
 * wrong. The phase steps below fill it in; the report is built from it at the end.
 */
export class DrillRun {
  readonly phases: PhaseReport[] = [];
  readonly errors: string[] = [];
  /** Every engine event, stamped on receipt: what the step and resource timings are computed from. */
  readonly events: StampedEvent[] = [];
  checks: readonly PreflightCheck[] = [];
  readiness: DrillReadiness = { status: "skipped", detail: "preflight did not get to it" };
  interrupted: string | undefined;
  upStartedAt: number | undefined;
  verification: VerificationResult | null = null;
  /** When a passing verification finished: the end of the measured RTO. */
  verifiedAt: number | undefined;
  outputs: Record<string, unknown> | undefined;
  destroy: DestroyReport;

  constructor(
    readonly options: DrillOptions,
    readonly clock: Clock,
    readonly startedAt: number,
    readonly config: RecoveryConfig,
    readonly plan: RecoveryPlan,
    readonly engine: DrillEngine,
  ) {
    this.destroy = { status: "not-needed", destroyed: [], leftovers: [], command: engine.destroyCommand() };
  }

  progress(phase: PhaseName, msg: string, level: Progress["level"] = "info"): void {
    this.options.onProgress?.({ phase, message: msg, level, elapsedMs: this.clock.now() - this.startedAt });
  }

  skip(name: PhaseName, detail: string): void {
    this.phases.push({ name, status: "skipped", detail });
  }

  /** Runs one phase, timed and recorded; a throw fails it (or marks it interrupted), never the drill. */
  async phase<T>(name: PhaseName, work: () => Promise<T>, describe: (r: T) => { ok: boolean; detail: string }): Promise<PhaseResult<T>> {
    const t0 = this.clock.now();
    const startedAt = new Date(t0).toISOString();
    const seconds = () => round((this.clock.now() - t0) / 1000);
    this.progress(name, `${name} started`);
    try {
      const value = await work();
      const { ok, detail } = describe(value);
      const status = ok ? "passed" : "failed";
      this.phases.push({ name, status, startedAt, seconds: seconds(), detail });
      this.progress(name, `${name} ${ok ? "passed" : "FAILED"}: ${detail}`, ok ? "info" : "error");
      return { status, value };
    } catch (error) {
      // An engine stopped by the interrupt rejects with its own error: still an interruption.
      const wasInterrupt = error instanceof Interrupted || this.options.signal?.aborted === true;
      const status = wasInterrupt ? "interrupted" : "failed";
      if (wasInterrupt) this.interrupted ??= abortReason(this.options.signal);
      else this.errors.push(`${name}: ${message(error)}`);
      this.phases.push({ name, status, startedAt, seconds: seconds(), detail: message(error) });
      this.progress(name, `${name} ${status.toUpperCase()}: ${message(error)}`, "error");
      return { status };
    }
  }
}

/** 1. Preflight: nothing exists yet, so a failure here needs no destroy. True when it passed. */
export async function preflightPhase(run: DrillRun): Promise<boolean> {
  const { config, engine, options, plan } = run;
  const result = await run.phase(
    "preflight",
    async (): Promise<PreflightCheck[]> => {
      const checks: PreflightCheck[] = [
        { name: "drill-stack", result: "pass", detail: `${config.stack} is a drill stack restoring ${config.source}` },
        isolationCheck(config),
      ];
      const missing = await untilAborted(engine.prerequisites(), options.signal);
      checks.push(
        missing.length === 0
          ? { name: "engine", result: "pass", detail: engine.note ?? "Pulumi CLI and credentials present" }
          : { name: "engine", result: "fail", detail: missing.join("; ") },
      );
      // Leftovers of an earlier drill would be updated, not created: the times would mean nothing.
      if (missing.length === 0) checks.push(await leftoverCheck(engine));
      if (options.backups)
        checks.push(...(await untilAborted(backupChecks(config, options.backups, new Date(run.clock.now()), options.allowStaleBackups), options.signal)));
      else checks.push({ name: "backups", result: "warn", detail: "not checked (rehearsal); a real drill reads them with the AWS SDK" });
      const ran = await untilAborted(readinessCheck(config, options.readiness), options.signal);
      run.readiness = ran.readiness;
      checks.push(ran.check, planCheck(plan));
      for (const c of checks) if (c.result !== "pass") run.progress("preflight", `${c.name}: ${c.result}: ${c.detail}`, c.result === "fail" ? "error" : "warn");
      return checks;
    },
    (checks) => {
      const failed = checks.filter((c) => c.result === "fail");
      return { ok: failed.length === 0, detail: failed.length === 0 ? `${checks.length} checks` : `failed: ${failed.map((c) => c.name).join(", ")}` };
    },
  );
  run.checks = result.value ?? [];
  return result.status === "passed";
}

/** 2. Up, with every engine event stamped for the timings. True when it passed. */
export async function upPhase(run: DrillRun): Promise<boolean> {
  const onEvent = (event: EngineEvent) => {
    run.events.push({ at: run.clock.now(), event });
    const done = event.resOutputsEvent?.metadata;
    if (done && isComponentType(done.type) && done.type !== COMPONENT_TYPES.RecoveryEnvironment)
      run.progress("up", `${urnName(done.urn)} ready`);
    const failed = event.resOpFailedEvent?.metadata;
    if (failed) run.progress("up", `${urnName(failed.urn)} failed`, "error");
  };
  run.upStartedAt = run.clock.now();
  const result = await run.phase(
    "up",
    () => run.engine.up({ onEvent, signal: run.options.signal }),
    () => ({ ok: true, detail: `${run.plan.steps.length} plan steps` }),
  );
  return result.status === "passed";
}

/** 3. Verify against the stack outputs (never logged: they hold connection strings). */
export async function verifyPhase(run: DrillRun): Promise<void> {
  const result = await run.phase(
    "verify",
    async () => {
      run.outputs = await run.engine.outputs();
      return untilAborted(run.options.verifier(run.outputs, run.config), run.options.signal);
    },
    (r) => ({ ok: r.passed, detail: `${r.checks.filter((c) => c.result === "pass").length}/${r.checks.length} checks passed` }),
  );
  run.verification = result.value ?? null;
  if (run.verification?.passed) run.verifiedAt = run.clock.now();
}

/**
 * 4. Destroy, always: after success, failure, or an interrupt. Not abortable: a second Ctrl-C must
 * not leave a drill stack behind (the CLI says so). Then a look for what the state never held.
 */
export async function destroyPhase(run: DrillRun): Promise<void> {
  const { engine, options } = run;
  const command = engine.destroyCommand();
  const list = async (): Promise<StackResource[] | undefined> => {
    try {
      return await engine.resources();
    } catch {
      return undefined;
    }
  };
  const before = (await list()) ?? [];
  if (options.keep ?? false) {
    run.skip("destroy", `--keep: ${before.length} resources kept; remove with: ${command}`);
    run.progress("destroy", `--keep: the drill stack is LEFT UP for debugging; remove it with: ${command}`, "warn");
    run.destroy = { status: "kept", destroyed: [], leftovers: before, command };
    return;
  }
  const onDeleted = (event: EngineEvent) => {
    const done = event.resOutputsEvent?.metadata;
    if (done?.op === "delete" && isComponentType(done.type)) run.progress("destroy", `${urnName(done.urn)} deleted`);
    const failed = event.resOpFailedEvent?.metadata;
    if (failed) run.progress("destroy", `${urnName(failed.urn)} could not be deleted`, "error");
  };
  let error: string | undefined;
  const result = await run.phase(
    "destroy",
    async (): Promise<DestroyReport> => {
      try {
        await engine.destroy({ onEvent: onDeleted });
      } catch (e) {
        error = message(e);
      }
      const after = await list();
      const left = after ?? before;
      const leftUrns = new Set(left.map((r) => r.urn));
      const destroyed = before.filter((r) => !leftUrns.has(r.urn));
      const failed = error !== undefined || after === undefined || left.length > 0;
      if (after === undefined) error ??= "could not list the stack's resources after destroy";
      const strays = await strayLook(run, left);
      const strayFailed = strays !== undefined && (strays.instances.length > 0 || strays.error !== undefined);
      return { status: failed || strayFailed ? "failed" : "destroyed", destroyed, leftovers: failed ? left : [], command, error, ...(strays ? { strays } : {}) } as DestroyReport;
    },
    (d) => ({ ok: d.status === "destroyed", detail: destroyDetail(d) }),
  );
  run.destroy = result.value ?? { status: "failed", destroyed: [], leftovers: before, command, error };
}

/** What the state never held, the destroy never saw: look in AWS, by the drill's own tags. */
async function strayLook(run: DrillRun, left: readonly StackResource[]): Promise<DestroyReport["strays"]> {
  const lookup = run.options.strays;
  if (!lookup) return undefined;
  const strays = await withStrayTimeout(lookup.find(run.config, left)).catch((e: unknown) => ({ instances: [], refused: [], error: message(e) }));
  for (const id of strays.refused ?? [])
    run.progress("destroy", `${id} carries this drill's tags but is a production name: not listed for removal; find out who tagged it`, "warn");
  for (const x of strays.instances) run.progress("destroy", `${x.identifier} (RDS, ${x.status ?? "status unknown"}) is not in the state; remove it with: ${x.command}`, "error");
  return strays;
}

function destroyDetail(d: DestroyReport): string {
  if (d.status === "kept") return `kept (--keep); remove with: ${d.command}`;
  if (d.status === "destroyed") return `${d.destroyed.length} resources destroyed, nothing left`;
  const strays = d.strays?.instances ?? [];
  const parts = [
    ...(d.leftovers.length > 0 || strays.length === 0 ? [`${d.leftovers.length} resources LEFT BEHIND; remove with: ${d.command}`] : []),
    ...(strays.length > 0 ? [`${strays.length} RDS instances LEFT OUTSIDE the state: ${strays.map((x) => x.identifier).join(", ")}`] : []),
    ...(d.strays?.error ? [`could not look for RDS instances outside the state (${d.strays.error})`] : []),
  ];
  return parts.join("; ");
}

async function leftoverCheck(engine: DrillEngine): Promise<PreflightCheck> {
  try {
    const existing = await engine.resources();
    return existing.length === 0
      ? { name: "empty-stack", result: "pass", detail: "the drill stack holds nothing from an earlier run" }
      : { name: "empty-stack", result: "fail", detail: `the drill stack still holds ${existing.length} resources from an earlier run; remove them first with: ${engine.destroyCommand()}` };
  } catch (error) {
    return { name: "empty-stack", result: "warn", detail: `could not list the drill stack's resources (${message(error)})` };
  }
}
