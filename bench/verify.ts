/**
 * `npm run bench:verify`: is verification fast enough to run mid-incident? 50 services (local
 * HTTP servers with random latencies) and 3 databases of 50 tables, verified in parallel and
 * then one check after another, in interleaved rounds. Claims, judged on per-round ratios (both
 * sides measured in the same round, so a burst of load on the shared machine hits both):
 * parallel wall time ≤ 1.5× the slowest single check (measured alone, in that round's
 * sequential run); parallel ≥ 5× faster than sequential. Last lines: `claim:` with the median,
 * the spread (see bench/lib/rounds.ts) and the verdict.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { stringify } from "yaml";
import { loadStack } from "../stacks";
import { captureBaseline, parseOutputs, runVerification, type VerificationResult } from "../verification";
import { createDatabase, startPostgres } from "../tests/support/postgres";
import { benchArgs, wholeNumber } from "./lib/cli";
import { claimLine, interleaved, interval, machineLoad, ratios, spread, spreadLine, verdict, type Target } from "./lib/rounds";
import { errorMessage } from "../scripts/lib/errors";

const SERVICES = 50;
const DATABASES = ["bench-a", "bench-b", "bench-c"];
const TABLES = 50;
const ROWS = 200;
const LATENCY_MS = { min: 20, max: 500 };

const COMMAND = "npm run bench:verify";
const flags = benchArgs(COMMAND, "50 services, 3 databases of 50 tables: parallel vs slowest check and vs sequential.", {
  rounds: { type: "string", description: "timed rounds (each one parallel and one sequential run)", default: "9" },
  warmup: { type: "string", description: "untimed rounds first", default: "1" },
  seed: { type: "string", description: "seed of the services' latencies", default: "42" },
  json: { type: "boolean", description: "one JSON line on stdout instead of the table" },
});
const rounds = wholeNumber(COMMAND, "rounds", flags.rounds, 9, 1);
const warmup = wholeNumber(COMMAND, "warmup", flags.warmup, 1, 0);
const seed = wholeNumber(COMMAND, "seed", flags.seed, 42, 0);
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

const ms = (v: number): string => `${Math.round(v)} ms`;
const times = (v: number): string => `${v.toFixed(2)}×`;
const slowestMs: number[] = [];
const slowestOf = (r: VerificationResult) => r.checks.reduce((a, b) => (b.ms > a.ms ? b : a));

async function main(): Promise<void> {
  const load = machineLoad();
  log(`bench: ${load}`);
  const rand = random(seed);
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
    // Each round: one parallel run (verify's default concurrency: what users get) and one with
    // one check after another, whose slowest check is the floor no parallelism can beat.
    let lastParallel: VerificationResult | undefined;
    let lastSequential: VerificationResult | undefined;
    const measured = await interleaved(
      {
        parallel: async () => {
          lastParallel = await run();
          assertPassed(lastParallel);
          return lastParallel.ms;
        },
        sequential: async () => {
          lastSequential = await run(1);
          assertPassed(lastSequential);
          return lastSequential.ms;
        },
      },
      {
        rounds,
        warmup,
        onRound: (r) => {
          const slowest = slowestOf(lastSequential!);
          slowestMs.push(slowest.ms);
          log(`bench: round ${r}/${rounds}: parallel ${lastParallel!.ms} ms, sequential ${lastSequential!.ms} ms, slowest alone ${slowest.ms} ms (${slowest.name} ${slowest.target})`);
        },
      },
    );
    const slowest = slowestOf(lastSequential!);
    for (const c of [...lastParallel!.checks].sort((a, b) => b.ms - a.ms).slice(0, 5)) log(`bench: slow in parallel: ${c.name} ${c.target} ${c.ms} ms`);
    for (const c of [...lastSequential!.checks].sort((a, b) => b.ms - a.ms).slice(0, 5)) log(`bench: slow alone: ${c.name} ${c.target} ${c.ms} ms`);
    const claims: { label: string; samples: number[]; target: Target; format: (v: number) => string }[] = [
      { label: "parallel wall time vs slowest single check", samples: ratios(measured.parallel, slowestMs), target: { op: "<=", value: 1.5 }, format: times },
      { label: "parallel vs one check after another, times faster", samples: ratios(measured.sequential, measured.parallel), target: { op: ">=", value: 5 }, format: times },
    ];
    if (flags.json) {
      const json = {
        load,
        rounds,
        checks: lastParallel!.checks.length,
        parallelMs: spread(measured.parallel),
        sequentialMs: spread(measured.sequential),
        slowestCheckMs: spread(slowestMs),
        claims: claims.map((c) => ({ label: c.label, target: c.target, ...spread(c.samples), interval: interval(c.samples), verdict: verdict(c.samples, c.target) })),
      };
      process.stdout.write(`${JSON.stringify(json)}\n`);
    } else {
      process.stdout.write(
        [
          `bench:verify: ${load} at the start`,
          `checks: ${lastParallel!.checks.length} (3 databases × 8 checks over ${TABLES} tables each, ${SERVICES} service health checks)`,
          spreadLine("parallel wall time", measured.parallel, ms),
          spreadLine(`slowest single check (last round: ${slowest.name} ${slowest.target})`, slowestMs, ms),
          spreadLine("sequential wall time", measured.sequential, ms),
          ...claims.map((c) => claimLine(c.label, c.samples, c.target, c.format)),
        ].join("\n") + "\n",
      );
    }
    process.exitCode = claims.every((c) => verdict(c.samples, c.target) === "met") ? 0 : 1;
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:verify: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});
