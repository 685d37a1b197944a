import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildPlan, type RecoveryPlan } from "../../plan";
import { renderPlan } from "../../plan/render";
import { schedule } from "../../plan/schedule";
import type { StepSpec } from "../../plan/steps";
import { loadStack, type RecoveryConfig } from "../../stacks";
import { projectCopy } from "../support/project-copy";
import { elastiCacheStackFiles } from "../support/cache-kinds";
import { repoStackFiles, writeStackFiles, type StackFiles } from "../support/stack-files";


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
    assert.deepEqual(step.estimateSource, { from: "seed-004", key: "recovery:estimates.cache" });
  });

  it("names the stack's or the item's estimate when one overrides seed 004's", () => {
    const files = repoStackFiles();
    files.prod.config["recovery:estimates"] = { cache: 8 };
    const copy = projectCopy(["stacks"], files);
    try {
      assert.deepEqual(
        [cacheStep(buildPlan(loadStack("recovery", { root: copy.root, now: NOW })))].map((s) => [s.estimateMinutes, s.estimateSource])[0],
        [8, { from: "inventory", key: "recovery:estimates.cache" }],
      );
    } finally {
      copy.cleanup();
    }
    const caches = files.prod.config["recovery:caches"] as Record<string, unknown>[];
    caches[0].estimateMinutes = 3;
    const again = projectCopy(["stacks"], files);
    try {
      const step = cacheStep(buildPlan(loadStack("recovery", { root: again.root, now: NOW })));
      assert.deepEqual([step.estimateMinutes, step.estimateSource], [3, { from: "item", key: "recovery:caches[0].estimateMinutes" }]);
    } finally {
      again.cleanup();
    }
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

describe("plan: where each estimate comes from", () => {
  /** The plan of the recovery stack after `change` edits a copy of the repository's stack files. */
  function planWith(change: (files: StackFiles) => void): RecoveryPlan {
    const files = repoStackFiles();
    change(files);
    const dir = writeStackFiles(files);
    try {
      return buildPlan(loadStack("recovery", { root: dir.root, now: NOW }));
    } finally {
      dir.cleanup();
    }
  }
  const sourceOf = (plan: RecoveryPlan, id: string) => plan.steps.find((s) => s.id === id)?.estimateSource;

  it("names seed 004's upper bound for the restores and the key that overrides it", () => {
    const { plan } = planOf("recovery");
    assert.deepEqual(sourceOf(plan, "database:identity"), { from: "seed-004", key: "recovery:estimates.pointInTime" });
    assert.deepEqual(sourceOf(plan, "database:analytics"), { from: "seed-004", key: "recovery:estimates.logical" });
    assert.deepEqual(sourceOf(plan, "cache:sessions"), { from: "seed-004", key: "recovery:estimates.cache" });
    assert.deepEqual(sourceOf(plan, "bucket:media"), { from: "seed-004", key: "recovery:estimates.bucketSync" });
  });

  it("names this project's default for the steps seed 004 has no number for", () => {
    const { plan } = planOf("recovery");
    assert.deepEqual(sourceOf(plan, "cluster-config:lomash-wood-recovery"), { from: "default", key: "recovery:estimates.clusterConfig" });
    assert.deepEqual(sourceOf(plan, "secret:jwt"), { from: "default", key: "recovery:estimates.secret" });
    assert.deepEqual(sourceOf(plan, "migration:auth"), { from: "default", key: "recovery:estimates.migration" });
    assert.deepEqual(sourceOf(plan, "service:auth"), { from: "default", key: "recovery:estimates.service" });
    assert.deepEqual(sourceOf(plan, "smoke:api-gateway"), { from: "default", key: "recovery:estimates.smoke" });
    assert.deepEqual(sourceOf(plan, "traffic:api-gateway"), { from: "default", key: "recovery:estimates.traffic" });
  });

  it("names the inventory's recovery:estimates when it overrides a kind", () => {
    const plan = planWith((files) => (files.prod.config["recovery:estimates"] = { pointInTime: 25 }));
    const identity = plan.steps.find((s) => s.id === "database:identity")!;
    assert.equal(identity.estimateMinutes, 25);
    assert.deepEqual(identity.estimateSource, { from: "inventory", key: "recovery:estimates.pointInTime" });
    assert.deepEqual(sourceOf(plan, "database:analytics"), { from: "seed-004", key: "recovery:estimates.logical" });
  });

  it("names the item's own estimateMinutes, by its key, when the item sets one", () => {
    const plan = planWith((files) => ((files.prod.config["recovery:databases"] as Record<string, unknown>[])[2].estimateMinutes = 15));
    const orders = plan.steps.find((s) => s.id === "database:orders")!;
    assert.equal(orders.estimateMinutes, 15);
    assert.deepEqual(orders.estimateSource, { from: "item", key: "recovery:databases[2].estimateMinutes" });
  });

  it("shows the source of each step in the table and, under it, what the sources mean and how to change them", () => {
    const text = renderPlan(planOf("recovery").plan);
    assert.match(text, /^ {2}step +est +from +start +end +tier +timeline +waits for$/m);
    assert.match(text, /^\* database:identity +40m +seed 004 +0 +40 +stack /m);
    assert.match(text, /^ {2}secret:jwt +2m +default +5 +7 +stack /m);
    assert.ok(
      text.includes(
        [
          "estimates (from): seed 004 = the upper bound of the restore runbook's table (seed 004), default = this project's,",
          "  inventory = Pulumi.prod.yaml's recovery:estimates.<kind>, item = the item's own estimateMinutes;",
          "  change a kind with recovery:estimates.<kind> in Pulumi.prod.yaml (e.g. recovery:estimates.pointInTime: 25), one item with its estimateMinutes",
        ].join("\n"),
      ),
      text,
    );
  });

  it("shows an overridden step as inventory or item in the table", () => {
    const plan = planWith((files) => {
      files.prod.config["recovery:estimates"] = { pointInTime: 25 };
      (files.prod.config["recovery:databases"] as Record<string, unknown>[])[2].estimateMinutes = 15;
    });
    const text = renderPlan(plan);
    assert.match(text, /^ {2}database:identity +25m +inventory +0 +25 /m);
    assert.match(text, /^ {2}database:orders +15m +item +0 +15 /m);
  });
});

describe("plan: each database's restore method and restore point", () => {
  function planWith(databases: Record<string, unknown>): RecoveryPlan {
    const files = repoStackFiles();
    files.recovery.config["recovery:databases"] = databases;
    const dir = writeStackFiles(files);
    try {
      return buildPlan(loadStack("recovery", { root: dir.root, now: NOW }));
    } finally {
      dir.cleanup();
    }
  }
  const restoreOf = (plan: RecoveryPlan, name: string) => plan.steps.find((s) => s.id === `database:${name}`)?.restore;
  const overrides = {
    identity: { time: "2026-11-24T09:30:00Z" },
    catalog: { method: "snapshot" },
    orders: { snapshot: "lomash-orders-prod-2026-11-24" },
    analytics: { method: "logical" },
  };

  it("gives a point-in-time restore the stack's restore point, latest by default", () => {
    const { plan } = planOf("recovery");
    assert.deepEqual(restoreOf(plan, "identity"), { method: "point-in-time", restorePoint: "latest", from: "lomash-identity-prod" });
  });

  it("gives a point-in-time restore its own time when the stack names one", () => {
    assert.deepEqual(restoreOf(planWith(overrides), "identity"), { method: "point-in-time", restorePoint: "2026-11-24T09:30:00Z", from: "lomash-identity-prod" });
  });

  it("gives a snapshot restore its snapshot, latest unless one is named", () => {
    const plan = planWith(overrides);
    assert.deepEqual(restoreOf(plan, "catalog"), { method: "snapshot", restorePoint: "latest", from: "lomash-catalog-prod" });
    assert.deepEqual(restoreOf(plan, "orders"), { method: "snapshot", restorePoint: "lomash-orders-prod-2026-11-24", from: "lomash-orders-prod" });
  });

  it("gives a logical restore the newest dump under the inventory's prefix", () => {
    assert.deepEqual(restoreOf(planOf("recovery").plan, "analytics"), { method: "logical", restorePoint: "latest", from: "s3://lomash-wood-backups/pg-logical/lomash_analytics/" });
  });

  it("gives no other step a restore", () => {
    assert.deepEqual(planOf("recovery").plan.steps.filter((s) => s.restore !== undefined).map((s) => s.kind), Array(5).fill("database"));
  });

  it("prints one line per database in plan order after the critical path: its name, method and restore point", () => {
    const text = renderPlan(planWith(overrides));
    assert.ok(
      text.includes(
        [
          "databases (restore method, restore point):",
          "  catalog       snapshot       newest snapshot of lomash-catalog-prod, resolved once and kept",
          "  orders        snapshot       snapshot lomash-orders-prod-2026-11-24 of lomash-orders-prod",
          "  identity      point-in-time  2026-11-24T09:30:00Z (a point in time of lomash-identity-prod)",
          "  appointments  point-in-time  latest restorable time of lomash-appointments-prod, read when pulumi up creates it",
          "  analytics     logical        newest pg_dump under s3://lomash-wood-backups/pg-logical/lomash_analytics/, its sha256 checked",
          "",
          "estimated RTO",
        ].join("\n"),
      ),
      text,
    );
  });
});
