import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

const ROOT = join(__dirname, "..", "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

describe("the nightly readiness schedule examples", () => {
  it("the CI workflow runs readiness nightly with --json and read-only OIDC credentials, nothing inline", () => {
    const text = read(".github/workflows/nightly-readiness.yml");
    const wf = parse(text) as { on: { schedule: { cron: string }[] }; permissions: Record<string, string>; jobs: { readiness: { steps: { run?: string; uses?: string }[] } } };
    assert.deepEqual(wf.on.schedule, [{ cron: "30 5 * * *" }]);
    assert.deepEqual(wf.permissions, { "id-token": "write", contents: "read" });
    assert.ok(wf.jobs.readiness.steps.some((s) => s.run === "npm run --silent readiness -- --stack recovery --json > readiness.json"));
    assert.doesNotMatch(text, /AKIA|aws_secret_access_key/i, "no credentials inline");
  });

  it("the CronJob runs the same command nightly, one at a time, never retried", () => {
    const docs = parseAllDocuments(read("k8s/cronjob/nightly-readiness.yaml")).map((d) => d.toJS() as Record<string, unknown>);
    const cron = docs.find((d) => d.kind === "CronJob") as { spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { backoffLimit: number; template: { spec: { containers: { command: string[] }[] } } } } } };
    assert.equal(cron.spec.schedule, "30 5 * * *");
    assert.equal(cron.spec.concurrencyPolicy, "Forbid");
    assert.equal(cron.spec.jobTemplate.spec.backoffLimit, 0);
    assert.deepEqual(cron.spec.jobTemplate.spec.template.spec.containers[0].command, ["node", "--require", "tsx/cjs", "scripts/readiness.ts", "--stack", "recovery", "--json"]);
  });
});
