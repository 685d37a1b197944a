import * as assert from "node:assert/strict";
import { changesOf } from "../../blast-radius/classify";
import { estimate, stepOf } from "../../blast-radius/estimate";
import type { PreviewStep, StepOp } from "../../blast-radius/parse";
import { buildPlan, type PlanStep, type RecoveryPlan } from "../../plan";
import { loadStack } from "../../stacks";
import { NOW } from "./helpers";

const plan = buildPlan(loadStack("recovery", { now: NOW }));
const ENV = "recovery:environment:RecoveryEnvironment";

function step(op: StepOp, component: string, name: string, type = "kubernetes:batch/v1:Job"): PreviewStep {
  return { op, urn: `urn:pulumi:recovery::recovery-stacks::${ENV}$${component}$${type}::${name}` };
}

describe("blast-radius: how long what is created takes", () => {
  it("maps a child to its component's plan step by the <kind>-<name> prefix", () => {
    const [c] = changesOf([step("create", "recovery:services:ServiceRedeployment", "service-order-payment-deployment")]);
    assert.equal(stepOf(c, plan), "service:order-payment");
  });

  it("maps the component resource itself, named exactly <kind>-<name>", () => {
    const [c] = changesOf([{ op: "create", urn: `urn:pulumi:recovery::recovery-stacks::${ENV}$recovery:cache:RestoredCache::cache-sessions` }]);
    assert.equal(stepOf(c, plan), "cache:sessions");
  });

  it("prefers the longest step name, so service api-gateway's children are not service api's", () => {
    const service = (name: string): PlanStep => ({ id: `service:${name}`, kind: "service", name, dependsOn: [], estimateMinutes: 5, startMinute: 0, finishMinute: 5, critical: false });
    const twoApis: RecoveryPlan = { ...plan, steps: [service("api"), service("api-gateway")] };
    const [gateway, api] = changesOf([
      step("create", "recovery:services:ServiceRedeployment", "service-api-gateway-deployment"),
      step("create", "recovery:services:ServiceRedeployment", "service-api-deployment"),
    ]);
    assert.equal(stepOf(gateway, twoApis), "service:api-gateway");
    assert.equal(stepOf(api, twoApis), "service:api");
  });

  it("maps nothing for a name no plan step has", () => {
    const [c] = changesOf([step("create", "recovery:database:RestoredDatabase", "database-ledger-db")]);
    assert.equal(stepOf(c, plan), undefined);
  });

  it("counts updates and deletes as no time", () => {
    const e = estimate(changesOf([step("update", "recovery:database:MigrationJob", "migration-auth-job"), step("delete", "recovery:cache:RestoredCache", "cache-sessions-redis")]), plan);
    assert.deepEqual(e.steps, []);
    assert.equal(e.estimatedRtoMinutes, 0);
  });

  it("runs steps that depend on nothing created in parallel, from minute 0", () => {
    const e = estimate(
      changesOf([step("create", "recovery:cache:RestoredCache", "cache-sessions-redis"), step("create", "recovery:database:RestoredDatabase", "database-catalog-db")]),
      plan,
    );
    assert.deepEqual(e.steps.map((s) => s.id).sort(), ["cache:sessions", "database:catalog"]);
    assert.equal(e.sequentialMinutes, 45);
    assert.equal(e.estimatedRtoMinutes, 40);
    assert.deepEqual(e.criticalPath, ["database:catalog"]);
  });

  it("re-runs the smoke tests when the gateway is created again, and not otherwise", () => {
    const withGateway = estimate(changesOf([step("create", "recovery:services:ServiceRedeployment", "service-api-gateway-deployment")]), plan);
    assert.deepEqual(withGateway.steps.map((s) => s.id), ["service:api-gateway", "smoke:api-gateway"]);
    assert.equal(withGateway.estimatedRtoMinutes, 10);
    const withoutGateway = estimate(changesOf([step("create", "recovery:services:ServiceRedeployment", "service-auth-deployment")]), plan);
    assert.deepEqual(withoutGateway.steps.map((s) => s.id), ["service:auth"]);
  });

  it("counts created resources no step owns separately", () => {
    const e = estimate(changesOf([{ op: "create", urn: "urn:pulumi:recovery::recovery-stacks::pulumi:providers:aws::default_7_48_0" }]), plan);
    assert.equal(e.unmappedResources, 1);
    assert.deepEqual(e.steps, []);
  });
});
