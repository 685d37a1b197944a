import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DrillReport } from "../../drill/report";
import { main } from "../../drill/cli";
import { removeReportsDirs, tempReportsDir } from "./helpers";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
/** The real process, for what only a process shows (its stdout, its signals). */
const spawned = (args: string[]) => {
  const r = spawnSync(TSX, ["scripts/drill.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** The same `main` the script runs, in-process (spawning tsx costs seconds on a shared machine). */
const cli = async (args: string[]) => {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
};
const noStackTrace = (text: string) => assert.doesNotMatch(text, /^\s+at /m);

describe("npm run drill (the CLI)", function () {
  this.timeout(60_000);
  after(removeReportsDirs);

  it("--help describes the drill and exits 0", async () => {
    const r = await cli(["--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: npm run drill -- --stack <drill stack>/);
    assert.match(r.stdout, /--keep {18}DEBUGGING ONLY/);
  });

  it("an unknown flag exits 2 with one line naming it, no stack trace", async () => {
    const r = await cli(["--stack", "drill", "--stak", "x"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "drill: --stak: unknown option; did you mean --stack? (see --help)\n");
    noStackTrace(r.stderr);
  });

  it("--stack prod is refused with exit 2 and, with --json, exactly one JSON object", async () => {
    const r = await cli(["--stack", "prod", "--engine", "fake", "--json"]);
    assert.equal(r.code, 2);
    const out = JSON.parse(r.stdout) as { outcome: string; exitCode: number; error: { code: string; message: string } };
    assert.deepEqual({ outcome: out.outcome, exitCode: out.exitCode, code: out.error.code }, { outcome: "refused", exitCode: 2, code: "not-a-drill-stack" });
    assert.match(out.error.message, /^--stack prod: refused, it is production's inventory/);
    noStackTrace(r.stderr);
  });

  it("--stack recovery is refused with exit 2 before anything is created", async () => {
    const reports = tempReportsDir();
    const r = await cli(["--stack", "recovery", "--engine", "fake", "--reports-dir", reports]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split("\n").pop(), "drill: --stack recovery: refused, it is a recovery stack (recovery:mode: recovery) that restores for real and keeps what it creates; a drill runs only on a drill stack, e.g. --stack drill");
    assert.equal(existsSync(join(reports, "history.jsonl")), false);
  });

  it("a mistyped --fake-fail-step is refused with the plan's step ids, not rehearsed as a pass", async () => {
    const r = await cli(["--stack", "drill", "--engine", "fake", "--fake-fail-step", "database:nope", "--reports-dir", tempReportsDir()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr.trim().split("\n").pop()!, /^drill: --fake-fail-step database:nope: not a step of the plan; use one of cluster-config:lomash-wood-drill, /);
  });

  it("an unwritable --reports-dir is refused before anything runs", async () => {
    const r = await cli(["--stack", "drill", "--engine", "fake", "--reports-dir", "/proc/version/reports"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr.trim().split("\n").pop()!, /^drill: --reports-dir \/proc\/version\/reports: cannot write there \(\w+\); give a writable folder$/);
    noStackTrace(r.stderr);
  });

  it("a real drill without a source baseline is refused with exit 2 and the command that captures one", async () => {
    const reports = tempReportsDir();
    const r = await cli(["--stack", "drill", "--baseline", "reports/baselines/missing-for-this-test.json", "--reports-dir", reports]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr.trim().split("\n").pop(),
      `drill: --baseline ${join(ROOT, "reports/baselines/missing-for-this-test.json")}: not found; capture the source's state first: npm run verify -- --stack drill --capture-baseline`,
    );
    assert.equal(existsSync(join(reports, "history.jsonl")), false);
  });

  it("a real drill missing the Pulumi CLI, AWS credentials and its baseline reports all three at once with exit 2, and writes no report", async () => {
    const reports = tempReportsDir();
    const empty = mkdtempSync(join(tmpdir(), "no-tools-"));
    // Nothing on PATH (no pulumi), no AWS credentials anywhere the SDK's default chain looks.
    const env = { PATH: empty, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined, AWS_SHARED_CREDENTIALS_FILE: join(empty, "credentials"), AWS_CONFIG_FILE: join(empty, "config"), AWS_EC2_METADATA_DISABLED: "true" };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    const set = (values: Record<string, string | undefined>) => {
      for (const [k, v] of Object.entries(values)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    };
    set(env);
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli(["--stack", "drill", "--baseline", "reports/baselines/missing-for-this-test.json", "--reports-dir", reports, "--json"]);
    } finally {
      set(saved);
      rmSync(empty, { recursive: true, force: true });
    }
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("drill: "));
    assert.equal(lines[0], "drill: refused before anything was created: 3 prerequisites are missing");
    assert.match(lines[1], /^drill: the Pulumi CLI is not installed \(spawn pulumi ENOENT\): install it /);
    assert.match(lines[2], /^drill: no AWS credentials: export AWS_PROFILE \(or run in CI with OIDC\) for an account that can read the backups and create the drill stack$/);
    assert.equal(lines[3], `drill: --baseline ${join(ROOT, "reports/baselines/missing-for-this-test.json")}: not found; capture the source's state first: npm run verify -- --stack drill --capture-baseline`);
    assert.equal(lines.length, 4);
    const out = JSON.parse(r.stdout) as { outcome: string; exitCode: number; error: { code: string; problems: string[] } };
    assert.deepEqual([out.outcome, out.exitCode, out.error.code, out.error.problems], ["refused", 2, "missing-prerequisites", lines.slice(1).map((l) => l.slice("drill: ".length))]);
    assert.equal(existsSync(join(reports, "history.jsonl")), false);
    noStackTrace(r.stderr);
  });

  it("a rehearsal with --engine fake --json prints one JSON summary, says nothing real was created, and exits 0", () => {
    const reports = tempReportsDir();
    const r = spawned(["--stack", "drill", "--engine", "fake", "--fake-minute-ms", "5", "--json", "--reports-dir", reports]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { outcome: string; rehearsal: boolean; reportDir: string; destroy: { status: string }; readiness: { status: string } };
    assert.equal(r.stdout.trim().split("\n").length, 1);
    assert.deepEqual([out.outcome, out.rehearsal, out.destroy.status, out.readiness.status], ["passed", true, "destroyed", "skipped"]);
    assert.match(r.stderr, /^drill: REHEARSAL with --engine fake: nothing real is created, no cloud is touched$/m);
    for (const f of ["report.json", "report.md", "timeline.svg"]) assert.ok(existsSync(join(out.reportDir, f)), f);
  });

  it("a failed destroy is shouted with the leftovers and the command, and exits 1", async () => {
    const r = await cli(["--stack", "drill", "--engine", "fake", "--fake-minute-ms", "2", "--fake-fail-destroy", "database:orders", "--reports-dir", tempReportsDir()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /!!! DESTROY FAILED: the drill stack is NOT gone\. These resources are left behind:/);
    assert.match(r.stderr, /!!! {3}aws:rds\/instance:Instance {2}urn:pulumi:drill::recovery-stacks::.*::database-orders-db/);
    assert.match(r.stderr, /!!! Remove them with: .*pulumi destroy --stack drill --yes/);
  });

  it("SIGINT during up cancels it and destroys everything; a second SIGINT does not skip destroy, and says so", async () => {
    const reports = tempReportsDir();
    const child = spawn(TSX, ["scripts/drill.ts", "--stack", "drill", "--engine", "fake", "--fake-minute-ms", "100", "--json", "--reports-dir", reports], { cwd: ROOT });
    let stderr = "";
    let stdout = "";
    let sent = 0;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (sent === 0 && /up: database-analytics ready/.test(stderr)) {
        sent = 1;
        child.kill("SIGINT");
      }
      if (sent === 1 && /destroy: destroy started/.test(stderr)) {
        sent = 2;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(sent, 2, stderr);
    assert.equal(code, 1);
    assert.match(stderr, /drill: SIGINT: cancelling the up, then destroying everything the drill created/);
    assert.match(stderr, /drill: SIGINT again: destroy is still running and will NOT be skipped/);
    const summary = JSON.parse(stdout) as { interrupted: string; reportDir: string; phases: Record<string, string>; destroy: { status: string } };
    assert.equal(summary.interrupted, "SIGINT");
    assert.deepEqual(summary.phases, { preflight: "passed", up: "interrupted", verify: "skipped", destroy: "passed" });
    assert.equal(summary.destroy.status, "destroyed");
    const report = JSON.parse(readFileSync(join(summary.reportDir, "report.json"), "utf8")) as DrillReport;
    assert.ok(report.destroy.destroyed.length > 0);
    assert.deepEqual(report.destroy.leftovers, []);
  });
});
