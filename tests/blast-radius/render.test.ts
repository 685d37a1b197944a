import * as assert from "node:assert/strict";
import { renderJson, renderMarkdown, renderText } from "../../blast-radius/render";
import { blastRadius } from "../../blast-radius/assess";
import { readFixture, reportOf } from "./helpers";

describe("blast-radius: what people and machines read", () => {
  it("writes the DANGER fixture as a pull-request comment, risk first", () => {
    assert.equal(
      renderMarkdown(reportOf("replace-database.json")),
      [
        "### Blast radius of `recovery`: DANGER: 1 risk",
        "",
        "| | op | resource | type | why |",
        "|---|---|---|---|---|",
        '| :warning: | replace | `database-orders-db` | `aws:rds/instance:Instance` | RDS instance database-orders-db (lomash-orders-prod-recovery) is replaced: the old one is deleted with everything written to it, a new one is created from scratch; forced by snapshotIdentifier "rds:lomash-orders-prod-2026-11-24-03-10" → "rds:lomash-orders-prod-2026-11-25-03-10" (update-replace) |',
        "",
        "| kind | update | replace | same |",
        "|---|---:|---:|---:|",
        "| stack | 0 | 0 | 1 |",
        "| database | 0 | 1 | 0 |",
        "| service | 1 | 0 | 0 |",
        "| migration | 0 | 1 | 0 |",
        "| **total** | 1 | 2 | 1 |",
        "",
        "**Time: creates 2 plan steps, about 45 min (critical path database:orders → migration:order-payment; 45 min one after another); a full rebuild is 73 min, the objective 60 min**",
        "",
        "Source names and plan: stack recovery (the preview's stack; Pulumi.recovery.yaml). Preview: `tests/fixtures/preview/replace-database.json`.",
        "",
        "<details><summary>3 changes</summary>",
        "",
        "| op | resource | type | plan step | note |",
        "|---|---|---|---|---|",
        "| replace | `database-orders-db (lomash-orders-prod-recovery)` | `aws:rds/instance:Instance` | `database:orders` | stateful: RDS instance; replaced for snapshotIdentifier |",
        "| replace | `migration-order-payment-job` | `kubernetes:batch/v1:Job` | `migration:order-payment` | replaced for spec |",
        "| update | `service-order-payment-env (order-payment-restored-env)` | `kubernetes:core/v1:Secret` | `service:order-payment` | stateful: Kubernetes secret; changes stringData |",
        "",
        "</details>",
        "",
      ].join("\n"),
    );
  });

  it("escapes a pipe in a reason so the Markdown table holds", () => {
    const report = reportOf("replace-database.json");
    const piped = { ...report, dangers: [{ ...report.dangers[0], why: "a | b" }] };
    assert.ok(renderMarkdown(piped).includes("| a \\| b |"));
  });

  it("ends the text form with the time and the verdict with its exit code", () => {
    const lines = renderText(reportOf("replace-database.json")).trimEnd().split("\n");
    assert.deepEqual(lines.slice(-2), [
      "time: creates 2 plan steps, about 45 min (critical path database:orders → migration:order-payment; 45 min one after another); a full rebuild is 73 min, the objective 60 min",
      "DANGER: 1 risk; review before anyone runs `pulumi up` (exit 4)",
    ]);
  });

  it("says in the text form when nothing changes", () => {
    const text = renderText(reportOf("no-changes.json"));
    assert.ok(text.includes("\nno changes: every resource is as the preview found it\n"));
    assert.ok(text.endsWith("no danger: nothing stateful replaced or deleted, nothing of the source touched (exit 0)\n"));
  });

  it("says a drill's stateful deletes are its teardown", () => {
    const text = renderText(reportOf("drill-teardown.json", "drill"));
    assert.ok(text.includes("Drill teardown: 27 stateful resources deleted, as a drill must (not a danger)\n"));
    assert.ok(text.endsWith("no danger: no stateful resource replaced, deleted only by the drill's own teardown, nothing of the source touched (exit 0)\n"));
  });

  it("says when source names were not checked, and gives no time", () => {
    const report = blastRadius(readFixture("update-source.json"), {
      preview: "update-source.json",
      config: undefined,
      configSource: { from: "none", reason: 'there is no Pulumi.recovery.yaml for the preview\'s stack "recovery"; pass --stack <name>' },
    });
    const lines = renderText(report).trimEnd().split("\n");
    assert.equal(lines[1], 'source names NOT checked and no time estimate: there is no Pulumi.recovery.yaml for the preview\'s stack "recovery"; pass --stack <name>');
    assert.deepEqual(lines.slice(-2), [
      "time: unknown without a stack config (pass --stack)",
      "no danger: nothing stateful replaced or deleted, source names NOT checked (exit 0)",
    ]);
  });

  it("writes one JSON object with the verdict, the dangers and the exit code", () => {
    const doc = JSON.parse(renderJson(reportOf("delete-bucket.json"))) as Record<string, unknown>;
    assert.equal(doc.verdict, "danger");
    assert.equal(doc.exitCode, 4);
    assert.deepEqual(doc.counts, { update: 1, delete: 16, same: 1 });
    assert.deepEqual(Object.keys(doc), ["stack", "preview", "config", "verdict", "counts", "byKind", "changes", "dangers", "teardowns", "estimate", "exitCode"]);
  });
});
