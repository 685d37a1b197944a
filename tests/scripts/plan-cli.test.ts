import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const REPO = join(__dirname, "..", "..");

function plan(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "plan.ts"), ...args], {
    cwd: REPO,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("scripts: npm run plan", () => {
  it("prints the table and the one-line verdict for people", () => {
    const r = plan("--stack", "recovery");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\* service:api-gateway /m);
    assert.match(r.stdout, /^estimated RTO \d+ min \(runbook order \d+ min\), objective 60 min: (within|exceeds)$/m);
  });

  it("shows each step's tier and, after the verdict, the RTO of each tier", () => {
    const r = plan("--stack", "recovery");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}step +est +from +start +end +tier +timeline +waits for$/m);
    assert.match(r.stdout, /^ {2}cache:sessions +5m +seed 004 +5 +10 +non-critical +▒+ +\(namespace\)$/m);
    assert.match(r.stdout, /^\* database:identity +40m +seed 004 +0 +40 +stack +█+ +-$/m);
    assert.match(r.stdout, /^ {2}cluster-config:lomash-wood-recovery +5m +default +0 +5 +- +▒+ +-$/m);
    assert.ok(
      r.stdout.endsWith(
        [
          "estimated RTO 73 min (runbook order 331 min), objective 60 min: exceeds",
          "RTO per tier (when the last of its items is restored; the services come after):",
          "  stack         10 steps, restored by 40 min (database:identity), objective 60 min: within",
          "  non-critical  2 steps, restored by 25 min (database:analytics), objective 1440 min: within",
          "",
        ].join("\n"),
      ),
      r.stdout,
    );
  });

  it("prints exactly one JSON object with --json", () => {
    const r = plan("--stack", "drill", "--json");
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json), [
      "stack",
      "source",
      "mode",
      "steps",
      "criticalPath",
      "estimatedRtoMinutes",
      "sequentialMinutes",
      "objective",
      "verdict",
      "tiers",
    ]);
    assert.equal(json.mode, "drill");
    assert.deepEqual(Object.keys(json.steps[0]), ["id", "kind", "dependsOn", "estimateMinutes", "startMinute", "finishMinute", "tier", "estimateSource", "restore"]);
    const identity = json.steps.find((s: { id: string }) => s.id === "database:identity");
    assert.deepEqual(identity.estimateSource, { from: "seed-004", key: "recovery:estimates.pointInTime" });
    assert.deepEqual(identity.restore, { method: "point-in-time", restorePoint: "latest", from: "lomash-identity-prod" });
    assert.equal(json.steps.find((s: { id: string }) => s.id === "service:auth").restore, null);
  });

  it("exits 3 with --check when the estimate exceeds the objective", () => {
    const r = plan("--stack", "recovery", "--check");
    assert.equal(r.code, 3);
  });

  it("refuses --stack prod with one message and exit 2", () => {
    const r = plan("--stack", "prod");
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      "Pulumi.prod.yaml: prod is the source inventory, not something to restore; use a restore stack: --stack drill, --stack recovery\n",
    );
  });

  it("refuses an unknown flag by name, without a stack trace", () => {
    const r = plan("--stack", "recovery", "--jsn");
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "--jsn: unknown option; did you mean --json? (see --help)\n");
  });

  it("asks for --stack when it is missing", () => {
    const r = plan();
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "--stack: required; name the restore stack, e.g. --stack recovery\n");
  });
});
