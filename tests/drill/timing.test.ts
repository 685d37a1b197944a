import { strict as assert } from "node:assert";
import type { EngineEvent } from "../../drill/engine";
import { parseUrn, resourceTimings, StepAttributor, stepTimings } from "../../drill/timing";
import type { PlanStep } from "../../plan";

const urn = (chain: string, name: string) => `urn:pulumi:drill::recovery-stacks::pulumi:pulumi:Stack$recovery:environment:RecoveryEnvironment$${chain}::${name}`;
const step = (id: string): PlanStep => ({ id, kind: id.split(":")[0] as PlanStep["kind"], name: id.split(":")[1], dependsOn: [], estimateMinutes: 10, startMinute: 0, finishMinute: 10, critical: false });
const meta = (u: string, type: string, parent?: string) => ({ op: "create", urn: u, type, new: { urn: u, type, parent } });
const pre = (u: string, type: string, parent?: string): EngineEvent => ({ resourcePreEvent: { metadata: meta(u, type, parent) } });
const out = (u: string, type: string): EngineEvent => ({ resOutputsEvent: { metadata: meta(u, type) } });

describe("drill timing from engine events", () => {
  it("parses a URN into its type chain and name", () => {
    assert.deepEqual(parseUrn(urn("recovery:database:RestoredDatabase$aws:rds/instance:Instance", "database-orders-db")), {
      typeChain: ["pulumi:pulumi:Stack", "recovery:environment:RecoveryEnvironment", "recovery:database:RestoredDatabase", "aws:rds/instance:Instance"],
      name: "database-orders-db",
    });
  });

  it("attributes a child to the longest matching step component, not a shorter prefix", () => {
    const a = new StepAttributor(["service:order", "service:order-payment"]);
    assert.equal(a.stepOf(urn("recovery:services:ServiceRedeployment$kubernetes:apps/v1:Deployment", "service-order-payment-deployment")), "service:order-payment");
    assert.equal(a.stepOf(urn("recovery:services:ServiceRedeployment", "service-order")), "service:order");
  });

  it("attributes a resource whose name says nothing through its parent", () => {
    const a = new StepAttributor(["database:orders"]);
    const component = urn("recovery:database:RestoredDatabase", "database-orders");
    const oddChild = "urn:pulumi:drill::recovery-stacks::random:index/randomPassword:RandomPassword::pw-7";
    a.noteParent(oddChild, component);
    assert.equal(a.stepOf(oddChild), "database:orders");
    assert.equal(a.stepOf(urn("recovery:environment:Other", "unrelated")), undefined);
  });

  it("a step runs from its first resource's start to its last resource's finish; stack and providers are not timed", () => {
    const c = urn("recovery:database:RestoredDatabase", "database-orders");
    const db = urn("recovery:database:RestoredDatabase$aws:rds/instance:Instance", "database-orders-db");
    const provider = "urn:pulumi:drill::recovery-stacks::pulumi:providers:aws::default";
    const events = [
      { at: 1_000, event: pre(provider, "pulumi:providers:aws") },
      { at: 2_000, event: pre(c, "recovery:database:RestoredDatabase") },
      { at: 3_000, event: pre(db, "aws:rds/instance:Instance", c) },
      { at: 603_000, event: out(db, "aws:rds/instance:Instance") },
      { at: 604_000, event: out(c, "recovery:database:RestoredDatabase") },
    ];
    const resources = resourceTimings(events, [step("database:orders")]);
    assert.deepEqual(resources.map((r) => [r.name, r.stepId, r.finishedAt! - r.startedAt]), [["database-orders", "database:orders", 602_000], ["database-orders-db", "database:orders", 600_000]]);
    assert.deepEqual(stepTimings(resources).get("database:orders"), { stepId: "database:orders", startedAt: 2_000, finishedAt: 604_000, resources: 2, failed: false });
  });

  it("a resource that never finished leaves its step unfinished", () => {
    const c = urn("recovery:database:RestoredDatabase", "database-orders");
    const db = urn("recovery:database:RestoredDatabase$aws:rds/instance:Instance", "database-orders-db");
    const resources = resourceTimings([{ at: 0, event: pre(c, "recovery:database:RestoredDatabase") }, { at: 10, event: pre(db, "aws:rds/instance:Instance") }, { at: 20, event: out(c, "recovery:database:RestoredDatabase") }], [step("database:orders")]);
    assert.equal(stepTimings(resources).get("database:orders")!.finishedAt, undefined);
  });
});
