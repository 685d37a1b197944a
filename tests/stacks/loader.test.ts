import { strict as assert } from "node:assert";
import { configFromPulumi, loadStack, loadStackFromConfig, readStackConfig } from "../../stacks";

const NOW = new Date("2026-11-25T12:00:00Z");

describe("stacks: the loader", () => {
  it("loads the recovery stack with every production resource under a new name", () => {
    const config = loadStack("recovery", { now: NOW });
    assert.equal(config.mode, "recovery");
    assert.equal(config.source, "prod");
    assert.deepEqual(
      config.databases.map((d) => [d.name, d.identifier, d.method]),
      [
        ["identity", "lomash-identity-prod-recovery", "point-in-time"],
        ["catalog", "lomash-catalog-prod-recovery", "point-in-time"],
        ["orders", "lomash-orders-prod-recovery", "point-in-time"],
        ["appointments", "lomash-appointments-prod-recovery", "point-in-time"],
        ["analytics", "lomash-analytics-prod-recovery", "logical"],
      ],
    );
    assert.deepEqual(config.buckets.map((b) => [b.name, b.mode, b.bucket]), [
      ["media", "rebuild", "lomash-wood-media-prod-recovery"],
      ["uploads", "rebuild", "lomash-wood-uploads-prod-recovery"],
    ]);
    assert.equal(config.cluster.namespace, "lomash-wood-recovery");
    assert.equal(config.deletionProtection, true);
  });

  it("never gives a restored resource a name production owns", () => {
    for (const stack of ["recovery", "drill"]) {
      const config = loadStack(stack, { now: NOW });
      const source = new Set(config.sourceNames);
      assert.deepEqual(config.targetNames.filter((n) => source.has(n)), [], stack);
    }
  });

  it("keeps the drill's names disjoint from the recovery stack's", () => {
    const drill = new Set(loadStack("drill", { now: NOW }).targetNames);
    const recovery = loadStack("recovery", { now: NOW }).targetNames;
    assert.deepEqual(recovery.filter((n) => drill.has(n)), []);
  });

  it("applies the drill's smaller instance classes and keeps production's elsewhere", () => {
    const drill = loadStack("drill", { now: NOW });
    assert.equal(drill.databases.find((d) => d.name === "orders")?.instanceClass, "db.t4g.medium");
    assert.deepEqual(drill.caches.map((c) => (c.kind === "cluster" ? [c.name, c.storageGb] : [])), [["sessions", 5]]);
    const recovery = loadStack("recovery", { now: NOW });
    assert.equal(recovery.databases.find((d) => d.name === "orders")?.instanceClass, "db.r6g.large");
  });

  it("restores every secret's current version unless the stack asks for another, as it does for jwt", () => {
    const config = loadStack("recovery", { now: NOW });
    assert.deepEqual(
      config.secrets.map((s) => [s.name, s.versionStage, s.versionId]),
      [
        ["jwt", "AWSPREVIOUS", undefined],
        ["stripe-secret-key", "AWSCURRENT", undefined],
        ["stripe-webhook", "AWSCURRENT", undefined],
        ["sendgrid", "AWSCURRENT", undefined],
      ],
    );
  });

  it("restores the current version of every secret in the drill, which asks for none", () => {
    const config = loadStack("drill", { now: NOW });
    assert.deepEqual([...new Set(config.secrets.map((s) => s.versionStage))], ["AWSCURRENT"]);
  });

  it("gives the same object from Pulumi's config strings as from the YAML file", () => {
    const fromFile = loadStack("recovery", { now: NOW });
    // What the Pulumi engine hands a program: every value a string, objects as JSON.
    const asPulumiGivesIt = Object.fromEntries(
      Object.entries(readStackConfig("recovery")).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    const fromPulumi = loadStackFromConfig("recovery", configFromPulumi(asPulumiGivesIt), { now: NOW });
    assert.deepEqual(fromPulumi, fromFile);
  });
});
