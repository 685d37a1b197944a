import type { PlanStep, RecoveryPlan } from "../plan";
import type { StrayReport } from "./strays";
import type { StackResource } from "./engine";
import type { DrillReadiness, PreflightCheck } from "./preflight";
import type { ResourceTiming, StepTiming } from "./timing";
import type { VerificationResult } from "./verifier";

export type PhaseName = "preflight" | "up" | "verify" | "destroy";
export type PhaseStatus = "passed" | "failed" | "skipped" | "interrupted";
export type Verdict = "within-objective" | "exceeds-objective" | "not-measured";

export interface PhaseReport {
  readonly name: PhaseName;
  readonly status: PhaseStatus;
  readonly startedAt?: string;
  readonly seconds?: number;
  readonly detail: string;
}

export interface StepReport {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly critical: boolean;
  readonly estimate: { readonly startMinute: number; readonly finishMinute: number; readonly minutes: number };
  /** Minutes from the start of `up`; absent when the step never started. */
  readonly measured?: { readonly startMinute: number; readonly finishMinute?: number; readonly minutes?: number };
  readonly status: "done" | "failed" | "unfinished" | "not-run";
  readonly resources: number;
}

export interface ResourceReport {
  readonly urn: string;
  readonly type: string;
  readonly op: string;
  readonly stepId?: string;
  readonly seconds?: number;
  readonly failed: boolean;
}

export interface DatabaseRpo {
  readonly name: string;
  readonly restorePoint: string | null;
  /** failure time − restore point, in minutes (0 when the restore point is after the failure). */
  readonly achievedMinutes: number | null;
}

export interface DestroyReport {
  readonly status: "destroyed" | "failed" | "kept" | "not-needed";
  readonly destroyed: readonly StackResource[];
  readonly leftovers: readonly StackResource[];
  /** The exact command that removes what is left. */
  readonly command: string;
  readonly error?: string;
  /**
   * After the destroy: RDS instances this drill created (by their tags) that the state does not
   * hold, each with the command that removes it. Absent when not looked for (a rehearsal).
   */
  readonly strays?: StrayReport & { readonly error?: string };
}

/** Everything a drill measured: report.json, and the source of report.md and timeline.svg. */
export interface DrillReport {
  readonly schema: 1;
  readonly stack: string;
  readonly engine: "automation" | "fake";
  /** True with the fake engine: no Pulumi, no cloud. */
  readonly rehearsal: boolean;
  /** The engine's own words on what was real. */
  readonly engineNote?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: "passed" | "failed";
  readonly exitCode: 0 | 1;
  /** `--keep`: destroy skipped for debugging; never a complete drill. */
  readonly kept: boolean;
  /** The signal that interrupted the drill, if any. */
  readonly interrupted?: string;
  readonly phases: readonly PhaseReport[];
  readonly preflight: readonly PreflightCheck[];
  /** What the drill assumed about production: readiness as preflight ran it (never a stop). */
  readonly readiness: DrillReadiness;
  readonly plan: { readonly estimatedRtoMinutes: number; readonly criticalPath: readonly string[] };
  readonly steps: readonly StepReport[];
  readonly resources: readonly ResourceReport[];
  readonly rto: { readonly objectiveMinutes: number; readonly estimatedMinutes: number; readonly measuredMinutes: number | null; readonly verdict: Verdict };
  readonly rpo: {
    readonly objectiveMinutes: number;
    readonly failureTime: string;
    readonly databases: readonly DatabaseRpo[];
    readonly achievedMinutes: number | null;
    readonly verdict: Verdict;
  };
  readonly verification: VerificationResult | null;
  readonly destroy: DestroyReport;
  readonly errors: readonly string[];
}

export const round = (n: number, places = 1): number => Math.round(n * 10 ** places) / 10 ** places;
export const MINUTE_MS = 60_000;

/** Plan steps joined with what was measured, minutes counted from the start of `up`. */
export function stepReports(plan: RecoveryPlan, timings: Map<string, StepTiming>, upStartedAt: number | undefined): StepReport[] {
  return plan.steps.map((s: PlanStep): StepReport => {
    const t = timings.get(s.id);
    const base = {
      id: s.id,
      kind: s.kind,
      name: s.name,
      critical: s.critical,
      estimate: { startMinute: s.startMinute, finishMinute: s.finishMinute, minutes: s.estimateMinutes },
      resources: t?.resources ?? 0,
    };
    if (!t || upStartedAt === undefined) return { ...base, status: "not-run" };
    const startMinute = round((t.startedAt - upStartedAt) / MINUTE_MS, 3);
    if (t.finishedAt === undefined) return { ...base, measured: { startMinute }, status: t.failed ? "failed" : "unfinished" };
    return {
      ...base,
      measured: { startMinute, finishMinute: round((t.finishedAt - upStartedAt) / MINUTE_MS, 3), minutes: round((t.finishedAt - t.startedAt) / MINUTE_MS, 3) },
      status: t.failed ? "failed" : "done",
    };
  });
}

export function resourceReports(timings: readonly ResourceTiming[]): ResourceReport[] {
  return timings.map((r) => ({
    urn: r.urn,
    type: r.type,
    op: r.op,
    stepId: r.stepId,
    seconds: r.finishedAt === undefined ? undefined : round((r.finishedAt - r.startedAt) / 1000, 1),
    failed: r.failed,
  }));
}

export function verdict(measured: number | null, objective: number): Verdict {
  if (measured === null) return "not-measured";
  return measured <= objective ? "within-objective" : "exceeds-objective";
}
