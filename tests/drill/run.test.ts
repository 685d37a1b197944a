import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readHistory } from "../../drill/history";
import { NOT_A_DRILL_STACK } from "../../drill/preflight";
import { UsageError } from "../../scripts/lib/errors";
import type { DrillReport } from "../../drill/report";
import { escapeXml } from "../../drill/report-svg";
import { runDrill } from "../../drill/run";
import { failingVerifier, fakeDrill, removeReportsDirs, xmlProblem } from "./helpers";
import { reportMarkdown } from "../../drill/report-markdown";
import type { ReadinessReport } from "../../readiness/types";

const readReport = (dir: string): DrillReport => JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as DrillReport;
const phase = (r: DrillReport, name: string) => r.phases.find((p) => p.name === name)?.status;

describe("drill orchestration with the fake engine", () => {
  after(removeReportsDirs);
  it("a happy drill measures RTO and RPO from the run and writes the report and a history line", async () => {
    const { clock, engines, drill } = fakeDrill({
      // every step takes half as long again as estimated; restores reach 12 minutes before the drill started
      stepMinutes: (s) => s.estimateMinutes * 1.5,
      restorePoint: () => new Date(Date.parse("2026-01-15T09:00:00Z") - 12 * 60_000),
    });
    const { exitCode, report, reportDir } = await runDrill(drill);
    assert.equal(exitCode, 0);
    assert.equal(report.outcome, "passed");
    assert.deepEqual(report.phases.map((p) => [p.name, p.status]), [["preflight", "passed"], ["up", "passed"], ["verify", "passed"], ["destroy", "passed"]]);
    // plan estimate 70 min; every step ×1.5 → the critical path finishes at 105 min; verification takes no virtual time
    assert.equal(report.rto.estimatedMinutes, 70);
    assert.equal(report.rto.measuredMinutes, 105);
    assert.equal(report.rto.verdict, "exceeds-objective");
    assert.equal(report.rpo.failureTime, "2026-01-15T09:00:00.000Z");
    assert.equal(report.rpo.achievedMinutes, 12);
    assert.equal(report.rpo.verdict, "within-objective");
    const orders = report.steps.find((s) => s.id === "database:orders")!;
    assert.deepEqual(orders.estimate, { startMinute: 0, finishMinute: 40, minutes: 40 });
    assert.deepEqual(orders.measured, { startMinute: 0, finishMinute: 60, minutes: 60 });
    assert.equal(orders.resources, 2);
    assert.ok(report.steps.every((s) => s.status === "done"), "every plan step was timed");
    assert.equal(report.destroy.status, "destroyed");
    assert.equal(report.destroy.destroyed.length, report.steps.length * 2);
    assert.equal(engines[0].state.size, 0, "nothing left in the fake stack");
    assert.equal(clock.now() - Date.parse("2026-01-15T09:00:00Z"), 105 * 60_000);

    assert.deepEqual(readReport(reportDir), JSON.parse(JSON.stringify(report)));
    const history = readHistory(drill.reportsDir);
    assert.equal(history.length, 1);
    assert.deepEqual(
      { ...history[0] },
      { at: "2026-01-15T09:00:00.000Z", stack: "drill", engine: "fake", outcome: "passed", rtoMinutes: 105, rtoObjectiveMinutes: 60, estimatedRtoMinutes: 70, rpoMinutes: 12, rpoObjectiveMinutes: 15, checks: "5/5", destroy: "destroyed", report: "drill-2026-01-15T09-00-00Z" },
    );
    const md = readFileSync(join(reportDir, "report.md"), "utf8");
    assert.match(md, /\| RTO \(start of up → verification passed\) \| 105 min \| 60 min \| 70 min \| \*\*exceeds objective\*\* \|/);
    assert.match(md, /\| ★ database:identity \| 0 → 40 \| 0 → 60 \| 40 \| 60 \| done \|/);
  });

  it("the Markdown's trend table lists the past drills from history.jsonl", async () => {
    const first = fakeDrill();
    await runDrill(first.drill);
    const second = fakeDrill({}, { reportsDir: first.drill.reportsDir });
    const { reportDir } = await runDrill(second.drill);
    assert.equal(readHistory(first.drill.reportsDir).length, 2);
    const trend = readFileSync(join(reportDir, "report.md"), "utf8").split("## Trend: past drills")[1];
    assert.equal(trend.split("\n").filter((l) => l.startsWith("| 2026-01-15T09:00:00.000Z | drill | fake | passed | 70 min (60)")).length, 2);
  });

  it("a real drill's trend leaves rehearsals out and says how many", async () => {
    const { drill } = fakeDrill();
    const { report } = await runDrill(drill);
    const [rehearsal] = readHistory(drill.reportsDir);
    const real = { ...rehearsal, engine: "automation" as const, at: "2026-04-01T09:00:00.000Z" };
    const md = reportMarkdown({ ...report, rehearsal: false, engine: "automation" }, [rehearsal, real]);
    const trend = md.split("## Trend: past drills")[1];
    assert.match(trend, /^\n\n\(1 rehearsal with --engine fake left out\)\n/);
    assert.equal(trend.split("\n").filter((l) => l.startsWith("| 2026-")).length, 1);
    assert.match(trend, /\| 2026-04-01T09:00:00.000Z \| drill \| automation \|/);
  });

  it("a failed up is still followed by destroy, and the drill fails", async () => {
    const { engines, drill } = fakeDrill({ failStep: "database:orders" });
    const { exitCode, report } = await runDrill(drill);
    assert.equal(exitCode, 1);
    assert.equal(phase(report, "up"), "failed");
    assert.equal(phase(report, "verify"), "skipped");
    assert.equal(phase(report, "destroy"), "passed");
    assert.equal(report.destroy.status, "destroyed");
    assert.ok(report.destroy.destroyed.length > 0);
    assert.equal(engines[0].state.size, 0);
    assert.equal(report.steps.find((s) => s.id === "database:orders")!.status, "failed");
    assert.equal(report.rto.measuredMinutes, null);
    assert.match(report.errors[0], /^up: update failed: database-orders-db could not be created/);
  });

  it("a failed verification is followed by destroy, and the drill exits 1", async () => {
    const { engines, drill } = fakeDrill({}, { verifier: failingVerifier });
    const { exitCode, report } = await runDrill(drill);
    assert.equal(exitCode, 1);
    assert.equal(phase(report, "verify"), "failed");
    assert.equal(report.destroy.status, "destroyed");
    assert.equal(engines[0].state.size, 0);
    assert.equal(report.rto.measuredMinutes, null, "no RTO without a passing verification");
    assert.equal(report.verification?.checks[1].detail, "GET /health answered 503");
  });

  it("a verifier that throws counts as a failed verification, and destroy still runs", async () => {
    const { drill } = fakeDrill({}, { verifier: async () => Promise.reject(new Error("could not reach the database")) });
    const { exitCode, report } = await runDrill(drill);
    assert.equal(exitCode, 1);
    assert.equal(phase(report, "verify"), "failed");
    assert.equal(report.destroy.status, "destroyed");
  });

  it("a failed destroy lists what is left and the exact command to remove it, and the drill fails", async () => {
    const { engines, drill } = fakeDrill({ failDestroySteps: ["database:orders"] });
    const { exitCode, report, reportDir } = await runDrill(drill);
    assert.equal(exitCode, 1);
    assert.equal(report.destroy.status, "failed");
    assert.deepEqual(report.destroy.leftovers.map((r) => r.type), ["recovery:database:RestoredDatabase", "aws:rds/instance:Instance"]);
    assert.match(report.destroy.leftovers[1].urn, /::database-orders-db$/);
    assert.match(report.destroy.command, /pulumi destroy --stack drill --yes/);
    assert.match(report.destroy.error!, /destroy failed/);
    assert.equal(engines[0].state.size > 0, true);
    const md = readFileSync(join(reportDir, "report.md"), "utf8");
    assert.match(md, /\*\*DESTROY FAILED: 2 resources are left behind\.\*\*/);
  });

  it("an interrupt during up cancels it, destroys everything, and fails the drill", async () => {
    const controller = new AbortController();
    const { engines, drill } = fakeDrill({}, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.message.includes("database-identity ready")) controller.abort("SIGINT");
      },
    });
    const { exitCode, report } = await runDrill(drill);
    assert.equal(exitCode, 1);
    assert.equal(report.interrupted, "SIGINT");
    assert.equal(phase(report, "up"), "interrupted");
    assert.equal(phase(report, "verify"), "skipped");
    assert.equal(report.destroy.status, "destroyed");
    assert.ok(report.destroy.destroyed.length > 0);
    assert.equal(engines[0].state.size, 0);
    assert.ok(report.steps.some((s) => s.status === "not-run"), "the update stopped part-way");
  });

  it("--keep skips destroy, marks the report and exits 1", async () => {
    const { engines, drill } = fakeDrill({}, { keep: true });
    const { exitCode, report } = await runDrill(drill);
    assert.equal(exitCode, 1);
    assert.equal(report.kept, true);
    assert.equal(report.destroy.status, "kept");
    assert.equal(phase(report, "destroy"), "skipped");
    assert.ok(engines[0].state.size > 0);
  });

  it("stale backups stop the drill in preflight, before anything is created", async () => {
    let ups = 0;
    const { drill } = fakeDrill();
    const inner = drill.engine;
    const { exitCode, report } = await runDrill({
      ...drill,
      engine: (c, p) => ({ ...inner(c, p), up: async () => void ups++ }),
      backups: { newest: async (db) => ({ what: `latest restorable time of ${db.source.identifier}`, at: new Date(Date.parse("2026-01-15T07:00:00Z")) }) },
    });
    assert.equal(exitCode, 1);
    assert.equal(ups, 0);
    assert.equal(phase(report, "preflight"), "failed");
    assert.equal(report.destroy.status, "not-needed");
    const identity = report.preflight.find((c) => c.name === "backup:identity")!;
    assert.equal(identity.result, "fail");
    assert.match(identity.detail, /120 min old \(RPO 15 min\): older than the RPO; fix the backups, or pass --allow-stale-backups/);
  });

  /** What readiness reports when the media bucket's replica is gone: not ready. */
  const notReady: ReadinessReport = {
    stack: "drill",
    source: "prod",
    region: "eu-west-2",
    checkedAt: "2026-01-15T09:00:00.000Z",
    ready: false,
    items: [
      { kind: "database", name: "orders", id: "lomash-orders-prod", status: "ok", objective: { tier: "stack", rpoMinutes: 15, rtoMinutes: 60 }, achievableRpoMinutes: 2, restorePoint: "2026-01-15T08:58:00.000Z", restoredFrom: "latest restorable time of lomash-orders-prod", problems: [], notes: [], checked: true },
      { kind: "bucket", name: "media", id: "lomash-wood-media-prod", status: "fail", objective: { tier: "stack", rpoMinutes: 15, rtoMinutes: 60 }, achievableRpoMinutes: null, restorePoint: null, restoredFrom: "replica s3://lomash-wood-media-prod-replica (eu-west-1)", problems: ["replica bucket lomash-wood-media-prod-replica does not exist in eu-west-1"], notes: [], checked: true },
    ],
    uncovered: [{ kind: "database", id: "lomash-search-prod", region: "eu-west-2" }],
    coverageProblems: [],
    summary: { ok: 1, warn: 0, fail: 1, unchecked: 0, uncovered: 1 },
    durationMs: 120,
  };

  it("a not-ready readiness is recorded in preflight and the report, with what the drill assumed, and does not stop the drill", async () => {
    const seen: string[] = [];
    const { drill } = fakeDrill({}, { readiness: async (config) => (seen.push(config.stack), { result: "warn", detail: "1 ok, 0 warn, 1 fail, 0 not checked, 1 uncovered: bucket:media", report: notReady }) });
    const { exitCode, report, reportDir } = await runDrill(drill);
    assert.deepEqual(seen, ["drill"]);
    assert.equal(exitCode, 0);
    assert.equal(phase(report, "preflight"), "passed");
    assert.deepEqual(report.preflight.find((c) => c.name === "readiness"), {
      name: "readiness",
      result: "warn",
      detail: "NOT READY: 1 ok, 0 warn, 1 fail, 0 not checked, 1 uncovered: bucket:media (recorded; the drill goes on)",
    });
    assert.deepEqual(report.readiness, { status: "not-ready", detail: "1 ok, 0 warn, 1 fail, 0 not checked, 1 uncovered: bucket:media", report: notReady });
    assert.deepEqual(readReport(reportDir).readiness, report.readiness);
    const md = readFileSync(join(reportDir, "report.md"), "utf8").split("## What the drill assumed (readiness)")[1];
    assert.ok(md, "no readiness section in report.md");
    assert.match(md, /^\n\nReadiness of `drill`: \*\*NOT READY\*\* \(recorded; a not-ready readiness does not stop a drill\): 1 ok, 0 warn, 1 fail, 0 not checked, 1 uncovered: bucket:media\.\n/);
    assert.match(md, /\n\| database:orders \| latest restorable time of lomash-orders-prod \| 2026-01-15T08:58:00\.000Z \| 2 min \/ 15 min \(stack\) \| ok \|\n/);
    assert.match(md, /\n\| bucket:media \| replica s3:\/\/lomash-wood-media-prod-replica \(eu-west-1\) \| — \| — \/ 15 min \(stack\) \| fail \|\n/);
    assert.match(md, /\nNot in the inventory: database `lomash-search-prod`\.\n/);
  });

  it("a readiness that could not run is shown as such, not as ready, and the drill goes on", async () => {
    const { drill } = fakeDrill({}, { readiness: async () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4566"), { name: "Error" })) });
    const { exitCode, report, reportDir } = await runDrill(drill);
    assert.equal(exitCode, 0);
    const detail = "could not run (Error: connect ECONNREFUSED 127.0.0.1:4566); what the drill assumed about production is unknown";
    assert.deepEqual(report.preflight.find((c) => c.name === "readiness"), { name: "readiness", result: "warn", detail });
    assert.deepEqual(report.readiness, { status: "error", detail });
    assert.match(readFileSync(join(reportDir, "report.md"), "utf8"), /\nReadiness of `drill`: \*\*unknown\*\*: could not run \(Error: connect ECONNREFUSED 127\.0\.0\.1:4566\); what the drill assumed about production is unknown\.\n/);
  });

  it("a rehearsal without readiness records it as not run", async () => {
    const { report } = await runDrill(fakeDrill().drill);
    const detail = "not run (rehearsal); a real drill runs npm run readiness against the account first";
    assert.deepEqual(report.preflight.find((c) => c.name === "readiness"), { name: "readiness", result: "warn", detail });
    assert.deepEqual(report.readiness, { status: "skipped", detail });
  });

  it("a drill stack still holding an earlier drill's resources is refused in preflight", async () => {
    const { engines, drill } = fakeDrill({}, { keep: true });
    await runDrill(drill);
    const kept = engines[0];
    let ups = 0;
    const { exitCode, report } = await runDrill({ ...drill, keep: false, engine: () => ({ ...kept, up: async () => void ups++ }) });
    assert.equal(exitCode, 1);
    assert.equal(ups, 0);
    const check = report.preflight.find((c) => c.name === "empty-stack")!;
    assert.equal(check.result, "fail");
    assert.match(check.detail, /^the drill stack still holds 54 resources from an earlier run; remove them first with: .*pulumi destroy --stack drill --yes$/);
  });

  for (const stack of ["prod", "recovery"]) {
    it(`the ${stack} stack is refused before any engine exists`, async () => {
      let engines = 0;
      const { drill } = fakeDrill({}, { stack });
      const inner = drill.engine;
      await assert.rejects(
        runDrill({ ...drill, engine: (c, p) => (engines++, inner(c, p)) }),
        (e: unknown) => e instanceof UsageError && e.code === NOT_A_DRILL_STACK && e.message.startsWith(`--stack ${stack}: refused`),
      );
      assert.equal(engines, 0);
      assert.deepEqual(readHistory(drill.reportsDir), []);
    });
  }

  it("the timeline SVG is well-formed XML and shows every plan step, critical ones marked", async () => {
    const { drill } = fakeDrill();
    const { report, reportDir } = await runDrill(drill);
    const svg = readFileSync(join(reportDir, "timeline.svg"), "utf8");
    assert.equal(xmlProblem(svg), undefined);
    for (const step of report.steps) assert.ok(svg.includes(`data-step="${step.id}"`), `${step.id} is in the SVG`);
    const critical = [...svg.matchAll(/data-step="([^"]+)" class="critical"/g)].map((m) => m[1]);
    assert.deepEqual(critical, report.steps.filter((s) => s.critical).map((s) => s.id));
  });
});

describe("drill reports and secrets", () => {
  after(removeReportsDirs);
  it("never writes the stack outputs (connection strings) to progress or to the report", async () => {
    const secret = "postgresql://lomash_admin:s3cr3t-pw@db.internal:5432/lomash_orders";
    const lines: string[] = [];
    const { drill } = fakeDrill(
      { realiser: { create: async (step) => (step.kind === "database" ? { outputs: { url: secret } } : undefined), destroy: async () => undefined } },
      { onProgress: (p) => lines.push(p.message), verifier: async (outputs) => ({ passed: JSON.stringify(outputs).includes(secret), checks: [] }) },
    );
    const { exitCode, reportDir } = await runDrill(drill);
    assert.equal(exitCode, 0, "the verifier did receive the outputs");
    assert.ok(!lines.some((l) => l.includes("s3cr3t")));
    for (const f of ["report.json", "report.md", "timeline.svg"]) assert.ok(!readFileSync(join(reportDir, f), "utf8").includes("s3cr3t"), f);
  });

  it("escapes text in the SVG", () => {
    assert.equal(escapeXml(`<a href="x">&'</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  });
});
