/**
 * `npm run bench:verify`: is verification fast enough to run mid-incident? 50 services (local
 * HTTP servers with random latencies) and 3 databases of 50 tables, verified in parallel and
 * then one check after another. Claims: parallel wall time ≤ 1.5× the slowest single check;
 * parallel ≥ 5× faster than sequential. Last lines: `claim: value (target)`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "pg";
import { stringify } from "yaml";
import { loadStack } from "../stacks";
import { captureBaseline, parseOutputs, runVerification, type VerificationResult } from "../verification";
import { createDatabase, startPostgres } from "../tests/support/postgres";

const SERVICES = 50;
const DATABASES = ["bench-a", "bench-b", "bench-c"];
const TABLES = 50;
const ROWS = 200;
const LATENCY_MS = { min: 20, max: 500 };
/** Parallel runs; the median is reported (the machine is shared, single runs are noisy). */
const RUNS = 5;

const { values: flags } = parseArgs({ options: { json: { type: "boolean" }, help: { type: "boolean" }, seed: { type: "string" } }, strict: true });
if (flags.help) {
  process.stdout.write("Usage: npm run bench:verify [-- --json] [--seed N]\n50 services, 3 databases of 50 tables: parallel vs slowest check and vs sequential.\n");
  process.exit(0);
}
const log = (s: string) => process.stderr.write(`${s}\n`);

/** mulberry32: the same latencies on every run with the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function schemaSql(): string {
  const parts: string[] = [];
  for (let i = 0; i < TABLES; i++) {
    // Every fifth table starts a chain; the others reference the table before them.
    const fk = i % 5 === 0 ? "" : `, parent_id int REFERENCES t${i - 1}(id)`;
    parts.push(`CREATE TABLE t${i} (id serial PRIMARY KEY, code text NOT NULL UNIQUE, created_at timestamptz NOT NULL${fk});`);
    const parent = i % 5 === 0 ? "" : ", parent_id";
    const parentValue = i % 5 === 0 ? "" : ", 1 + g % " + ROWS;
    parts.push(
      `INSERT INTO t${i} (code, created_at${parent}) SELECT 'c' || g, now() - make_interval(secs => g * 30)${parentValue} FROM generate_series(0, ${ROWS - 1}) g;`,
    );
  }
  return parts.join("\n");
}

async function main(): Promise<void> {
  const rand = random(Number(flags.seed ?? 42));
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    log("bench: starting PostgreSQL and building 3 databases of 50 tables");
    const pg = await startPostgres();
    cleanups.push(() => pg.stop());
    const urls: Record<string, string> = {};
    for (const db of DATABASES) {
      urls[db] = createDatabase(pg, db.replace("-", "_"));
      const c = new Client({ connectionString: urls[db] });
      await c.connect();
      await c.query(schemaSql());
      await c.end();
    }

    log(`bench: starting ${SERVICES} services with latencies ${LATENCY_MS.min}–${LATENCY_MS.max} ms`);
    const servers: Server[] = [];
    const serviceUrls: string[] = [];
    for (let i = 0; i < SERVICES; i++) {
      const latency = Math.round(LATENCY_MS.min + rand() * (LATENCY_MS.max - LATENCY_MS.min));
      const server = createServer((_req, res) => setTimeout(() => res.end("ok"), latency));
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      servers.push(server);
      serviceUrls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    cleanups.push(() => {
      for (const s of servers) {
        s.closeAllConnections();
        s.close();
      }
    });

    // A stack whose inventory has these services and databases, through the real loader.
    const root = mkdtempSync(join(tmpdir(), "bench-verify-"));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i + 1).padStart(2, "0")}`);
    const database = (name: string) => ({
      name,
      identifier: `${name}-prod`,
      engine: "postgres",
      instanceClass: "db.t4g.medium",
      dbName: name.replace("-", "_"),
      username: "postgres",
      subnetGroup: "bench",
      securityGroupIds: ["sg-bench"],
      backupRetentionDays: 7,
      dumps: { bucket: "bench-backups", prefix: `${name}/` },
    });
    writeFileSync(
      join(root, "Pulumi.prod.yaml"),
      stringify({
        config: {
          "recovery:mode": "inventory",
          "recovery:region": "eu-west-2",
          "recovery:objectives": { rtoMinutes: 60, rpoMinutes: 15 },
          "recovery:cluster": { namespace: "bench", manifests: "k8s" },
          "recovery:databases": DATABASES.map(database),
          "recovery:services": names.map((name, i) => ({
            name,
            image: `bench/${name}:1`,
            port: 8000 + i,
            healthPath: "/health",
            replicas: 1,
            gateway: i === SERVICES - 1,
            dependsOn: [`database:${DATABASES[i % DATABASES.length]}`],
          })),
        },
      }),
    );
    writeFileSync(
      join(root, "Pulumi.bench.yaml"),
      stringify({
        config: {
          "recovery:mode": "drill",
          "recovery:source": "prod",
          "recovery:suffix": "bench",
          "recovery:deletionProtection": false,
          "recovery:trafficCutover": false,
        },
      }),
    );
    const config = loadStack("bench", { root });
    const now = new Date().toISOString();
    const outputs = parseOutputs(
      {
        namespace: "bench-bench",
        gatewayUrl: serviceUrls[SERVICES - 1],
        restorePoint: now,
        databases: Object.fromEntries(
          DATABASES.map((db) => [db, { identifier: `${db}-prod-bench`, endpoint: "127.0.0.1", port: pg.port, database: db, connectionString: urls[db] }]),
        ),
        services: Object.fromEntries(names.map((n, i) => [n, { url: serviceUrls[i] }])),
      },
      "bench outputs",
    );
    log("bench: capturing the baseline");
    const baseline = await captureBaseline({ config, sourceUrls: urls, only: ["db"] });
    // Parallel runs use verify's default concurrency: the numbers are what users get.
    const run = (concurrency?: number) =>
      runVerification({ config, outputs, baseline, only: ["db", "services"], rdsApi: false, concurrency, httpTimeoutMs: 5_000 });

    const assertPassed = (r: VerificationResult) => {
      const failed = r.checks.filter((c) => c.result === "fail");
      if (failed.length > 0) throw new Error(`bench run failed checks: ${failed.map((c) => `${c.name} ${c.target}: ${c.detail}`).join("; ")}`);
    };
    log("bench: warm-up run");
    assertPassed(await run());
    const parallel: VerificationResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await run();
      assertPassed(r);
      parallel.push(r);
      log(`bench: parallel run ${i + 1}: ${r.ms} ms, ${r.checks.length} checks`);
    }
    log("bench: sequential run (one check after another)");
    const sequential = await run(1);
    assertPassed(sequential);
    const median = [...parallel].sort((a, b) => a.ms - b.ms)[Math.floor(RUNS / 2)];
    // The slowest check measured alone, uncontended: what no amount of parallelism can beat.
    const slowest = sequential.checks.reduce((a, b) => (b.ms > a.ms ? b : a));
    const vsSlowest = median.ms / slowest.ms;
    for (const c of [...median.checks].sort((a, b) => b.ms - a.ms).slice(0, 5)) log(`bench: slow in parallel: ${c.name} ${c.target} ${c.ms} ms`);
    for (const c of [...sequential.checks].sort((a, b) => b.ms - a.ms).slice(0, 8)) log(`bench: slow alone: ${c.name} ${c.target} ${c.ms} ms`);
    const speedup = sequential.ms / median.ms;
    const result = {
      checks: median.checks.length,
      parallelMs: median.ms,
      parallelRunsMs: parallel.map((r) => r.ms),
      slowestCheck: { name: slowest.name, target: slowest.target, ms: slowest.ms },
      sequentialMs: sequential.ms,
      wallVsSlowest: Number(vsSlowest.toFixed(2)),
      speedup: Number(speedup.toFixed(1)),
      passed: vsSlowest <= 1.5 && speedup >= 5,
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        [
          `checks: ${result.checks} (3 databases × 8 checks over ${TABLES} tables each, ${SERVICES} service health checks)`,
          `parallel wall time (median of ${RUNS}): ${median.ms} ms  [${result.parallelRunsMs.join(", ")}]`,
          `slowest single check: ${slowest.ms} ms (${slowest.name} ${slowest.target})`,
          `sequential wall time: ${sequential.ms} ms`,
          `claim: parallel wall time vs slowest single check: ${vsSlowest.toFixed(2)}× (target ≤ 1.5×)`,
          `claim: parallel vs one check after another: ${speedup.toFixed(1)}× faster (target ≥ 5×)`,
        ].join("\n") + "\n",
      );
    }
    process.exitCode = result.passed ? 0 : 1;
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:verify: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
