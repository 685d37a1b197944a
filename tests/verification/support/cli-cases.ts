import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ACCESS_TOKEN,
  DATABASES,
  DB_PASSWORD,
  FIXTURE_ROOT,
  SECRET_VALUES,
  STACK,
  fingerprint,
  type Environment,
} from "./environment";

const REPO = join(__dirname, "..", "..", "..");
const TSX = join(REPO, "node_modules", ".bin", "tsx");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the script as users run it; async, so this process's HTTP servers keep answering. */
function verifyCli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ["scripts/verify.ts", ...args], { cwd: REPO, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const NEVER_PRINTED = [DB_PASSWORD, ...Object.values(SECRET_VALUES), ACCESS_TOKEN, "smoke-password-not-for-logs"];

function assertNoSecrets(run: Run): void {
  for (const secret of NEVER_PRINTED) {
    assert.ok(!run.stdout.includes(secret), `stdout shows a secret (${secret.slice(0, 4)}…)`);
    assert.ok(!run.stderr.includes(secret), `stderr shows a secret (${secret.slice(0, 4)}…)`);
  }
  for (const value of Object.values(SECRET_VALUES)) {
    const b64 = Buffer.from(value).toString("base64");
    assert.ok(!run.stdout.includes(b64) && !run.stderr.includes(b64), "a base64 secret value is shown");
  }
}

const assertNoStackTrace = (run: Run) => assert.doesNotMatch(run.stderr + run.stdout, /\n\s+at .+:\d+:\d+/);

/** The CLI's cases, run inside verify.test.ts against its environment (one set of real parts for both). */
export function cliCases(environment: () => Environment): void {
  let env: Environment;
  let dir: string;
  let common: string[];

  before(() => {
    env = environment();
    dir = mkdtempSync(join(tmpdir(), "verify-cli-"));
    writeFileSync(join(dir, "outputs.json"), JSON.stringify(env.outputs));
    // What `kubectl get secrets -n lomash-wood-drill -o json` prints.
    writeFileSync(
      join(dir, "secrets.json"),
      JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "lomash-wood-secrets", namespace: "lomash-wood-drill" }, data: env.kubeData }],
      }),
    );
    common = ["--stack", STACK, "--config-root", FIXTURE_ROOT, "--baseline", join(dir, "baseline.json")];
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const verifyArgs = () => [...common, "--outputs", join(dir, "outputs.json"), "--kube-secrets", join(dir, "secrets.json"), "--http-timeout", "1s"];

  it("--capture-baseline reads the source without changing it, and never prints its password", async () => {
    const before = await Promise.all(DATABASES.map((d) => fingerprint(env.pg.url(`source_${d}`))));
    const run = await verifyCli([...common, "--capture-baseline", "--source-url", `orders=${env.sourceUrl("orders")}`], {
      // The other database's URL from the environment, as a scheduled job would pass it.
      VERIFY_SOURCE_URL_IDENTITY: env.sourceUrl("identity"),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(join(dir, "baseline.json")));
    assert.match(run.stdout, /database orders: 5 tables, 683 rows, migration 20261120170000_add_delivery_window/);
    const after = await Promise.all(DATABASES.map((d) => fingerprint(env.pg.url(`source_${d}`))));
    assert.deepEqual(after, before);
    assertNoSecrets(run);
  });

  it("exits 0 on a clean restore with exactly one JSON object on stdout", async () => {
    const run = await verifyCli([...verifyArgs(), "--json"]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const result = JSON.parse(run.stdout) as { passed: boolean; checks: { name: string; result: string }[] };
    assert.equal(result.passed, true);
    assert.equal(result.checks.length, 31);
    assertNoSecrets(run);
  });

  it("exits 1 when a check fails, names it in the table and the summary, and prints no secret", async () => {
    env.services.product.behaviour = "error";
    try {
      const run = await verifyCli(verifyArgs());
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /^service\.health\s+product\s+FAIL\s+[\d.]+ m?s\s+GET http:\/\/127\.0\.0\.1:\d+\/healthz → 500, expected 200$/m);
      assert.match(run.stdout, /^FAIL drill: 30 passed, 1 failed: service\.health product \(/m);
      assertNoSecrets(run);
    } finally {
      env.services.product.behaviour = "ok";
    }
  });

  it("refuses --stack prod with exit 2 and the loader's message, without a stack trace", async () => {
    const run = await verifyCli(["--stack", "prod", "--outputs", join(dir, "outputs.json")]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /prod is the source inventory, not something to restore; use a restore stack/);
    assertNoStackTrace(run);
  });

  it("exits 2 on outputs that break the contract, naming the key, without a stack trace or the password", async () => {
    const bad = structuredClone(env.outputs) as { databases: { orders: { port: unknown } } };
    bad.databases.orders.port = "5432";
    writeFileSync(join(dir, "bad-outputs.json"), JSON.stringify(bad));
    const run = await verifyCli([...common, "--outputs", join(dir, "bad-outputs.json"), "--json"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /databases\.orders\.port: expected number/);
    assert.equal(JSON.parse(run.stdout).error.code, "usage");
    assertNoStackTrace(run);
    assertNoSecrets(run);
  });

  it("exits 2 on a flag it does not know and on an unknown --only group, saying what to do", async () => {
    const [unknown, only] = await Promise.all([
      verifyCli([...verifyArgs(), "--verbose"]),
      verifyCli([...verifyArgs(), "--only", "db,queues"]),
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^verify: --verbose: unknown option; use one of --stack, --outputs, .* \(see --help\)$/m);
    assert.equal(only.code, 2);
    assert.match(only.stderr, /--only db,queues: unknown group queues; use a comma-separated list of db, caches, buckets, secrets, services, smoke/);
  });

  it("reads the outputs from the pulumi CLI and the Secrets through kubectl when no files are given", async () => {
    // Stand-ins on PATH that answer exactly the commands verify runs, and nothing else.
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    const secret = JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "lomash-wood-secrets", namespace: "lomash-wood-drill" }, data: env.kubeData });
    writeFileSync(join(dir, "secret.json"), secret);
    writeFileSync(
      join(bin, "pulumi"),
      `#!/bin/sh\n[ "$*" = "stack output --json --show-secrets --stack drill" ] || { echo "unexpected: $*" >&2; exit 3; }\ncat '${join(dir, "outputs.json")}'\n`,
    );
    writeFileSync(
      join(bin, "kubectl"),
      `#!/bin/sh\ncase "$*" in\n  "get secret -n lomash-wood-drill lomash-wood-secrets -o json --request-timeout="*) cat '${join(dir, "secret.json")}' ;;\n  *) echo "Error from server (NotFound): $*" >&2; exit 1 ;;\nesac\n`,
    );
    chmodSync(join(bin, "pulumi"), 0o755);
    chmodSync(join(bin, "kubectl"), 0o755);
    const run = await verifyCli([...common, "--only", "secrets,services", "--json"], { PATH: `${bin}:${process.env.PATH ?? ""}` });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const result = JSON.parse(run.stdout) as { checks: { name: string; target: string; result: string }[] };
    assert.deepEqual(
      result.checks.filter((c) => c.name === "secret.key").map((c) => `${c.target} ${c.result}`),
      ["jwt pass", "sendgrid pass"],
    );
    assertNoSecrets(run);
  });
}
