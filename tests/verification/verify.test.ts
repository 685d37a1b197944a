import { strict as assert } from "node:assert";
import { DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { ModifyDBInstanceCommand } from "@aws-sdk/client-rds";
import { loadStack } from "../../stacks";
import { captureBaseline, parseOutputs, runVerification, type Baseline, type VerificationResult } from "../../verification";
import type { RecoveryConfig } from "../../stacks/types";
import { cliCases } from "./support/cli-cases";
import { DATABASES, FIXTURE_ROOT, LATEST_MIGRATION, OBJECTS, STACK, startEnvironment, type Environment } from "./support/environment";

const HTTP_TIMEOUT_MS = 1_000;

const failing = (r: VerificationResult) => r.checks.filter((c) => c.result === "fail").map((c) => `${c.name} ${c.target}`);

describe("verify against a restored drill environment (real PostgreSQL, moto, HTTP servers)", function () {
  this.timeout(60_000);
  let env: Environment | undefined;
  let config: RecoveryConfig;
  let baseline: Baseline;

  before(async function () {
    this.timeout(120_000);
    env = await startEnvironment();
    config = loadStack(STACK, { root: FIXTURE_ROOT });
    baseline = await captureBaseline({
      config,
      sourceUrls: Object.fromEntries(DATABASES.map((d) => [d, env!.sourceUrl(d)])),
    });
  });

  after(async () => {
    await env?.stop();
  });

  const verify = (overrides: Partial<Parameters<typeof runVerification>[0]> = {}) =>
    runVerification({
      config,
      outputs: parseOutputs(env!.outputs, "test outputs"),
      baseline,
      secretSource: env!.secretSource,
      httpTimeoutMs: HTTP_TIMEOUT_MS,
      checkTimeoutMs: 10_000,
      ...overrides,
    });

  /** Breaks one thing, verifies, and always puts it back. */
  async function brokenBy(breakIt: () => Promise<void>, repair: () => Promise<void>): Promise<VerificationResult> {
    try {
      await breakIt();
      return await verify();
    } finally {
      await repair();
    }
  }
  const inOrders = (sql: string) => brokenBy(() => env!.sqlRestored("orders", sql), () => env!.resetRestored("orders"));

  it("passes every check on a clean restore, and runs them all", async () => {
    const result = await verify();
    assert.deepEqual(failing(result), []);
    assert.equal(result.passed, true);
    // 10 per database (database.configuration among them), 4 for the rebuilt bucket, 2 secrets, 3 services, 2 smoke tests.
    assert.equal(result.checks.length, 2 * 10 + 4 + 2 + 3 + 2);
  });

  it("reports the checks in plan order, databases first and the gateway's service and smoke checks last", async () => {
    const result = await verify({ only: ["services", "smoke", "db"] });
    const services = result.checks.filter((c) => c.name === "service.health").map((c) => c.target);
    assert.deepEqual(services, ["auth", "product", "api-gateway"]);
    assert.equal(result.checks[0].name, "database.connect");
    assert.deepEqual(result.checks.slice(-2).map((c) => c.name), ["smoke.request", "smoke.request"]);
  });

  it("records the source's tables, row counts, migration and bucket in the baseline", () => {
    const orders = baseline.databases.orders;
    assert.equal(orders.migration, LATEST_MIGRATION);
    assert.equal(orders.tables["public.orders"].rows, 200);
    assert.equal(orders.tables["public.order_items"].rows, 400);
    assert.ok(orders.uniqueKeys.some((k) => k.name === "customers_email_key"));
    assert.ok(orders.foreignKeys.some((k) => k.table === "order_items" && k.refTable === "orders"));
    assert.deepEqual(baseline.buckets.media, {
      bucket: "lomash-wood-media-prod",
      objects: Object.keys(OBJECTS).length,
      bytes: Object.values(OBJECTS).reduce((s, b) => s + b.length, 0),
    });
  });

  describe("each broken restore fails exactly the check that covers it", () => {
    it("a missing table fails database.tables", async () => {
      const result = await inOrders("DROP TABLE audit_log");
      assert.deepEqual(failing(result), ["database.tables orders"]);
      assert.match(result.checks.find((c) => c.result === "fail")!.detail, /public\.audit_log/);
    });

    it("a table truncated beyond the RPO's tolerance fails database.row-counts", async () => {
      const result = await inOrders("DELETE FROM order_items WHERE id > 100");
      assert.deepEqual(failing(result), ["database.row-counts orders"]);
    });

    it("a table missing only the rows written within the RPO still passes database.row-counts", async () => {
      // The newest rows (the last 15 minutes) are what a restore to the RPO may lack.
      const result = await inOrders("DELETE FROM order_items WHERE id <= 3");
      assert.deepEqual(failing(result), []);
    });

    it("orphan rows fail database.foreign-keys", async () => {
      const result = await inOrders(
        "SET session_replication_role = replica; INSERT INTO order_items (order_id, sku, qty, created_at) VALUES (99999, 'orphan', 1, now() - interval '1 hour')",
      );
      assert.deepEqual(failing(result), ["database.foreign-keys orders"]);
    });

    it("a duplicate in a unique column fails database.unique", async () => {
      const result = await inOrders(
        "ALTER TABLE customers DROP CONSTRAINT customers_email_key; INSERT INTO customers (email, created_at) SELECT email, created_at FROM customers WHERE id = 5",
      );
      assert.deepEqual(failing(result), ["database.unique orders"]);
      assert.doesNotMatch(result.checks.find((c) => c.result === "fail")!.detail, /customer4@/, "a duplicated value is never printed");
    });

    it("data older than the restore point minus the RPO fails database.freshness", async () => {
      const result = await inOrders(
        "UPDATE customers SET created_at = created_at - interval '3 hours'; UPDATE orders SET created_at = created_at - interval '3 hours', updated_at = updated_at - interval '3 hours'; UPDATE order_items SET created_at = created_at - interval '3 hours'",
      );
      assert.deepEqual(failing(result), ["database.freshness orders"]);
    });

    it("a sequence behind its max id fails database.sequences", async () => {
      const result = await inOrders("SELECT setval('orders_id_seq', 1)");
      assert.deepEqual(failing(result), ["database.sequences orders"]);
    });

    it("a missing migration fails database.migrations", async () => {
      const result = await inOrders(`DELETE FROM _prisma_migrations WHERE migration_name = '${LATEST_MIGRATION}'`);
      assert.deepEqual(failing(result), ["database.migrations orders"]);
    });

    it("a failed migration fails database.migrations", async () => {
      const result = await inOrders("INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('m4', 'c4', '20261124000000_broken')");
      assert.deepEqual(failing(result), ["database.migrations orders"]);
    });

    it("a publicly accessible restored instance fails database.private", async () => {
      const set = (PubliclyAccessible: boolean) => async () => {
        await env!.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "lomash-identity-prod-drill", PubliclyAccessible, ApplyImmediately: true }));
      };
      const result = await brokenBy(set(true), set(false));
      assert.deepEqual(failing(result), ["database.private identity"]);
    });

    it("a bucket with missing objects fails bucket.objects", async () => {
      const keys = Object.keys(OBJECTS).slice(0, 2);
      const result = await brokenBy(
        async () => {
          for (const Key of keys) await env!.s3.send(new DeleteObjectCommand({ Bucket: "lomash-wood-media-prod-drill", Key }));
        },
        async () => {
          for (const Key of keys) await env!.s3.send(new PutObjectCommand({ Bucket: "lomash-wood-media-prod-drill", Key, Body: OBJECTS[Key] }));
        },
      );
      assert.deepEqual(failing(result), ["bucket.objects media"]);
      assert.match(result.checks.find((c) => c.result === "fail")!.detail, /2 missing/);
    });

    it("an object whose content differs fails bucket.checksums", async () => {
      const Key = Object.keys(OBJECTS)[5];
      // Same size, different bytes: only a checksum can tell.
      const corrupt = OBJECTS[Key].replace(/i/g, "j");
      assert.equal(corrupt.length, OBJECTS[Key].length);
      const put = (Body: string) => async () => {
        await env!.s3.send(new PutObjectCommand({ Bucket: "lomash-wood-media-prod-drill", Key, Body }));
      };
      const result = await brokenBy(put(corrupt), put(OBJECTS[Key]));
      assert.deepEqual(failing(result), ["bucket.checksums media"]);
    });

    it("a rebuilt bucket without versioning fails bucket.settings", async () => {
      const versioning = (Status: "Enabled" | "Suspended") => async () => {
        await env!.s3.send(new PutBucketVersioningCommand({ Bucket: "lomash-wood-media-prod-drill", VersioningConfiguration: { Status } }));
      };
      const result = await brokenBy(versioning("Suspended"), versioning("Enabled"));
      assert.deepEqual(failing(result), ["bucket.settings media"]);
    });

    it("a Kubernetes Secret key that is missing fails secret.key for that secret only", async () => {
      const saved = env!.kubeData.SENDGRID_API_KEY;
      const result = await brokenBy(
        async () => {
          delete env!.kubeData.SENDGRID_API_KEY;
        },
        async () => {
          env!.kubeData.SENDGRID_API_KEY = saved;
        },
      );
      assert.deepEqual(failing(result), ["secret.key sendgrid"]);
    });

    it("a Kubernetes Secret holding another version than the restored one fails secret.key", async () => {
      const saved = env!.kubeData.JWT_SECRET;
      const result = await brokenBy(
        async () => {
          env!.kubeData.JWT_SECRET = Buffer.from("jwt-current-value-b81d2e").toString("base64");
        },
        async () => {
          env!.kubeData.JWT_SECRET = saved;
        },
      );
      assert.deepEqual(failing(result), ["secret.key jwt"]);
      assert.doesNotMatch(JSON.stringify(result), /jwt-current-value|jwt-previous-value/);
    });

    it("a service that returns 500 fails service.health", async () => {
      const product = env!.services.product;
      const result = await brokenBy(
        async () => {
          product.behaviour = "error";
        },
        async () => {
          product.behaviour = "ok";
        },
      );
      assert.deepEqual(failing(result), ["service.health product"]);
    });

    it("a service that hangs fails service.health at its timeout, and the run still finishes on time", async () => {
      const auth = env!.services.auth;
      const started = Date.now();
      const result = await brokenBy(
        async () => {
          auth.behaviour = "hang";
        },
        async () => {
          auth.behaviour = "ok";
        },
      );
      const wall = Date.now() - started;
      assert.deepEqual(failing(result), ["service.health auth"]);
      const hung = result.checks.find((c) => c.result === "fail")!;
      assert.match(hung.detail, /no answer within 1000 ms/);
      assert.ok(hung.ms < HTTP_TIMEOUT_MS + 1_000, `the hung check took ${hung.ms} ms`);
      assert.ok(wall < 10_000, `the run took ${wall} ms`);
    });

    it("a smoke response without the expected text fails smoke.request", async () => {
      const saved = env!.gateway.productsBody;
      const result = await brokenBy(
        async () => {
          env!.gateway.productsBody = '{"error":"catalog unavailable"}';
        },
        async () => {
          env!.gateway.productsBody = saved;
        },
      );
      assert.deepEqual(failing(result), ["smoke.request products"]);
    });
  });

  it("fails a check that outlives its timeout as timed out, without waiting for it", async () => {
    const result = await verify({ only: ["db"], checkTimeoutMs: 1 });
    assert.ok(result.checks.length > 0);
    assert.ok(result.checks.every((c) => c.result === "fail" && /timed out after 1 ms/.test(c.detail)));
  });

  it("runs only the groups asked for", async () => {
    const result = await verify({ only: ["secrets"] });
    assert.deepEqual([...new Set(result.checks.map((c) => c.name))], ["secret.key"]);
  });

  it("fails an outputs check, not a crash, when the outputs lack a database the stack restores", async () => {
    const outputs = structuredClone(env!.outputs) as { databases: Record<string, unknown> };
    delete outputs.databases.identity;
    const result = await runVerification({
      config,
      outputs: parseOutputs(outputs, "test outputs"),
      baseline,
      only: ["db"],
      httpTimeoutMs: HTTP_TIMEOUT_MS,
    });
    assert.deepEqual(failing(result), ["outputs databases.identity"]);
  });

  it("ignores replica objects written after the sync listed the replica, and only those", async () => {
    const Key = "products/new/after-sync.jpg";
    const outputs = structuredClone(env!.outputs) as { buckets: { media: { syncedAt?: string } } };
    outputs.buckets.media.syncedAt = new Date(Date.now() - 1_000).toISOString();
    await new Promise((r) => setTimeout(r, 1_100));
    await env!.s3.send(new PutObjectCommand({ Bucket: "lomash-wood-media-prod-replica", Key, Body: "new" }));
    try {
      const withSync = await verify({ only: ["buckets"], outputs: parseOutputs(outputs, "test outputs") });
      assert.deepEqual(failing(withSync), []);
      const without = await verify({ only: ["buckets"] });
      assert.deepEqual(failing(without), ["bucket.objects media"]);
    } finally {
      await env!.s3.send(new DeleteObjectCommand({ Bucket: "lomash-wood-media-prod-replica", Key }));
    }
  });

  it("checks a promoted replica against the baseline's object count and bytes", async () => {
    const outputs = structuredClone(env!.outputs) as { buckets: Record<string, unknown> };
    outputs.buckets.media = { bucket: "lomash-wood-media-prod-replica", mode: "promote", replica: "lomash-wood-media-prod-replica" };
    const promoted = parseOutputs(outputs, "test outputs");
    const ok = await verify({ only: ["buckets"], outputs: promoted });
    assert.deepEqual(ok.checks.map((c) => `${c.name} ${c.result}`), ["bucket.objects pass"]);
    const grown: Baseline = { ...baseline, buckets: { media: { ...baseline.buckets.media, objects: baseline.buckets.media.objects + 5 } } };
    const short = await verify({ only: ["buckets"], outputs: promoted, baseline: grown });
    assert.deepEqual(failing(short), ["bucket.objects media"]);
  });

  describe("npm run verify (the CLI, spawned as users run it)", () => cliCases(() => env!));
});
