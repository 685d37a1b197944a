import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePreview, parseUrn, PreviewError } from "../../blast-radius/parse";
import { FIXTURES, fixturePath, readFixture } from "./helpers";

const SAVE_IT = "save the output of `pulumi preview --json --stack <name>` unchanged and pass that file";

function messageOf(file: string): string {
  try {
    readFixture(file);
  } catch (error) {
    assert.ok(error instanceof PreviewError, `expected a PreviewError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`${file} parsed without error`);
}

function messageOfText(text: string): string {
  try {
    parsePreview(text, "preview.json");
  } catch (error) {
    assert.ok(error instanceof PreviewError);
    return error.message;
  }
  assert.fail("parsed without error");
}

describe("blast-radius: reading pulumi preview --json", () => {
  it("reads every step of a full rebuild with its op, URN and new state", () => {
    const preview = readFixture("rebuild.json");
    assert.equal(preview.steps.length, 122);
    assert.ok(preview.steps.every((s) => s.op === "create" && s.newState !== undefined && s.oldState === undefined));
    assert.deepEqual(preview.changeSummary, { create: 122 });
  });

  it("accepts the null detailedDiff the CLI writes when no detailed diff was computed", () => {
    assert.equal(readFixture("no-changes.json").steps[0].detailedDiff, null);
  });

  it("splits a URN into stack, project, parent type chain and name", () => {
    assert.deepEqual(
      parseUrn("urn:pulumi:recovery::recovery-stacks::recovery:environment:RecoveryEnvironment$recovery:database:RestoredDatabase$aws:rds/instance:Instance::database-orders-db"),
      {
        stack: "recovery",
        project: "recovery-stacks",
        typeChain: ["recovery:environment:RecoveryEnvironment", "recovery:database:RestoredDatabase", "aws:rds/instance:Instance"],
        type: "aws:rds/instance:Instance",
        name: "database-orders-db",
      },
    );
  });

  it("refuses text that is not JSON, quoting how it starts", () => {
    assert.equal(
      messageOf("not-json.txt"),
      `${fixturePath("not-json.txt")}: is not JSON (it starts with "Previewing update (recovery)"); ${SAVE_IT}, not its log or error text`,
    );
  });

  it("says a truncated file is truncated", () => {
    assert.equal(
      messageOf("truncated.json"),
      `${fixturePath("truncated.json")}: ends before its JSON does (the file is truncated: was the preview interrupted, or the output cut?); ${SAVE_IT}`,
    );
  });

  it("refuses a document without steps, naming the key", () => {
    assert.equal(
      messageOf("missing-steps.json"),
      `${fixturePath("missing-steps.json")}: steps: is missing; every \`pulumi preview --json\` output lists steps (at least the stack itself), so this is another command's output or an edited file; ${SAVE_IT}`,
    );
  });

  it("refuses an unknown op, naming the step and every op it could be", () => {
    assert.equal(
      messageOf("unknown-op.json"),
      `${fixturePath("unknown-op.json")}: steps[3].op: "explode" is not a Pulumi step op; expected one of create, update, replace, create-replacement, delete-replaced, delete, same, read, read-replacement, refresh, import, import-replacement, discard, discard-replaced, remove-pending-replace`,
    );
  });

  it("refuses a preview that itself failed, because its steps are incomplete", () => {
    assert.equal(
      messageOf("failed-preview.json"),
      `${fixturePath("failed-preview.json")}: the preview itself failed (1 error, first: "error: Pulumi.recovery.yaml: recovery:restorePoint: 2026-11-01T00:00:00Z is older than the 7-day backup retention"); its steps are incomplete, fix the error and preview again`,
    );
  });

  it("refuses an empty file", () => {
    assert.equal(messageOfText("  \n"), `preview.json: is empty; ${SAVE_IT}`);
  });

  it("refuses a JSON list, which is not a preview", () => {
    assert.equal(messageOfText("[]"), `preview.json: is a list, not a preview object; ${SAVE_IT}`);
  });

  it("locates invalid JSON in the middle of a file by line and column", () => {
    assert.equal(messageOfText('{\n  "steps": [],\n}'), `preview.json: is not valid JSON at line 3, column 1; ${SAVE_IT}`);
  });

  it("refuses a step whose URN is not a Pulumi URN", () => {
    assert.equal(
      messageOfText(JSON.stringify({ steps: [{ op: "create", urn: "database-orders-db" }] })),
      'preview.json: steps[0].urn: "database-orders-db" is not a Pulumi URN; expected urn:pulumi:<stack>::<project>::<type>::<name>',
    );
  });

  it("refuses a step without an op", () => {
    assert.equal(
      messageOfText(JSON.stringify({ steps: [{ urn: "urn:pulumi:recovery::recovery-stacks::pulumi:pulumi:Stack::recovery-stacks-recovery" }] })),
      `preview.json: steps[0].op: is missing; a preview step always has it, ${SAVE_IT}`,
    );
  });

  it("refuses steps from two stacks in one preview", () => {
    const urn = (stack: string) => `urn:pulumi:${stack}::recovery-stacks::pulumi:pulumi:Stack::recovery-stacks-${stack}`;
    assert.equal(
      messageOfText(JSON.stringify({ steps: [{ op: "same", urn: urn("recovery") }, { op: "same", urn: urn("drill") }] })),
      `preview.json: steps come from several stacks (recovery, drill); a preview is of one stack, ${SAVE_IT}`,
    );
  });

  it("keeps every fixture of the documented format parseable", () => {
    for (const file of ["rebuild.json", "no-changes.json", "replace-database.json", "delete-bucket.json", "update-source.json", "drill-teardown.json"])
      assert.doesNotThrow(() => parsePreview(readFileSync(join(FIXTURES, file), "utf8"), file), file);
  });
});
