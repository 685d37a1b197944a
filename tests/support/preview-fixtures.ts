/**
 * The blast-radius preview fixtures (`pulumi preview --json` documents, the CLI's PreviewDigest),
 * built from what the program really registers under Pulumi's mocks: every resource's type, name,
 * parent and inputs come from runProgram, so a fixture cannot describe resources the program does
 * not create. Each scenario then says, as data, what changes (an op, a changed input).
 *
 * `npx tsx tests/fixtures/preview/generate.ts` writes them;
 * tests/blast-radius/fixtures-drift.test.ts fails when a committed file differs from this.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT, ROOT, runProgram, type ProgramRun, type RecordedResource } from "../../mocked-program/pulumi-mocks";

/** The preview's own secret marker: `pulumi preview --json` never prints a secret's value. */
export const SECRET = "[secret]";

interface Resource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent?: string;
  readonly inputs: Record<string, unknown>;
}

type Step = Record<string, unknown>;

const version = (pkg: string): string =>
  (JSON.parse(readFileSync(join(ROOT, "node_modules", "@pulumi", pkg, "package.json"), "utf8")) as { version: string }).version;

/**
 * The engine's URN: the parent's whole type chain before the type (the SDK's mock monitor keeps
 * only the last parent type), and nothing for the root stack, which no resource's chain shows.
 */
function engineUrn(run: ProgramRun, r: RecordedResource, stack: string): string {
  const chain = run.ancestry(r.urn).map((a) => a.type).reverse();
  return `urn:pulumi:${stack}::${PROJECT}::${chain.join("$")}::${r.name}`;
}

function masked(inputs: Record<string, unknown>, secretPaths: readonly string[]): Record<string, unknown> {
  const copy = structuredClone(inputs);
  for (const path of secretPaths) {
    const keys = path.split(".");
    let node: unknown = copy;
    for (const k of keys.slice(0, -1)) node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[k] : undefined;
    if (node !== null && typeof node === "object" && keys[keys.length - 1] in node) (node as Record<string, unknown>)[keys[keys.length - 1]] = SECRET;
  }
  return copy;
}

/**
 * Every resource a preview of the stack lists, in the engine's order: the root stack, the default
 * providers of the packages the program uses (at the installed versions), then each registration.
 */
async function resourcesOf(stack: string): Promise<Resource[]> {
  const run = await runProgram(stack, { preview: true });
  const byMockUrn = new Map(run.resources.map((r) => [r.urn, engineUrn(run, r, stack)]));
  const stackUrn = `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
  const packages = [...new Set(run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:")).map((r) => r.type.split(":")[0]))].sort();
  return [
    { urn: stackUrn, type: "pulumi:pulumi:Stack", name: `${PROJECT}-${stack}`, custom: false, inputs: {} },
    ...packages.map((pkg) => {
      const name = `default_${version(pkg).replace(/\./g, "_")}`;
      return { urn: `urn:pulumi:${stack}::${PROJECT}::pulumi:providers:${pkg}::${name}`, type: `pulumi:providers:${pkg}`, name, custom: true, inputs: {} };
    }),
    ...run.resources.map((r) => ({
      urn: byMockUrn.get(r.urn)!,
      type: r.type,
      name: r.name,
      custom: r.custom,
      parent: r.parent === "" ? stackUrn : byMockUrn.get(r.parent),
      inputs: masked(r.inputs, r.secretPaths),
    })),
  ];
}

function state(r: Resource, inputs: Record<string, unknown> = r.inputs): Record<string, unknown> {
  return { urn: r.urn, custom: r.custom, type: r.type, inputs, outputs: {}, ...(r.parent ? { parent: r.parent } : {}) };
}

function step(op: string, r: Resource, extra: Step = {}): Step {
  return {
    op,
    urn: r.urn,
    ...(op === "create" ? {} : { oldState: state(r) }),
    ...(op === "delete" ? {} : { newState: state(r) }),
    detailedDiff: null,
    ...extra,
  };
}

function digest(stack: string, steps: readonly Step[], changeSummary: Record<string, number>): string {
  const config = { "aws:region": "eu-west-2", "recovery:mode": stack === "drill" ? "drill" : "recovery", "recovery:source": "prod" };
  return JSON.stringify({ config, steps, duration: 41800000000, changeSummary }, null, 4) + "\n";
}

/** The CLI's summary: each listed op, and every resource it leaves out as `same`. */
function count(steps: readonly Step[], all: number): Record<string, number> {
  const summary: Record<string, number> = {};
  for (const s of steps) summary[s.op as string] = (summary[s.op as string] ?? 0) + 1;
  if (all > steps.length) summary.same = (summary.same ?? 0) + all - steps.length;
  return summary;
}

/** A copy of `inputs` with the value at a dotted path (`spec.template.spec.containers.0.image`) set. */
function withInput(inputs: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(inputs);
  const keys = path.split(".");
  let node = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (node[k] === null || typeof node[k] !== "object") throw new Error(`preview fixtures: ${path} leads nowhere in the program's inputs; update the scenario`);
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return copy;
}

/** Every fixture file and its text. */
export async function previewFixtures(): Promise<Map<string, string>> {
  const rec = await resourcesOf("recovery");
  const dr = await resourcesOf("drill");
  const files = new Map<string, string>();
  const find = (rs: readonly Resource[], name: string): Resource => {
    const found = rs.find((r) => r.name === name);
    if (!found) throw new Error(`preview fixtures: the program registers no resource named ${name}; update the scenario`);
    return found;
  };
  const root = step("same", rec[0]);

  // 1. The first rebuild after a disaster: everything is created.
  const creates = rec.map((r) => step("create", r));
  files.set("rebuild.json", digest("recovery", creates, { create: creates.length }));

  // 2. The same program again: only the root stack is listed (the CLI leaves out `same` steps).
  files.set("no-changes.json", digest("recovery", [root], { same: rec.length }));

  // 3. Someone points the orders restore at a newer snapshot: the restored database is replaced,
  //    the connection string that names it is unknown until then (an update), and the
  //    migration Job that runs against it is replaced.
  {
    const db = find(rec, "database-orders-db");
    const inputs = Object.fromEntries(Object.entries(db.inputs).filter(([k]) => k !== "restoreToPointInTime"));
    const oldInputs = { ...inputs, snapshotIdentifier: "rds:lomash-orders-prod-2026-11-24-03-10" };
    const newInputs = { ...inputs, snapshotIdentifier: "rds:lomash-orders-prod-2026-11-25-03-10" };
    const env = find(rec, "service-order-payment-env");
    const job = find(rec, "migration-order-payment-job");
    const steps = [
      root,
      {
        ...step("replace", db),
        oldState: state(db, oldInputs),
        newState: state(db, newInputs),
        diffReasons: ["snapshotIdentifier"],
        replaceReasons: ["snapshotIdentifier"],
        detailedDiff: { snapshotIdentifier: { kind: "update-replace", inputDiff: true } },
      },
      { ...step("update", env), diffReasons: ["stringData"], detailedDiff: { stringData: { kind: "update", inputDiff: true } } },
      { ...step("replace", job), diffReasons: ["spec"], replaceReasons: ["spec"], detailedDiff: { "spec.template.metadata.annotations": { kind: "update-replace", inputDiff: true } } },
    ];
    files.set("replace-database.json", digest("recovery", steps, count(steps, rec.length)));
  }

  // 4. The uploads bucket is dropped from the program: its component and everything under it
  //    (the bucket, its settings, its sync Job, its access-log bucket) are deleted, children first.
  {
    const component = find(rec, "bucket-uploads");
    const under = (r: Resource): boolean => r.urn === component.urn || (r.parent !== undefined && under(rec.find((p) => p.urn === r.parent) ?? rec[0]));
    const gone = rec.filter((r) => r !== rec[0] && under(r)).reverse();
    const analytics = find(rec, "service-analytics-deployment");
    const steps = [
      root,
      { ...step("update", analytics), diffReasons: ["spec"], detailedDiff: { "spec.template.spec.containers[0].env": { kind: "update", inputDiff: true } } },
      ...gone.map((r) => step("delete", r)),
    ];
    files.set("delete-bucket.json", digest("recovery", steps, count(steps, rec.length)));
  }

  // 5. The media sync's bucket policy names production's replica bucket (a mistake already
  //    applied once) and this change edits its document: it writes to the source again. The
  //    gateway's image is updated in the same change.
  {
    const policy = find(rec, "bucket-media-policy");
    const gateway = find(rec, "service-api-gateway-deployment");
    const replica = "lomash-wood-media-prod-replica";
    const toReplica = withInput(policy.inputs, "bucket", replica);
    const image = withInput(gateway.inputs, "spec.template.spec.containers.0.image", "registry.example/lomash-wood/api-gateway:next");
    const steps = [
      root,
      { ...step("update", policy), oldState: state(policy, toReplica), newState: state(policy, toReplica), diffReasons: ["policy"], detailedDiff: { policy: { kind: "update", inputDiff: true } } },
      { ...step("update", gateway), newState: state(gateway, image), diffReasons: ["spec"], detailedDiff: { "spec.template.spec.containers[0].image": { kind: "update", inputDiff: true } } },
    ];
    files.set("update-source.json", digest("recovery", steps, count(steps, rec.length)));
  }

  // 6. The end of a quarterly drill: everything it created is deleted, children before parents.
  {
    const steps = [step("same", dr[0]), ...dr.slice(1).reverse().map((r) => step("delete", r))];
    files.set("drill-teardown.json", digest("drill", steps, count(steps, dr.length)));
  }

  // 7. Malformed inputs.
  files.set(
    "not-json.txt",
    "Previewing update (recovery)\n\nView in Browser (Ctrl+O): https://app.pulumi.com/lomash/recovery-stacks/recovery/previews/1\n\n     Type                 Name                     Plan\n +   pulumi:pulumi:Stack  recovery-stacks-recovery  create\n",
  );
  files.set("truncated.json", files.get("rebuild.json")!.slice(0, 2000));
  files.set("missing-steps.json", JSON.stringify({ config: { "aws:region": "eu-west-2" }, duration: 41800000000, changeSummary: { create: creates.length } }, null, 4) + "\n");
  {
    const steps = creates.slice(0, 6).map((s, i) => (i === 3 ? { ...s, op: "explode" } : s));
    files.set("unknown-op.json", digest("recovery", steps, { create: 6 }));
  }
  {
    const steps = [step("create", rec[0])];
    const doc = JSON.parse(digest("recovery", steps, { create: 1 })) as Record<string, unknown>;
    doc.diagnostics = [
      {
        urn: steps[0].urn,
        message: "error: Pulumi.recovery.yaml: recovery:restorePoint: 2026-11-01T00:00:00Z is older than the 7-day backup retention\n",
        severity: "error",
      },
    ];
    files.set("failed-preview.json", JSON.stringify(doc, null, 4) + "\n");
  }
  return files;
}
