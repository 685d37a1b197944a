import { buildPlan, type RecoveryPlan } from "../plan";
import type { RecoveryConfig } from "../stacks";
import type { DrillEngine, EngineEvent, StackResource } from "./engine";
import { appendHistory, historyEntry, readHistory } from "./history";
import {
  backupChecks,
  isolationCheck,
  loadDrillStack,
  planCheck,
  readinessCheck,
  type BackupReader,
  type DrillReadiness,
  type PreflightCheck,
  type ReadinessRunner,
} from "./preflight";
import { resourceReports, round, stepReports, verdict, MINUTE_MS, type DestroyReport, type DrillReport, type PhaseName, type PhaseReport } from "./report";
import { writeReport } from "./report-files";
import { measureRpo, restorePointsFrom } from "./rpo";
import { resourceTimings, stepTimings, type StampedEvent } from "./timing";
import { withStrayTimeout, type StrayLookup } from "./strays";
import type { VerificationResult, Verifier } from "./verifier";
import { errorMessage } from "../scripts/lib/errors";

/** Milliseconds. Tests drive a virtual clock; the CLI uses `Date.now`. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface Progress {
  readonly phase: PhaseName;
  readonly message: string;
  readonly level: "info" | "warn" | "error";
  /** ms since the drill started. */
  readonly elapsedMs: number;
}

export interface DrillOptions {
  readonly stack: string;
  /** The folder holding the stack files. Defaults to the repository root. */
  readonly root?: string;
  /** Where `<stack>-<timestamp>/` and history.jsonl go. */
  readonly reportsDir: string;
  /** Built once the stack is known to be a drill stack. */
  readonly engine: (config: RecoveryConfig, plan: RecoveryPlan) => DrillEngine;
  readonly verifier: Verifier;
  /** Reads the source backups; undefined skips the freshness check (rehearsals), recorded as a warning. */
  readonly backups?: BackupReader;
  readonly allowStaleBackups?: boolean;
  /**
   * `npm run readiness` for the stack, in preflight: recorded in the report, never a stop.
   * Undefined skips it (rehearsals touch no cloud), recorded as a warning.
   */
  readonly readiness?: ReadinessRunner;
  /**
   * After the destroy, looks for RDS instances the drill created that the state does not hold (a
   * timed-out create); any found fail the drill, each listed with its removal command. Undefined
   * skips the look (rehearsals touch no cloud).
   */
  readonly strays?: StrayLookup;
  /** `--keep`: debugging only; skips destroy, prints the command, marks the report. */
  readonly keep?: boolean;
  /** Aborted on SIGINT/SIGTERM: up is cancelled, then everything is destroyed. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  readonly onProgress?: (progress: Progress) => void;
}

export interface DrillOutcome {
  readonly exitCode: 0 | 1;
  readonly report: DrillReport;
  readonly reportDir: string;
}

class Interrupted extends Error {
  constructor(readonly reason: string) {
    super(`interrupted by ${reason}`);
  }
}

function abortReason(signal: AbortSignal | undefined): string {
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

/**
 * The quarterly drill (seed 002's DR test): preflight, up, verify, and destroy whatever happens,
 * then a report. Refusals (not a drill stack, bad config) throw before anything is created.
 */
export async function runDrill(options: DrillOptions): Promise<DrillOutcome> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const progress = (phase: PhaseName, msg: string, level: Progress["level"] = "info") =>
    options.onProgress?.({ phase, message: msg, level, elapsedMs: clock.now() - startedAt });

  // Refused here (a UsageError: not-a-drill-stack, bad-config) before any engine exists.
  const config = loadDrillStack(options.stack, { root: options.root, now: new Date(startedAt) });
  const plan = buildPlan(config);
  const engine = options.engine(config, plan);

  const phases: PhaseReport[] = [];
  let readiness: DrillReadiness = { status: "skipped", detail: "preflight did not get to it" };
  const errors: string[] = [];
  const events: StampedEvent[] = [];
  let interrupted: string | undefined;
  const timed = async <T>(name: PhaseName, work: () => Promise<T>, describe: (r: T) => { ok: boolean; detail: string }): Promise<T | undefined> => {
    const t0 = clock.now();
    progress(name, `${name} started`);
    try {
      const result = await work();
      const { ok, detail } = describe(result);
      phases.push({ name, status: ok ? "passed" : "failed", startedAt: iso(t0), seconds: round((clock.now() - t0) / 1000), detail });
      progress(name, `${name} ${ok ? "passed" : "FAILED"}: ${detail}`, ok ? "info" : "error");
      return result;
    } catch (error) {
      // An engine stopped by the interrupt rejects with its own error: still an interruption.
      const wasInterrupt = error instanceof Interrupted || options.signal?.aborted === true;
      const status = wasInterrupt ? "interrupted" : "failed";
      if (wasInterrupt) interrupted ??= abortReason(options.signal);
      else errors.push(`${name}: ${message(error)}`);
      phases.push({ name, status, startedAt: iso(t0), seconds: round((clock.now() - t0) / 1000), detail: message(error) });
      progress(name, `${name} ${status.toUpperCase()}: ${message(error)}`, "error");
      return undefined;
    }
  };
  const skip = (name: PhaseName, detail: string) => phases.push({ name, status: "skipped", detail });

  // 1. Preflight: nothing exists yet, so a failure here needs no destroy.
  const preflight = await timed(
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
        checks.push(...(await untilAborted(backupChecks(config, options.backups, new Date(clock.now()), options.allowStaleBackups), options.signal)));
      else checks.push({ name: "backups", result: "warn", detail: "not checked (rehearsal); a real drill reads them with the AWS SDK" });
      const ran = await untilAborted(readinessCheck(config, options.readiness), options.signal);
      readiness = ran.readiness;
      checks.push(ran.check, planCheck(plan));
      for (const c of checks) if (c.result !== "pass") progress("preflight", `${c.name}: ${c.result}: ${c.detail}`, c.result === "fail" ? "error" : "warn");
      return checks;
    },
    (checks) => {
      const failed = checks.filter((c) => c.result === "fail");
      return { ok: failed.length === 0, detail: failed.length === 0 ? `${checks.length} checks` : `failed: ${failed.map((c) => c.name).join(", ")}` };
    },
  );
  const preflightPassed = phases[0].status === "passed";

  let upStartedAt: number | undefined;
  let verification: VerificationResult | null = null;
  let verifiedAt: number | undefined;
  let outputs: Record<string, unknown> | undefined;
  let destroy: DestroyReport = { status: "not-needed", destroyed: [], leftovers: [], command: engine.destroyCommand() };
  const onEvent = (event: EngineEvent) => {
    events.push({ at: clock.now(), event });
    const done = event.resOutputsEvent?.metadata;
    if (done && /^recovery:[^:]+:[^:]+$/.test(done.type) && !done.type.endsWith("RecoveryEnvironment"))
      progress("up", `${done.urn.split("::").pop()} ready`);
    const failed = event.resOpFailedEvent?.metadata;
    if (failed) progress("up", `${failed.urn.split("::").pop()} failed`, "error");
  };

  if (preflightPassed) {
    try {
      // 2. Up. From here on, whatever happens, destroy runs (finally below).
      upStartedAt = clock.now();
      await timed("up", () => engine.up({ onEvent, signal: options.signal }), () => ({ ok: true, detail: `${plan.steps.length} plan steps` }));
      const upPassed = phases.at(-1)?.status === "passed";
      // 3. Verify against the stack outputs (never logged: they hold connection strings).
      if (upPassed && !options.signal?.aborted) {
        verification =
          (await timed(
            "verify",
            async () => {
              outputs = await engine.outputs();
              return untilAborted(options.verifier(outputs, config), options.signal);
            },
            (r) => ({ ok: r.passed, detail: `${r.checks.filter((c) => c.result === "pass").length}/${r.checks.length} checks passed` }),
          )) ?? null;
        if (verification?.passed) verifiedAt = clock.now();
      } else skip("verify", upPassed ? "interrupted before verification" : "up did not succeed");
    } finally {
      // 4. Destroy, always: after success, failure, or an interrupt. Not abortable: a second
      // Ctrl-C must not leave a drill stack behind (the CLI says so).
      const onDeleted = (event: EngineEvent) => {
        const done = event.resOutputsEvent?.metadata;
        if (done?.op === "delete" && /^recovery:[^:]+:[^:]+$/.test(done.type)) progress("destroy", `${done.urn.split("::").pop()} deleted`);
        const failed = event.resOpFailedEvent?.metadata;
        if (failed) progress("destroy", `${failed.urn.split("::").pop()} could not be deleted`, "error");
      };
      destroy = await destroyAll(engine, config, options.strays, onDeleted, options.keep ?? false, (name, work) => timed(name, work, (d) => ({ ok: d.status === "destroyed", detail: destroyDetail(d) })), skip, progress);
    }
  } else {
    skip("up", "preflight failed");
    skip("verify", "preflight failed");
    skip("destroy", "nothing was created");
  }

  // 5. Measure and report.
  if (options.signal?.aborted) interrupted ??= abortReason(options.signal);
  const finishedAt = clock.now();
  const resources = resourceTimings(events, plan.steps);
  const measuredRto = upStartedAt !== undefined && verifiedAt !== undefined ? round((verifiedAt - upStartedAt) / MINUTE_MS, 3) : null;
  const failureTime = config.failureTime ? new Date(config.failureTime) : new Date(startedAt);
  const succeeded = phases.every((p) => p.status === "passed") && verification?.passed === true && destroy.status === "destroyed" && !interrupted;
  const report: DrillReport = {
    schema: 1,
    stack: config.stack,
    engine: engine.kind,
    rehearsal: engine.kind === "fake",
    engineNote: engine.note,
    startedAt: iso(startedAt),
    finishedAt: iso(finishedAt),
    outcome: succeeded ? "passed" : "failed",
    exitCode: succeeded ? 0 : 1,
    kept: options.keep ?? false,
    interrupted,
    phases,
    preflight: preflight ?? [],
    readiness,
    plan: { estimatedRtoMinutes: plan.estimatedRtoMinutes, criticalPath: plan.criticalPath },
    steps: stepReports(plan, stepTimings(resources), upStartedAt),
    resources: resourceReports(resources),
    rto: { objectiveMinutes: config.objectives.rtoMinutes, estimatedMinutes: plan.estimatedRtoMinutes, measuredMinutes: measuredRto, verdict: verdict(measuredRto, config.objectives.rtoMinutes) },
    rpo: measureRpo(config, failureTime, restorePointsFrom(outputs)),
    verification,
    destroy,
    errors,
  };
  const history = [...readHistory(options.reportsDir), historyEntry(report, "")];
  const reportDir = writeReport(options.reportsDir, report, history);
  appendHistory(options.reportsDir, historyEntry(report, reportDir));
  return { exitCode: report.exitCode, report, reportDir };
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

async function destroyAll(
  engine: DrillEngine,
  config: RecoveryConfig,
  lookup: StrayLookup | undefined,
  onDeleted: (event: EngineEvent) => void,
  keep: boolean,
  timed: (name: PhaseName, work: () => Promise<DestroyReport>) => Promise<DestroyReport | undefined>,
  skip: (name: PhaseName, detail: string) => void,
  progress: (phase: PhaseName, msg: string, level?: Progress["level"]) => void,
): Promise<DestroyReport> {
  const command = engine.destroyCommand();
  const list = async (): Promise<StackResource[] | undefined> => {
    try {
      return await engine.resources();
    } catch {
      return undefined;
    }
  };
  const before = (await list()) ?? [];
  if (keep) {
    skip("destroy", `--keep: ${before.length} resources kept; remove with: ${command}`);
    progress("destroy", `--keep: the drill stack is LEFT UP for debugging; remove it with: ${command}`, "warn");
    return { status: "kept", destroyed: [], leftovers: before, command };
  }
  let error: string | undefined;
  const result = await timed("destroy", async () => {
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
    // What the state never held, the destroy never saw: look in AWS, by the drill's own tags.
    let strays: DestroyReport["strays"];
    if (lookup)
      strays = await withStrayTimeout(lookup.find(config, left)).catch((e: unknown) => ({ instances: [], refused: [], error: message(e) }));
    for (const id of strays?.refused ?? [])
      progress("destroy", `${id} carries this drill's tags but is a production name: not listed for removal; find out who tagged it`, "warn");
    for (const x of strays?.instances ?? []) progress("destroy", `${x.identifier} (RDS, ${x.status ?? "status unknown"}) is not in the state; remove it with: ${x.command}`, "error");
    const strayFailed = strays !== undefined && (strays.instances.length > 0 || strays.error !== undefined);
    return { status: failed || strayFailed ? "failed" : "destroyed", destroyed, leftovers: failed ? left : [], command, error, ...(strays ? { strays } : {}) } as DestroyReport;
  });
  return result ?? { status: "failed", destroyed: [], leftovers: before, command, error };
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
