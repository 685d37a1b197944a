import { strict as assert } from "node:assert";
import { outputsFromAutomation, parseOutputs, Redactor, UsageError } from "../../verification";
import { runChecks } from "../../verification/runner";
import { formatTable } from "../../verification/render";
import type { Check } from "../../verification/types";

const outputs = {
  namespace: "lomash-wood-drill",
  gatewayUrl: "http://gateway.invalid:3000",
  databases: {
    orders: { identifier: "lomash-orders-prod-drill", endpoint: "db.invalid", port: 5432, database: "lomash_orders", connectionString: "postgresql://u:pw-123456@db.invalid:5432/lomash_orders" },
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const check = (name: string, run: Check["run"]): Check => ({ name, target: "t", group: "services", run });

describe("verification without real parts", () => {
  describe("parseOutputs", () => {
    it("accepts the contract and ignores extra outputs", () => {
      const parsed = parseOutputs({ ...outputs, recoveryPlan: { steps: [] } }, "outputs.json");
      assert.equal(parsed.databases.orders.port, 5432);
      assert.deepEqual(parsed.buckets, {});
    });

    it("names the key that breaks the contract and where the contract is", () => {
      const bad = { ...outputs, databases: { orders: { ...outputs.databases.orders, port: "5432" } } };
      assert.throws(() => parseOutputs(bad, "--outputs o.json"), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, /^--outputs o\.json: databases\.orders\.port: expected number, received string$/m);
        assert.match(e.message, /docs\/verify\.md/);
        return true;
      });
    });

    it("takes the Automation API's output map as the drill gets it", () => {
      const map = Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value, secret: k === "databases" }]));
      assert.equal(outputsFromAutomation(map).databases.orders.identifier, "lomash-orders-prod-drill");
    });

    it("refuses outputs printed without --show-secrets", () => {
      const hidden = { ...outputs, databases: { orders: { ...outputs.databases.orders, connectionString: "[secret]" } } };
      assert.throws(() => parseOutputs(hidden, "--outputs o.json"), /holds "\[secret\]" placeholders; .*--show-secrets/);
    });
  });

  describe("Redactor", () => {
    it("masks the password of any URL and every remembered secret", () => {
      const r = new Redactor();
      r.addUrl("postgresql://admin:s3cr%40t-pw@db.invalid/x");
      assert.equal(r.apply("failed: postgresql://admin:s3cr%40t-pw@db.invalid/x"), "failed: postgresql://admin:***@db.invalid/x");
      assert.equal(r.apply("password s3cr@t-pw rejected"), "password *** rejected");
      assert.equal(r.apply("see redis://default:other@cache.invalid:6379"), "see redis://default:***@cache.invalid:6379");
    });
  });

  describe("runChecks", () => {
    it("fails a check that never settles at its timeout while the others finish", async () => {
      const started = Date.now();
      const results = await runChecks(
        [check("hangs", () => new Promise(() => undefined)), check("quick", async () => ({ ok: true, detail: "fine" }))],
        { concurrency: 4, timeoutMs: 100, redactor: new Redactor() },
      );
      assert.ok(Date.now() - started < 1_000);
      assert.deepEqual(results.map((r) => [r.name, r.result, r.detail]), [
        ["hangs", "fail", "timed out after 100 ms"],
        ["quick", "pass", "fine"],
      ]);
    });

    it("runs independent checks at once, up to the concurrency limit", async () => {
      // Counted, not timed: how many checks are in flight together (a loaded machine cannot flake this).
      let inFlight = 0;
      let most = 0;
      const checks = Array.from({ length: 8 }, (_, i) =>
        check(`c${i}`, async () => {
          most = Math.max(most, ++inFlight);
          await sleep(20);
          inFlight--;
          return { ok: true, detail: "" };
        }),
      );
      await runChecks(checks, { concurrency: 8, timeoutMs: 5_000, redactor: new Redactor() });
      assert.equal(most, 8, "8 independent checks with a limit of 8 ran at once");
      most = 0;
      await runChecks(checks, { concurrency: 2, timeoutMs: 5_000, redactor: new Redactor() });
      assert.equal(most, 2, "a limit of 2 kept 2 in flight, no more");
    });

    it("turns a thrown error into a failed check, redacted", async () => {
      const r = new Redactor();
      r.add("hunter2-secret");
      const [result] = await runChecks([check("throws", async () => { throw new Error("auth failed for hunter2-secret"); })], {
        concurrency: 1,
        timeoutMs: 1_000,
        redactor: r,
      });
      assert.deepEqual([result.result, result.detail], ["fail", "auth failed for ***"]);
    });
  });

  it("prints a table with a FAIL row and a summary line naming the failed check", () => {
    const table = formatTable({
      passed: false,
      stack: "drill",
      startedAt: "2026-11-25T00:00:00.000Z",
      ms: 1234,
      checks: [
        { name: "database.connect", target: "orders", result: "pass", ms: 12, detail: "SELECT 1 answered" },
        { name: "service.health", target: "auth", result: "fail", ms: 5, detail: "GET http://auth/health → 500, expected 200" },
      ],
    });
    assert.equal(
      table,
      [
        "CHECK             TARGET  RESULT  TIME   DETAIL",
        "database.connect  orders  pass    12 ms  SELECT 1 answered",
        "service.health    auth    FAIL    5 ms   GET http://auth/health → 500, expected 200",
        "",
        "FAIL drill: 1 passed, 1 failed: service.health auth (1.2 s)",
      ].join("\n"),
    );
  });
});
