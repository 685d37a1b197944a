import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, parse } from "yaml";

const ROOT = join(__dirname, "..", "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

describe("the quarterly drill schedule examples", () => {
  it("the CI workflow runs the drill quarterly with --json, keeps the reports, and holds no secret inline", () => {
    const text = read(".github/workflows/quarterly-drill.yml");
    const wf = parse(text) as { on: { schedule: { cron: string }[] }; permissions: Record<string, string>; jobs: { drill: { steps: { run?: string; uses?: string; with?: Record<string, unknown> }[] } } };
    assert.deepEqual(wf.on.schedule, [{ cron: "0 6 1 1,4,7,10 *" }]);
    assert.equal(wf.permissions["id-token"], "write");
    const steps = wf.jobs.drill.steps;
    assert.ok(steps.some((s) => s.run?.includes("npm ci") && s.run.includes("npm run --silent drill -- --stack drill --json")));
    assert.ok(steps.some((s) => s.uses?.startsWith("actions/upload-artifact") && String(s.with?.path).includes("reports/drills")));
    assert.doesNotMatch(text, /AKIA|pul-[0-9a-f]{8}/, "no credentials inline");
    assert.match(text, /PULUMI_ACCESS_TOKEN: \$\{\{ secrets\.PULUMI_ACCESS_TOKEN \}\}/);
  });

  it("the CronJob runs the same drill quarterly, one at a time, with time to destroy on SIGTERM", () => {
    const docs = parseAllDocuments(read("k8s/cronjob/quarterly-drill.yaml")).map((d) => d.toJS() as Record<string, unknown>);
    const cron = docs.find((d) => d.kind === "CronJob") as { spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { backoffLimit: number; template: { spec: { terminationGracePeriodSeconds: number; containers: { command: string[]; env: { name: string; value?: string }[] }[] } } } } } };
    assert.equal(cron.spec.schedule, "0 6 1 1,4,7,10 *");
    assert.equal(cron.spec.concurrencyPolicy, "Forbid");
    const pod = cron.spec.jobTemplate.spec.template.spec;
    assert.equal(cron.spec.jobTemplate.spec.backoffLimit, 0);
    assert.ok(pod.terminationGracePeriodSeconds >= 600);
    assert.deepEqual(pod.containers[0].command, ["node", "--require", "tsx/cjs", "scripts/drill.ts", "--stack", "drill", "--json"]);
    assert.ok(!pod.containers[0].env.some((e) => e.name === "PULUMI_ACCESS_TOKEN" && e.value !== undefined), "the token comes from a Secret");
  });
});
