import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { changesOf } from "../../blast-radius/classify";
import { fakeEngine } from "../../drill/fake-engine";
import {
  COMPONENT_STEP_KINDS,
  COMPONENT_TYPES,
  componentName,
  componentNameOfStepId,
  labelName,
  propertyAt,
  writtenNames,
} from "../../components/names";
import { ROOT, runProgram, type ProgramRun } from "../../mocked-program/pulumi-mocks";
import { buildPlan } from "../../plan";
import { loadStack } from "../../stacks";

const TOKENS: readonly string[] = Object.values(COMPONENT_TYPES);
const NOW = new Date("2026-11-25T03:00:00Z");

/** Every .ts file of the project outside node_modules and tests. */
function sources(dir = ROOT): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "node_modules" || entry.startsWith(".") || (dir === ROOT && entry === "tests")) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("names: one module for the names the project gives and reads", () => {
  describe("the component type tokens", () => {
    let recovery: ProgramRun;
    let drill: ProgramRun;
    before(async () => {
      recovery = await runProgram("recovery");
      drill = await runProgram("drill");
    });

    it("is the only place a recovery:<module>:<Type> token is written", () => {
      const literal = /["'`]recovery:[a-z-]+:[A-Z]\w*["'`]/;
      const offenders = sources()
        .filter((f) => relative(ROOT, f) !== join("components", "names.ts"))
        .filter((f) => literal.test(readFileSync(f, "utf8")))
        .map((f) => relative(ROOT, f));
      assert.deepEqual(offenders, []);
    });

    it("names every component the program registers, in both stacks", () => {
      const registered = [...recovery.resources, ...drill.resources].filter((r) => r.type.startsWith("recovery:")).map((r) => r.type);
      assert.deepEqual([...new Set(registered)].filter((t) => !TOKENS.includes(t)), []);
    });

    it("names each plan step's component <kind>-<name> with a token of that step's kind", () => {
      const plan = buildPlan(loadStack("recovery", { now: NOW }));
      for (const step of plan.steps) {
        const component = recovery.resources.find((r) => r.name === componentName(step) && r.type.startsWith("recovery:"));
        assert.ok(component, `no component named ${componentName(step)}`);
        assert.equal(COMPONENT_STEP_KINDS[component.type as keyof typeof COMPONENT_STEP_KINDS], step.kind, component.type);
      }
    });

    it("lets blast-radius classify every token but the environment's into its step kind", () => {
      const kinds = TOKENS.map((token) => {
        const urn = `urn:pulumi:recovery::recovery-stacks::${COMPONENT_TYPES.RecoveryEnvironment}$${token}::x`;
        return [token, changesOf([{ op: "create", urn }])[0].kind];
      });
      assert.deepEqual(kinds, Object.entries(COMPONENT_STEP_KINDS));
      assert.deepEqual(TOKENS.filter((t) => COMPONENT_STEP_KINDS[t as keyof typeof COMPONENT_STEP_KINDS] === undefined), [COMPONENT_TYPES.RecoveryEnvironment]);
    });

    it("gives the fake engine's components the program's tokens for the same steps", async () => {
      const config = loadStack("drill", { now: NOW });
      const plan = buildPlan(config);
      let now = 0;
      const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
      const engine = fakeEngine({ config, plan, clock, minuteMs: 1 });
      await engine.up({ onEvent: () => undefined });
      // Step components only: the fake engine names the environment "environment", the program after the stack.
      const fake = [...engine.state.values()].filter((r) => r.type.startsWith("recovery:") && r.type !== COMPONENT_TYPES.RecoveryEnvironment).map((r) => [r.urn.split("::").pop(), r.type]);
      assert.ok(fake.length > 0);
      const real = drill.resources.filter((r) => r.type.startsWith("recovery:")).map((r) => [r.name, r.type]);
      for (const [name, type] of fake) assert.deepEqual([name, type], real.find(([n]) => n === name) ?? [name, "(not in the program)"]);
    });
  });

  describe("the <kind>-<name> rule", () => {
    it("names a step's component from its kind and name", () => {
      assert.equal(componentName({ kind: "database", name: "orders" }), "database-orders");
    });

    it("gives the same name from the step id, splitting at the first colon only", () => {
      assert.equal(componentNameOfStepId("cluster-config:lomash-wood"), "cluster-config-lomash-wood");
      assert.equal(componentNameOfStepId("service:a:b"), "service-a:b");
    });
  });

  describe("which properties hold real names", () => {
    it("reads a dotted path, with list indexes either way", () => {
      const bag = { spec: { containers: [{ image: "x" }] } };
      assert.equal(propertyAt(bag, "spec.containers[0].image"), "x");
      assert.equal(propertyAt(bag, "spec.containers.0.image"), "x");
      assert.equal(propertyAt(bag, "spec.missing.image"), undefined);
    });

    it("takes an RDS instance's identifier, not its dbName or a name", () => {
      assert.deepEqual(writtenNames("aws:rds/instance:Instance", { identifier: "a-recovery", dbName: "orders", name: "orders" }), [["identifier", "a-recovery"]]);
    });

    it("takes a Secrets Manager secret's name, since that is its physical name", () => {
      assert.deepEqual(writtenNames("aws:secretsmanager/secret:Secret", { name: "app/jwt" }), [["name", "app/jwt"]]);
    });

    it("takes a namespaced Kubernetes object's namespace, not its name, which is unique only inside it", () => {
      const props = { metadata: { name: "redis-sessions", namespace: "lomash-wood-recovery" } };
      assert.deepEqual(writtenNames("kubernetes:apps/v1:StatefulSet", props), [["metadata.namespace", "lomash-wood-recovery"]]);
      assert.equal(labelName("kubernetes:apps/v1:StatefulSet", props), "redis-sessions");
    });

    it("takes a Namespace's own name, since namespaces are cluster-wide", () => {
      assert.deepEqual(writtenNames("kubernetes:core/v1:Namespace", { metadata: { name: "lomash-wood" } }), [["metadata.name", "lomash-wood"]]);
    });

    it("takes a top-level namespace only where the provider has one (a Helm release)", () => {
      assert.deepEqual(writtenNames("kubernetes:helm.sh/v3:Release", { name: "redis", namespace: "lomash-wood" }), [["namespace", "lomash-wood"]]);
      assert.deepEqual(writtenNames("kubernetes:apps/v1:Deployment", { namespace: "lomash-wood", metadata: {} }), []);
    });

    it("takes the bucket an S3 sub-resource configures, and a logging target", () => {
      assert.deepEqual(writtenNames("aws:s3/bucketPolicy:BucketPolicy", { bucket: "media" }), [["bucket", "media"]]);
      assert.deepEqual(writtenNames("aws:s3/bucketLogging:BucketLogging", { bucket: "media", targetBucket: "logs" }), [["targetBucket", "logs"], ["bucket", "media"]]);
      assert.equal(labelName("aws:s3/bucketPolicy:BucketPolicy", { bucket: "media" }), "media");
    });

    it("takes nothing from a type that names nothing real", () => {
      assert.deepEqual(writtenNames("random:index/randomPassword:RandomPassword", { name: "lomash-wood" }), []);
    });
  });
});
