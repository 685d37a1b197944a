import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildPlan, type RecoveryPlan } from "../../plan";
import { planJson, renderPlan } from "../../plan/render";
import { schedule } from "../../plan/schedule";
import type { StepSpec } from "../../plan/steps";
import { loadStack, type RecoveryConfig } from "../../stacks";
import { projectCopy } from "../support/project-copy";
import { elastiCacheStackFiles } from "../support/cache-kinds";
import { repoStackFiles } from "../support/stack-files";


const NOW = new Date("2026-11-25T12:00:00Z");

function planOf(stack: string): { plan: RecoveryPlan; config: RecoveryConfig } {
  const config = loadStack(stack, { now: NOW });
  return { plan: buildPlan(config), config };
}

describe("plan: the recovery plan", () => {
  it("covers every resource of the production inventory, once", () => {
    const { plan, config } = planOf("recovery");
    const ids = plan.steps.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length);
    const expected = [
      "cluster-config:lomash-wood-recovery",
      ...config.secrets.map((s) => `secret:${s.name}`),
      ...config.databases.map((d) => `database:${d.name}`),
      ...config.services.filter((s) => s.migrations).map((s) => `migration:${s.name}`),
      ...config.caches.map((c) => `cache:${c.name}`),
      ...config.buckets.map((b) => `bucket:${b.name}`),
      ...config.services.map((s) => `service:${s.name}`),
      "smoke:api-gateway",
      "traffic:api-gateway",
    ];
    assert.deepEqual([...ids].sort(), [...expected].sort());
  });

  it("starts every step after all of its dependencies finish, and lists it after them", () => {
    for (const stack of ["recovery", "drill"]) {
      const { plan } = planOf(stack);
      const byId = new Map(plan.steps.map((s, i) => [s.id, { s, i }]));
      for (const [i, step] of plan.steps.entries()) {
        assert.equal(step.finishMinute, step.startMinute + step.estimateMinutes);
        for (const dep of step.dependsOn) {
          const d = byId.get(dep);
          assert.ok(d, `${step.id} waits for unknown ${dep}`);
          assert.ok(d.s.finishMinute <= step.startMinute, `${step.id} starts before ${dep} finishes`);
          assert.ok(d.i < i, `${step.id} is listed before ${dep}`);
        }
        // Earliest start: exactly when the last dependency finishes.
        const latest = Math.max(0, ...step.dependsOn.map((d) => byId.get(d)!.s.finishMinute));
        assert.equal(step.startMinute, latest, step.id);
      }
    }
  });

  it("puts api-gateway after every other service", () => {
    const { plan } = planOf("recovery");
    const gateway = plan.steps.find((s) => s.id === "service:api-gateway")!;
    const others = plan.steps.filter((s) => s.kind === "service" && s.id !== gateway.id);
    assert.equal(others.length, 8);
    for (const other of others) {
      assert.ok(gateway.dependsOn.includes(other.id), `gateway does not wait for ${other.id}`);
      assert.ok(other.finishMinute <= gateway.startMinute);
    }
  });

  it("makes a service wait only for what it uses and for the migrations of its databases", () => {
    const { plan } = planOf("recovery");
    const content = plan.steps.find((s) => s.id === "service:content")!;
    assert.deepEqual([...content.dependsOn].sort(), [
      "bucket:media",
      "cluster-config:lomash-wood-recovery",
      "database:catalog",
      "migration:product",
    ]);
  });

  it("restores independent databases in parallel, from minute 0", () => {
    const { plan } = planOf("recovery");
    const rds = plan.steps.filter((s) => s.kind === "database" && s.id !== "database:analytics");
    assert.deepEqual(rds.map((s) => s.startMinute), [0, 0, 0, 0]);
  });

  it("has no traffic step in a drill, and smoke waits for the gateway", () => {
    const { plan } = planOf("drill");
    assert.equal(plan.steps.filter((s) => s.kind === "traffic").length, 0);
    assert.deepEqual(plan.steps.find((s) => s.kind === "smoke")?.dependsOn, ["service:api-gateway"]);
  });

  it("gives the critical path, the estimated RTO and the runbook's sequential total", () => {
    const { plan } = planOf("recovery");
    assert.deepEqual(plan.criticalPath, [
      "database:identity",
      "migration:auth",
      "service:auth",
      "service:customer",
      "service:order-payment",
      "service:api-gateway",
      "smoke:api-gateway",
      "traffic:api-gateway",
    ]);
    assert.equal(plan.estimatedRtoMinutes, 73);
    assert.equal(plan.sequentialMinutes, plan.steps.reduce((n, s) => n + s.estimateMinutes, 0));
    assert.equal(plan.sequentialMinutes, 331);
    assert.deepEqual(plan.objective, { rtoMinutes: 60, rpoMinutes: 15 });
    assert.equal(plan.verdict, "exceeds-objective");
    assert.deepEqual(plan.steps.filter((s) => s.critical).map((s) => s.id), plan.criticalPath);
  });

  it("says within-objective when the estimates fit the RTO", () => {
    const { config } = planOf("recovery");
    const plan = buildPlan({ ...config, objectives: { rtoMinutes: 73, rpoMinutes: 15 } });
    assert.equal(plan.verdict, "within-objective");
  });

  it("uses a per-resource estimate over the kind's default", () => {
    const { config } = planOf("recovery");
    const faster = {
      ...config,
      databases: config.databases.map((d) => (d.name === "identity" ? { ...d, estimateMinutes: 10 } : d)),
    };
    const plan = buildPlan(faster);
    assert.equal(plan.steps.find((s) => s.id === "database:identity")?.estimateMinutes, 10);
    assert.notEqual(plan.criticalPath[0], "database:identity");
  });

  it("gives each inventory item's step its tier, `stack` without one, and the other steps none", () => {
    const { plan } = planOf("recovery");
    const tierOf = (id: string) => plan.steps.find((s) => s.id === id)!.tier;
    assert.equal(tierOf("cache:sessions"), "non-critical");
    assert.equal(tierOf("database:analytics"), "non-critical");
    assert.equal(tierOf("database:orders"), "stack");
    assert.equal(tierOf("secret:jwt"), "stack");
    assert.equal(tierOf("bucket:media"), "stack");
    for (const kind of ["cluster-config", "migration", "service", "smoke", "traffic"])
      assert.deepEqual(plan.steps.filter((s) => s.kind === kind).map((s) => s.tier), plan.steps.filter((s) => s.kind === kind).map(() => undefined), kind);
  });

  it("judges each tier's RTO by the latest finish of its items' steps against the tier's rtoMinutes", () => {
    const { plan } = planOf("recovery");
    assert.deepEqual(plan.tiers, [
      { tier: "stack", rtoMinutes: 60, steps: 10, finishMinute: 40, lastStep: "database:identity", verdict: "within-objective" },
      { tier: "non-critical", rtoMinutes: 1440, steps: 2, finishMinute: 25, lastStep: "database:analytics", verdict: "within-objective" },
    ]);
  });

  it("says a tier exceeds its objective when its items are restored later than its rtoMinutes, whatever the stack's verdict", () => {
    const { config } = planOf("recovery");
    const plan = buildPlan({
      ...config,
      objectives: { rtoMinutes: 80, rpoMinutes: 15 },
      databases: config.databases.map((d) => (d.name === "orders" ? { ...d, source: { ...d.source, tier: "critical" } } : d)),
      tiers: { ...config.tiers, critical: { rtoMinutes: 30, rpoMinutes: 15 } },
    });
    assert.equal(plan.verdict, "within-objective");
    assert.deepEqual(plan.tiers.map((t) => [t.tier, t.steps, t.finishMinute, t.lastStep, t.verdict]), [
      ["stack", 9, 40, "database:identity", "within-objective"],
      ["critical", 1, 40, "database:orders", "exceeds-objective"],
      ["non-critical", 2, 25, "database:analytics", "within-objective"],
    ]);
  });

  it("gives the same plan for the same input", () => {
    assert.deepEqual(planOf("recovery").plan, planOf("recovery").plan);
  });
});

describe("plan: the cache step of each kind", () => {
  const withElastiCache = (): RecoveryConfig => {
    const copy = projectCopy(["stacks"], elastiCacheStackFiles());
    try {
      return loadStack("recovery", { root: copy.root, now: NOW });
    } finally {
      copy.cleanup();
    }
  };
  const cacheStep = (plan: RecoveryPlan) => plan.steps.find((s) => s.id === "cache:sessions")!;

  it("makes the example's cluster cache (a StatefulSet in the namespace) wait for the namespace step", () => {
    assert.deepEqual(cacheStep(planOf("recovery").plan).dependsOn, ["cluster-config:lomash-wood-recovery"]);
  });

  it("lets an ElastiCache cache start at minute 0: it needs nothing of ours", () => {
    const step = cacheStep(buildPlan(withElastiCache()));
    assert.deepEqual([step.dependsOn, step.startMinute], [[], 0]);
  });

  it("takes the RDB path's estimate from seed 004's table and names it", () => {
    const step = cacheStep(planOf("recovery").plan);
    assert.equal(step.estimateMinutes, 5);
    assert.equal(step.estimateSource, 'seed 004 "Redis RDB restore: 2–5 minutes" (upper bound)');
  });

  it("says seed 004 has no row for an ElastiCache snapshot restore", () => {
    assert.equal(
      cacheStep(buildPlan(withElastiCache())).estimateSource,
      'seed 004 has no row for an ElastiCache snapshot restore; its "Redis RDB restore: 2–5 minutes" (upper bound)',
    );
  });

  it("names the stack's or the item's estimate when one overrides seed 004's", () => {
    const files = repoStackFiles();
    files.prod.config["recovery:estimates"] = { cache: 8 };
    const copy = projectCopy(["stacks"], files);
    try {
      assert.deepEqual(
        [cacheStep(buildPlan(loadStack("recovery", { root: copy.root, now: NOW })))].map((s) => [s.estimateMinutes, s.estimateSource])[0],
        [8, "recovery:estimates.cache"],
      );
    } finally {
      copy.cleanup();
    }
    const caches = files.prod.config["recovery:caches"] as Record<string, unknown>[];
    caches[0].estimateMinutes = 3;
    const again = projectCopy(["stacks"], files);
    try {
      const step = cacheStep(buildPlan(loadStack("recovery", { root: again.root, now: NOW })));
      assert.deepEqual([step.estimateMinutes, step.estimateSource], [3, "recovery:caches[0].estimateMinutes"]);
    } finally {
      again.cleanup();
    }
  });

  it("prints the cache estimate's source under the table and in --json", () => {
    const { plan } = planOf("recovery");
    assert.ok(renderPlan(plan).split("\n").includes('  cache:sessions 5m: seed 004 "Redis RDB restore: 2–5 minutes" (upper bound)'));
    const json = planJson(plan) as { steps: { id: string; estimateSource: string | null }[] };
    assert.deepEqual(json.steps.filter((s) => s.estimateSource !== null).map((s) => [s.id, s.estimateSource]), [["cache:sessions", 'seed 004 "Redis RDB restore: 2–5 minutes" (upper bound)']]);
  });
});

describe("npm run plan --check on a stack whose only miss is a tier's", function () {
  this.timeout(60_000);
  let copy: { root: string; cleanup: () => void };
  before(() => {
    const files = repoStackFiles();
    files.prod.config["recovery:objectives"] = { rtoMinutes: 80, rpoMinutes: 15 };
    files.prod.config["recovery:tiers"] = { critical: { rtoMinutes: 30, rpoMinutes: 15 }, "non-critical": { rtoMinutes: 1440, rpoMinutes: 1440 } };
    (files.prod.config["recovery:databases"] as Record<string, unknown>[]).find((d) => d.name === "orders")!.tier = "critical";
    copy = projectCopy(["scripts", "stacks", "plan"], files);
  });
  after(() => copy.cleanup());
  const plan = (...args: string[]) =>
    spawnSync(process.execPath, ["--require", "tsx/cjs", join(copy.root, "scripts", "plan.ts"), "--stack", "recovery", ...args], { cwd: copy.root, encoding: "utf8" });

  it("exits 3 and says which tier exceeds, though the whole estimate is within the stack's objective", () => {
    const r = plan("--check");
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /^estimated RTO 73 min \(runbook order 331 min\), objective 80 min: within$/m);
    assert.match(r.stdout, /^ {2}critical +1 step, restored by 40 min \(database:orders\), objective 30 min: exceeds$/m);
  });

  it("exits 0 without --check", () => {
    assert.equal(plan().status, 0);
  });
});

describe("plan: a dependency cycle", () => {
  const step = (id: string, dependsOn: string[]): StepSpec => ({ id, kind: "service", name: id, dependsOn, estimateMinutes: 1 });

  it("is spelt out edge by edge when a plan rule makes one, not listed as the steps it blocks", () => {
    const specs = [step("service:x", []), step("service:a", ["service:x", "service:c"]), step("service:b", ["service:a"]), step("service:c", ["service:b"]), step("service:d", ["service:c"])];
    assert.throws(() => schedule(specs), { message: "plan: dependency cycle service:a → service:c → service:b → service:a" });
  });

  describe("npm run plan on a config whose service depends on the gateway", function () {
    this.timeout(60_000);
    let copy: { root: string; cleanup: () => void };
    before(() => {
      const files = repoStackFiles();
      (files.prod.config["recovery:services"] as { dependsOn: string[] }[])[2].dependsOn[1] = "service:api-gateway";
      copy = projectCopy(["scripts", "stacks", "plan"], files);
    });
    after(() => copy.cleanup());

    it("exits 2 with the key of the edge and the whole cycle, and prints no plan", () => {
      const r = spawnSync(process.execPath, ["--require", "tsx/cjs", join(copy.root, "scripts", "plan.ts"), "--stack", "recovery"], { cwd: copy.root, encoding: "utf8" });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, "");
      assert.equal(
        r.stderr,
        'Pulumi.prod.yaml: recovery:services[2].dependsOn[1]: dependency cycle service:customer → service:api-gateway → service:customer (the gateway waits for every other service); remove "service:api-gateway": a service reaches the others directly, never through the gateway\n',
      );
    });
  });
});
