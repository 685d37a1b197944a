import { buildPlan, type RecoveryPlan } from "../plan";
import type { RecoveryConfig } from "../stacks";
import { systemClock, type Clock } from "./clock";
import type { DrillEngine } from "./engine";
import { appendHistory, historyEntry, readHistory } from "./history";
import { abortReason, destroyPhase, DrillRun, preflightPhase, upPhase, verifyPhase } from "./phases";
import { loadDrillStack, type BackupReader, type ReadinessRunner } from "./preflight";
import { resourceReports, round, stepReports, verdict, MINUTE_MS, type DrillReport, type PhaseName } from "./report";
import { writeReport } from "./report-files";
import { measureRpo, restorePointsFrom } from "./rpo";
import { resourceTimings, stepTimings } from "./timing";
import type { StrayLookup } from "./strays";
import type { Verifier } from "./verifier";

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

/**
 * The quarterly drill (seed 002's DR test): preflight, up, verify, and destroy whatever happens,
 * then a report. Refusals (not a drill stack, bad config) throw before anything is created.
 */
export async function runDrill(options: DrillOptions): Promise<DrillOutcome> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  // Refused here (a UsageError: not-a-drill-stack, bad-config) before any engine exists.
  const config = loadDrillStack(options.stack, { root: options.root, now: new Date(startedAt) });
  const plan = buildPlan(config);
  const run = new DrillRun(options, clock, startedAt, config, plan, options.engine(config, plan));

  if (await preflightPhase(run)) {
    try {
      // From here on, whatever happens, destroy runs (finally below).
      const upPassed = await upPhase(run);
      if (upPassed && !options.signal?.aborted) await verifyPhase(run);
      else run.skip("verify", upPassed ? "interrupted before verification" : "up did not succeed");
    } finally {
      await destroyPhase(run);
    }
  } else {
    run.skip("up", "preflight failed");
    run.skip("verify", "preflight failed");
    run.skip("destroy", "nothing was created");
  }

  if (options.signal?.aborted) run.interrupted ??= abortReason(options.signal);
  const report = drillReport(run, clock.now());
  const history = [...readHistory(options.reportsDir), historyEntry(report, "")];
  const reportDir = writeReport(options.reportsDir, report, history);
  appendHistory(options.reportsDir, historyEntry(report, reportDir));
  return { exitCode: report.exitCode, report, reportDir };
}

/** The report of a finished run: measured phases and steps, RTO and RPO against the objectives. */
function drillReport(run: DrillRun, finishedAt: number): DrillReport {
  const { config, engine, plan, upStartedAt, verifiedAt, verification, destroy: destroyed, interrupted } = run;
  const iso = (ms: number) => new Date(ms).toISOString();
  const resources = resourceTimings(run.events, plan.steps);
  const measuredRto = upStartedAt !== undefined && verifiedAt !== undefined ? round((verifiedAt - upStartedAt) / MINUTE_MS, 3) : null;
  const failureTime = config.failureTime ? new Date(config.failureTime) : new Date(run.startedAt);
  const succeeded = run.phases.every((p) => p.status === "passed") && verification?.passed === true && destroyed.status === "destroyed" && !interrupted;
  return {
    schema: 1,
    stack: config.stack,
    engine: engine.kind,
    rehearsal: engine.kind === "fake",
    engineNote: engine.note,
    startedAt: iso(run.startedAt),
    finishedAt: iso(finishedAt),
    outcome: succeeded ? "passed" : "failed",
    exitCode: succeeded ? 0 : 1,
    kept: run.options.keep ?? false,
    interrupted,
    phases: run.phases,
    preflight: run.checks,
    readiness: run.readiness,
    plan: { estimatedRtoMinutes: plan.estimatedRtoMinutes, criticalPath: plan.criticalPath },
    steps: stepReports(plan, stepTimings(resources), upStartedAt),
    resources: resourceReports(resources),
    rto: { objectiveMinutes: config.objectives.rtoMinutes, estimatedMinutes: plan.estimatedRtoMinutes, measuredMinutes: measuredRto, verdict: verdict(measuredRto, config.objectives.rtoMinutes) },
    rpo: measureRpo(config, failureTime, restorePointsFrom(run.outputs)),
    verification,
    destroy: destroyed,
    errors: run.errors,
  };
}
