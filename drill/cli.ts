import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildPlan } from "../plan";
import { ConfigError } from "../stacks";
import { defaultBaselinePath } from "../verification";
import { automationEngine } from "./automation-engine";
import { fakeEngine, realClock } from "./fake-engine";
import { awsBackupReader, loadDrillStack, missingPrerequisites, RefusedError, sdkCredentials } from "./preflight";
import type { DrillReport } from "./report";
import { runDrill, type Progress } from "./run";
import { awsStrayLookup } from "./strays";
import { readinessPreflight } from "../readiness/preflight";
import { defaultVerifier, rehearsalVerifier } from "./verifier";

const REPO_ROOT = join(__dirname, "..");

export const HELP = `npm run drill -- --stack <drill stack> [options]

The quarterly DR drill (seed 002's DR test): preflight, pulumi up of the drill stack, verification,
and destroy whatever happens; then a report in <reports-dir>/<stack>-<timestamp>/ (report.md,
report.json, timeline.svg) and a line in <reports-dir>/history.jsonl.

Options:
  --stack <name>          the drill stack (recovery:mode: drill); recovery and prod are refused
  --reports-dir <dir>     where reports go (default: reports/drills)
  --baseline <file>       the source baseline verify compares with (default: reports/baselines/<stack>.json,
                          written by npm run verify -- --stack <stack> --capture-baseline)
  --json                  print one JSON summary on stdout (progress stays on stderr)
  --keep                  DEBUGGING ONLY: skip destroy, print the command that removes the stack;
                          the report is marked kept and the exit code is 1
  --allow-stale-backups   a backup older than the RPO is a warning, not a refusal
  --engine <name>         automation (default): the Pulumi CLI through the Automation API
                          fake: a rehearsal of the orchestration; NOTHING real is created
  --backups <aws|skip>    check backup freshness and run readiness (what the drill assumed; never a
                          stop) with the AWS SDK (default: aws; skip with --engine fake)
  --fake-minute-ms <ms>   fake engine: how long a plan minute lasts (default: 50)
  --fake-fail-step <id>   fake engine: make up fail at this plan step (e.g. database:orders)
  --fake-fail-destroy <id> fake engine: make destroy leave this plan step behind
  --help                  this text

Exit codes: 0 up, verify and destroy all succeeded; 1 anything failed (or --keep); 2 bad usage or a
missing prerequisite.
Needs: the Pulumi CLI logged in to the state backend (PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL),
AWS credentials that can read the backups and create the drill stack (AWS_PROFILE, or OIDC in CI),
and the baseline; every one missing is reported at once, before anything is created (exit 2).
After the destroy, RDS instances tagged as this drill's that the state does not hold are reported
with the command that removes each (exit 1).
`;

class UsageError extends Error {}

/** Bad usage too (exit 2, nothing created), with every missing prerequisite on a line of its own. */
class MissingPrerequisites extends UsageError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly signal?: AbortSignal;
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string" },
        "reports-dir": { type: "string" },
        baseline: { type: "string" },
        json: { type: "boolean" },
        keep: { type: "boolean" },
        "allow-stale-backups": { type: "boolean" },
        engine: { type: "string" },
        backups: { type: "string" },
        "fake-minute-ms": { type: "string" },
        "fake-fail-step": { type: "string" },
        "fake-fail-destroy": { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]}; see --help`);
  }
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
    const flags = parse(args);
    json = flags.json ?? false;
    if (flags.help) {
      io.stdout(HELP);
      return 0;
    }
    if (!flags.stack) throw new UsageError("--stack is required: the drill stack to run, e.g. --stack drill");
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
    if (real) loadDrillStack(flags.stack, { root: REPO_ROOT }); // prod and recovery are refused before anything else is asked for
    // A stack brought up that nothing can be compared with proves nothing: the baseline is a
    // prerequisite, checked with the others, every missing one reported before anything is created.
    const baselinePath = resolve(REPO_ROOT, flags.baseline ?? defaultBaselinePath(flags.stack));
    const missing = await missingPrerequisites({
      engine: real ? automationEngine({ stack: flags.stack, workDir: REPO_ROOT }) : undefined,
      awsCredentials: real ? sdkCredentials : undefined,
      reportsDir,
      baseline: real ? { path: baselinePath, stack: flags.stack } : undefined,
    });
    if (missing.length > 0) throw new MissingPrerequisites(missing);
    if (real) verifier = defaultVerifier(baselinePath);
    for (const flag of ["fake-fail-step", "fake-fail-destroy"] as const) {
      const id = flags[flag];
      if (id === undefined) continue;
      // A mistyped step would fail nothing and the rehearsal would pass: refuse it instead.
      const ids = buildPlan(loadDrillStack(flags.stack, { root: REPO_ROOT })).steps.map((s) => s.id);
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
        stack: flags.stack,
        root: REPO_ROOT,
        reportsDir,
        engine: (config, plan) =>
          engineKind === "fake"
            ? fakeEngine({ config, plan, clock: realClock, minuteMs, destroyMinutesPerStep: 1, failStep: flags["fake-fail-step"], failDestroySteps: flags["fake-fail-destroy"] ? [flags["fake-fail-destroy"]] : [] })
            : automationEngine({ stack: flags.stack!, workDir: REPO_ROOT }),
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
    const usage = error instanceof UsageError || error instanceof RefusedError || error instanceof ConfigError;
    const msg = error instanceof Error ? error.message : String(error);
    const problems = error instanceof MissingPrerequisites ? error.problems : [msg];
    if (json) io.stdout(`${JSON.stringify({ outcome: "refused", exitCode: usage ? 2 : 1, error: msg, problems })}\n`);
    if (problems.length > 1) io.stderr(`drill: refused before anything was created: ${problems.length} prerequisites are missing\n`);
    for (const p of problems) io.stderr(`drill: ${p}\n`);
    return usage ? 2 : 1;
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
  return `${rows.map(([k, v]) => `${k.padEnd(13)}${v}`).join("\n")}\n`;
}
