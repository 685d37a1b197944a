import { strict as assert } from "node:assert";
import { countsAsProduction, globMatches } from "../../readiness/coverage";
import { inventoryName } from "../../readiness/suggest";
import type { ItemResult, ReadinessItem } from "../../readiness/types";
import { judge, objectiveFor, summarize } from "../../readiness/verdict";
import { loadStack, type RecoveryConfig } from "../../stacks";

const recovery = loadStack("recovery");
const result = (over: Partial<ItemResult>): ItemResult => ({ restoredFrom: "x", restorePoint: null, achievableRpoMinutes: 10, findings: [], notes: [], ...over });
const base = { stack: "recovery", source: "prod", region: "eu-west-2", checkedAt: "2026-12-01T00:00:00.000Z", durationMs: 1 };

describe("readiness verdict", () => {
  it("judges an item without a tier against the inventory's objectives, and one with a tier against its tier's", () => {
    assert.deepEqual(objectiveFor(recovery, undefined), { tier: "stack", rtoMinutes: 60, rpoMinutes: 15 });
    assert.deepEqual(objectiveFor(recovery, "non-critical"), { tier: "non-critical", rpoMinutes: 1440, rtoMinutes: 1440 });
  });

  it("fails an achievable RPO beyond the objective with the item's own fix", () => {
    const item = judge("database", "orders", "lomash-orders-prod", objectiveFor(recovery, "critical"), result({ achievableRpoMinutes: 16, rpoFix: "fix it" }));
    assert.equal(item.status, "fail");
    assert.deepEqual(item.problems, ["achievable RPO 16 min exceeds the critical tier's 15 min; fix it"]);
  });

  it("passes an RPO exactly at the objective", () => {
    assert.equal(judge("database", "orders", "x", objectiveFor(recovery, "critical"), result({ achievableRpoMinutes: 15 })).status, "ok");
  });

  it("does not judge the RPO of a pinned restore point", () => {
    assert.equal(judge("database", "orders", "x", objectiveFor(recovery, "critical"), result({ achievableRpoMinutes: 900, rpoNotJudged: true })).status, "ok");
  });

  it("is not ready while an item could not be checked, though the item only warns", () => {
    const item = judge("secret", "jwt", "x", objectiveFor(recovery, undefined), result({ findings: [{ level: "unknown", message: "could not check" }] }));
    assert.equal(item.status, "warn");
    assert.equal(item.checked, false);
    assert.equal(summarize(base, [item], [], []).ready, false);
  });

  it("is ready with warnings, and not with --strict", () => {
    const item: ReadinessItem = judge("cache", "sessions", "x", objectiveFor(recovery, undefined), result({ findings: [{ level: "warn", message: "age unknown" }] }));
    assert.equal(summarize(base, [item], [], []).ready, true);
    assert.equal(summarize(base, [item], [], [], true).ready, false);
  });

  it("is not ready while anything is uncovered, or coverage could not be listed", () => {
    assert.equal(summarize(base, [], [{ kind: "bucket", id: "b", region: "eu-west-2" }], []).ready, false);
    assert.equal(summarize(base, [], [], ["could not list buckets"]).ready, false);
  });
});

describe("readiness coverage rules", () => {
  const withRules = (coverage: RecoveryConfig["coverage"]): RecoveryConfig => ({ ...recovery, coverage });

  it("matches `*` as any run of characters and everything else literally", () => {
    assert.equal(globMatches("lomash-*-prod", "lomash-search-prod"), true);
    assert.equal(globMatches("lomash-*-prod", "lomash-search-prod-2"), false);
    assert.equal(globMatches("a.b", "axb"), false);
  });

  it("counts everything without rules", () => {
    assert.equal(countsAsProduction(withRules({ include: [], exclude: [] }), "bucket", "anything", undefined), true);
  });

  it("counts only what an include rule matches, by kind, name and tag", () => {
    const config = withRules({ include: [{ tag: "env=prod" }, { kind: "bucket", name: "lomash-*" }], exclude: [] });
    assert.equal(countsAsProduction(config, "secret", "s", { env: "prod" }), true);
    assert.equal(countsAsProduction(config, "secret", "s", { env: "staging" }), false);
    assert.equal(countsAsProduction(config, "bucket", "lomash-x", undefined), true);
    assert.equal(countsAsProduction(config, "database", "lomash-x", undefined), false);
  });

  it("leaves out what an exclude rule matches, a bare tag key matching any value", () => {
    const config = withRules({ include: [], exclude: [{ tag: "scratch" }] });
    assert.equal(countsAsProduction(config, "database", "d", { scratch: "yes" }), false);
    assert.equal(countsAsProduction(config, "database", "d", {}), true);
  });

  it("names a suggested item from its AWS name", () => {
    assert.equal(inventoryName("lomash-search-prod"), "search");
    assert.equal(inventoryName("lomash-wood/production/algolia-key"), "algolia-key");
    assert.equal(inventoryName("lomash-wood-exports-prod"), "exports");
  });
});
