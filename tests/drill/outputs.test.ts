import { strict as assert } from "node:assert";
import { virtualClock } from "../../drill/clock";
import { fakeEngine } from "../../drill/fake-engine";
import { loadDrillStack } from "../../drill/preflight";
import { restorePointsFrom } from "../../drill/rpo";
import { buildPlan } from "../../plan";
import { parseOutputs } from "../../verification";

describe("the drill reads the stack outputs contract (stacks/outputs.ts)", () => {
  it("a rehearsal's outputs follow the contract the program exports: every step's entry, no password", async () => {
    const config = loadDrillStack("drill", {});
    const engine = fakeEngine({ config, plan: buildPlan(config), clock: virtualClock(), minuteMs: 0 });
    await engine.up({ onEvent: () => undefined });
    const raw = await engine.outputs();
    const outputs = parseOutputs(raw, "the fake engine's outputs");
    assert.deepEqual(Object.keys(outputs.databases).sort(), config.databases.map((d) => d.name).sort());
    assert.deepEqual(Object.keys(outputs.buckets).sort(), config.buckets.map((b) => b.name).sort());
    assert.deepEqual(Object.keys(outputs.secrets).sort(), config.secrets.map((s) => s.name).sort());
    assert.deepEqual(Object.keys(outputs.services).sort(), config.services.map((s) => s.name).sort());
    assert.equal(outputs.gatewayUrl, outputs.services["api-gateway"].url);
    for (const db of Object.values(outputs.databases)) assert.doesNotMatch(db.connectionString, /:[^@/]*@/, "no password in a stand-in URL");
  });

  it("takes each database's restore point from databases.<name>.restorePoint, and none from outputs off the contract", () => {
    const db = { identifier: "x-drill", endpoint: "x.invalid", port: 5432, database: "x", restorePoint: "2026-11-25T09:00:00Z" };
    assert.deepEqual(restorePointsFrom({ namespace: "ns", databases: { orders: db }, connectionStrings: { orders: "postgresql://u@x.invalid/x" } }), { orders: "2026-11-25T09:00:00Z" });
    // A top-level map (what the fake engine once wrote) is not the contract: nothing is guessed from it.
    assert.deepEqual(restorePointsFrom({ namespace: "ns", restorePoints: { orders: "2026-11-25T09:00:00Z" } }), {});
  });
});
