import { join, resolve } from "node:path";
import { exitCodeOf, helpText, parseOptions, reportError, UsageError, type CommandSpec, type Io as KitIo } from "../scripts/lib/cli";
import type { DrillReport } from "./report";
import type { Progress } from "./run";
import { tableLines } from "../scripts/lib/table";

const REPO_ROOT = join(__dirname, "..");

export const DRILL_COMMAND = {
  usage: ["npm run drill -- --stack <drill stack> [options]"],
  description: `The quarterly DR drill (seed 002's DR test): preflight, pulumi up of the drill stack, verification,
and destroy whatever happens; then a report in <reports-dir>/<stack>-<timestamp>/ (report.md,
report.json, timeline.svg) and a line in <reports-dir>/history.jsonl.`,
  options: {
    stack: {
      type: "string",
      value: "<name>",
      help: "the drill stack (recovery:mode: drill); recovery and prod are refused",
      required: "the drill stack to run, e.g. --stack drill",
      example: "drill",
    },
    "reports-dir": { type: "string", value: "<dir>", help: "where reports go (default: reports/drills)" },
    baseline: {
      type: "string",
      value: "<file>",
      help: "the source baseline verify compares with (default: reports/baselines/<stack>.json,\nwritten by npm run verify -- --stack <stack> --capture-baseline)",
    },
    json: { type: "boolean", help: "print one JSON summary on stdout (progress stays on stderr)" },
    keep: {
      type: "boolean",
      help: "DEBUGGING ONLY: skip destroy, print the command that removes the stack;\nthe report is marked kept and the exit code is 1",
    },
    "allow-stale-backups": { type: "boolean", help: "a backup older than the RPO is a warning, not a refusal" },
    engine: {
      type: "string",
      value: "<name>",
      help: "automation (default): the Pulumi CLI through the Automation API\nfake: a rehearsal of the orchestration; NOTHING real is created",
    },
    backups: {
      type: "string",
      value: "<aws|skip>",
      help: "check backup freshness and run readiness (what the drill assumed; never a\nstop) with the AWS SDK (default: aws; skip with --engine fake)",
    },
    "fake-minute-ms": { type: "string", value: "<ms>", help: "fake engine: how long a plan minute lasts, in ms (default: 50)" },
    "fake-fail-step": { type: "string", value: "<id>", help: "fake engine: make up fail at this plan step (e.g. database:orders)" },
    "fake-fail-destroy": { type: "string", value: "<id>", help: "fake engine: make destroy leave this plan step behind" },
  },
  epilogue: `Exit codes: 0 up, verify and destroy all succeeded; 1 anything failed (or --keep); 2 bad usage or a
missing prerequisite.
Needs: the Pulumi CLI logged in to the state backend (PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL),
AWS credentials that can read the backups and create the drill stack (AWS_PROFILE, or OIDC in CI),
and the baseline; every one missing is reported at once, before anything is created (exit 2).
After the destroy, RDS instances tagged as this drill's that the state does not hold are reported
with the command that removes each (exit 1).`,
} as const satisfies CommandSpec;

export const HELP = helpText(DRILL_COMMAND);

/** Bad usage too (exit 2, nothing created), with every missing prerequisite on a line of its own. */
function missingPrerequisites(problems: readonly string[]): UsageError {
  return new UsageError(problems.join("\n"), { code: "missing-prerequisites", details: { problems } });
}

interface Io extends KitIo {
  readonly signal?: AbortSignal;
}

const clockText = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
};

export function summary(report: DrillReport, reportDir: string) {
  const checks = report.verification?.checks ?? [];
  return {
    outcome: report.outcome,
    exitCode: report.exitCode,
    stack: report.stack,
    engine: report.engine,
    rehearsal: report.rehearsal,
    kept: report.kept,
    interrupted: report.interrupted ?? null,
    reportDir,
    phases: Object.fromEntries(report.phases.map((p) => [p.name, p.status])),
    rto: report.rto,
    rpo: { achievedMinutes: report.rpo.achievedMinutes, objectiveMinutes: report.rpo.objectiveMinutes, verdict: report.rpo.verdict, failureTime: report.rpo.failureTime },
    verification: { passed: report.verification?.passed ?? false, checks: checks.length, failed: checks.filter((c) => c.result === "fail").length },
    destroy: { status: report.destroy.status, leftovers: report.destroy.leftovers.length, command: report.destroy.command },
    readiness: { status: report.readiness.status, detail: report.readiness.detail },
  };
}

/** The drill command: returns the exit code. Every refusal is one line naming the flag or key. */
export async function main(args: string[], io: Io): Promise<number> {
  let json = args.includes("--json");
  try {
    const flags = parseOptions(DRILL_COMMAND, args);
    json = flags.json ?? false;
    if (flags.help) {
      io.stdout(HELP);
      return 0;
    }
    const stack = flags.stack!;
    // Required after the flags are read: the Automation API, the AWS SDK and verify take seconds to import.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { buildPlan } = require("../plan") as typeof import("../plan");
    const { defaultBaselinePath } = require("../verification/baseline") as typeof import("../verification/baseline");
    const { automationEngine } = require("./automation-engine") as typeof import("./automation-engine");
    const { systemClock } = require("./clock") as typeof import("./clock");
    const { fakeEngine } = require("./fake-engine") as typeof import("./fake-engine");
    const { awsBackupReader, loadDrillStack, missingPrerequisites: missingOnMachine, sdkCredentials } = require("./preflight") as typeof import("./preflight");
    const { runDrill } = require("./run") as typeof import("./run");
    const { awsStrayLookup } = require("./strays") as typeof import("./strays");
    const { readinessPreflight } = require("../readiness/preflight") as typeof import("../readiness/preflight");
    const { defaultVerifier, rehearsalVerifier } = require("./verifier") as typeof import("./verifier");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const engineKind = flags.engine ?? "automation";
    if (engineKind !== "automation" && engineKind !== "fake") throw new UsageError(`--engine ${engineKind}: use --engine automation (the Pulumi CLI) or --engine fake (a rehearsal)`);
    const backups = flags.backups ?? (engineKind === "fake" ? "skip" : "aws");
    if (backups !== "aws" && backups !== "skip") throw new UsageError(`--backups ${backups}: use --backups aws or --backups skip`);
    if (backups === "skip" && engineKind === "automation") throw new UsageError("--backups skip: a real drill always checks its backups; remove --backups skip");
    const minuteMs = Number(flags["fake-minute-ms"] ?? 50);
    if (!Number.isFinite(minuteMs) || minuteMs < 0) throw new UsageError(`--fake-minute-ms ${flags["fake-minute-ms"]}: give milliseconds, e.g. --fake-minute-ms 50`);
    const fakeOnly = (["fake-minute-ms", "fake-fail-step", "fake-fail-destroy"] as const).find((f) => flags[f] !== undefined);
    if (fakeOnly && engineKind !== "fake") throw new UsageError(`--${fakeOnly} only applies to --engine fake`);
    let verifier = rehearsalVerifier;
    const reportsDir = resolve(flags["reports-dir"] ?? join(REPO_ROOT, "reports", "drills"));
    const real = engineKind !== "fake";
    if (real) loadDrillStack(stack, { root: REPO_ROOT }); // prod and recovery are refused before anything else is asked for
    // A stack brought up that nothing can be compared with proves nothing: the baseline is a
    // prerequisite, checked with the others, every missing one reported before anything is created.
    const baselinePath = resolve(REPO_ROOT, flags.baseline ?? defaultBaselinePath(stack));
    const missing = await missingOnMachine({
      engine: real ? automationEngine({ stack, workDir: REPO_ROOT }) : undefined,
      awsCredentials: real ? sdkCredentials : undefined,
      reportsDir,
      baseline: real ? { path: baselinePath, stack: stack } : undefined,
    });
    if (missing.length > 0) throw missingPrerequisites(missing);
    if (real) verifier = defaultVerifier(baselinePath);
    for (const flag of ["fake-fail-step", "fake-fail-destroy"] as const) {
      const id = flags[flag];
      if (id === undefined) continue;
      // A mistyped step would fail nothing and the rehearsal would pass: refuse it instead.
      const ids = buildPlan(loadDrillStack(stack, { root: REPO_ROOT })).steps.map((s) => s.id);
      if (!ids.includes(id)) throw new UsageError(`--${flag} ${id}: not a step of the plan; use one of ${ids.join(", ")}`);
    }
    if (engineKind === "fake") io.stderr("drill: REHEARSAL with --engine fake: nothing real is created, no cloud is touched\n");

    let phase = "preflight";
    const started = Date.now();
    const onProgress = (p: Progress) => {
      phase = p.phase;
      io.stderr(`[drill ${clockText(p.elapsedMs)}] ${p.level === "info" ? "" : `${p.level.toUpperCase()} `}${p.phase}: ${p.message}\n`);
    };
    const heartbeat = setInterval(() => io.stderr(`[drill ${clockText(Date.now() - started)}] ${phase}: still running\n`), 30_000);
    heartbeat.unref();
    let outcome;
    try {
      outcome = await runDrill({
        stack,
        root: REPO_ROOT,
        reportsDir,
        engine: (config, plan) =>
          engineKind === "fake"
            ? fakeEngine({ config, plan, clock: systemClock, minuteMs, destroyMinutesPerStep: 1, failStep: flags["fake-fail-step"], failDestroySteps: flags["fake-fail-destroy"] ? [flags["fake-fail-destroy"]] : [] })
            : automationEngine({ stack, workDir: REPO_ROOT }),
        verifier,
        backups: backups === "aws" ? awsBackupReader() : undefined,
        // Where AWS is read at all, the teardown also looks there for what the state lost.
        strays: backups === "aws" ? awsStrayLookup() : undefined,
        // The same switch: a drill that reads AWS runs readiness too (what it assumed; never a stop).
        readiness: backups === "aws" ? (config) => readinessPreflight(config, { root: REPO_ROOT }) : undefined,
        allowStaleBackups: flags["allow-stale-backups"],
        keep: flags.keep,
        signal: io.signal,
        onProgress,
      });
    } finally {
      clearInterval(heartbeat);
    }
    const { report, reportDir } = outcome;
    const strays = report.destroy.strays;
    if (strays && (strays.instances.length > 0 || strays.error))
      io.stderr(
        [
          "",
          ...(strays.instances.length > 0
            ? [`!!! ${strays.instances.length} RDS instances this drill created are NOT in its state (a create that timed out?), so destroy could not remove them:`, ...strays.instances.map((x) => `!!!   ${x.identifier} (${x.status ?? "status unknown"}): ${x.command}`)]
            : []),
          ...(strays.error ? [`!!! Could not look for RDS instances left outside the state: ${strays.error}`] : []),
          "",
        ].join("\n"),
      );
    if (report.destroy.status === "failed" && (report.destroy.leftovers.length > 0 || !strays || report.destroy.error))
      io.stderr(
        [
          "",
          "!!! DESTROY FAILED: the drill stack is NOT gone. These resources are left behind:",
          ...report.destroy.leftovers.map((r) => `!!!   ${r.type}  ${r.urn}${r.id ? `  (${r.id})` : ""}`),
          `!!! Remove them with: ${report.destroy.command}`,
          "",
        ].join("\n"),
      );
    if (report.destroy.status === "kept") io.stderr(`drill: --keep: the stack is still up; remove it with: ${report.destroy.command}\n`);
    if (json) io.stdout(`${JSON.stringify(summary(report, reportDir))}\n`);
    else io.stdout(humanSummary(report, reportDir));
    return report.exitCode;
  } catch (error) {
    const problems = (error instanceof UsageError ? (error.details.problems as readonly string[] | undefined) : undefined) ?? [];
    if (problems.length > 1) io.stderr(`drill: refused before anything was created: ${problems.length} prerequisites are missing\n`);
    return reportError(error, io, json, {
      label: () => "drill: ",
      jsonFields: (e) => ({ outcome: "refused", exitCode: exitCodeOf(e) }),
      jsonIndent: 0,
    });
  }
}

function humanSummary(r: DrillReport, dir: string): string {
  const checks = r.verification?.checks ?? [];
  const rows: [string, string][] = [
    ["outcome", `${r.outcome.toUpperCase()}${r.rehearsal ? " (rehearsal: nothing real created)" : ""}${r.interrupted ? ` (interrupted by ${r.interrupted})` : ""}`],
    ["phases", r.phases.map((p) => `${p.name} ${p.status}`).join(", ")],
    ["RTO", `${r.rto.measuredMinutes ?? "not measured"} min (objective ${r.rto.objectiveMinutes}, estimate ${r.rto.estimatedMinutes})`],
    ["RPO", `${r.rpo.achievedMinutes ?? "not measured"} min (objective ${r.rpo.objectiveMinutes})`],
    ["verification", `${checks.filter((c) => c.result === "pass").length}/${checks.length} checks passed`],
    ["destroy", `${r.destroy.status}${r.destroy.leftovers.length ? `, ${r.destroy.leftovers.length} left: ${r.destroy.command}` : ""}`],
    ["report", join(dir, "report.md")],
  ];
  return `${tableLines(rows, { columns: [{ minWidth: 12 }], gap: " " }).join("\n")}\n`;
}
