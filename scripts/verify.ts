/**
 * `npm run verify -- --stack <name>`: is the restored environment really back? Seeds 001, 003
 * and 004's post-restore checks (validation SQL, row-count parity, health checks, smoke
 * tests) as one command with one verdict. Exit 0 only when every check passed.
 */
import { parseDuration, runProcess, UsageError, type CommandSpec } from "./lib/cli";
import { Redactor } from "../verification/redact";
import { CHECK_GROUPS, type CheckGroup } from "../verification/types";

export const VERIFY_COMMAND = {
  usage: ["npm run verify -- --stack <name> [options]"],
  description: `Says whether a restored environment is really back: databases, buckets, secrets, services,
smoke tests. Exit 0: every check passed; 1: a check failed; 2: bad usage.`,
  options: {
    stack: {
      type: "string",
      value: "NAME",
      help: "the restore stack (recovery, drill); prod is refused",
      required: "name the restore stack, e.g. --stack recovery or --stack drill",
      example: "recovery",
    },
    outputs: {
      type: "string",
      value: "FILE",
      help: "stack outputs as `pulumi stack output --json --show-secrets` prints them\n(default: ask the pulumi CLI)",
    },
    only: { type: "string", value: "LIST", help: `comma-separated groups: ${CHECK_GROUPS.join(",")} (default: all)` },
    baseline: { type: "string", value: "FILE", help: "expected state of the source (default reports/baselines/<stack>.json)" },
    "capture-baseline": { type: "boolean", help: "read the SOURCE (read-only) and write --baseline, instead of verifying" },
    "source-url": {
      type: "string",
      multiple: true,
      value: "NAME=URL",
      help: "a source database for --capture-baseline (repeatable; or env\nVERIFY_SOURCE_URL_<NAME>, e.g. VERIFY_SOURCE_URL_ORDERS)",
    },
    "kube-secrets": {
      type: "string",
      value: "FILE",
      help: "Kubernetes Secrets from a file (`kubectl get secrets -n NS -o json`)\ninstead of asking kubectl",
    },
    concurrency: { type: "string", value: "N", help: "checks in flight at once (default 128)" },
    timeout: { type: "string", value: "DURATION", help: "per check, e.g. 30s, 500ms; a bare number is seconds (default 30s)", example: "30s" },
    "http-timeout": { type: "string", value: "DURATION", help: "per health or smoke request (default 5s)", example: "5s" },
    sample: { type: "string", value: "N", help: "objects compared by checksum per rebuilt bucket (default 16)" },
    "row-tolerance": { type: "string", value: "F", help: "share of rows a table may lack beyond the RPO's writes (default 0.005)" },
    "no-rds-api": { type: "boolean", help: "skip asking the RDS API whether restored databases are private" },
    "config-root": { type: "string", value: "DIR", help: "folder holding the Pulumi.<stack>.yaml files (default: this repository)" },
    json: { type: "boolean", help: "one JSON object on stdout instead of the table" },
  },
  epilogue: "Details, the outputs contract and the baseline format: docs/verify.md",
} as const satisfies CommandSpec;

const redactor = new Redactor();

function parseNumber(flag: string, value: string | undefined, fallback: number, check: (n: number) => boolean, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag} ${value}: must be ${what}`);
  return n;
}

function parseOnly(value: string | undefined): CheckGroup[] | undefined {
  if (value === undefined) return undefined;
  const groups = value.split(",").map((g) => g.trim()).filter(Boolean);
  const unknown = groups.filter((g) => !(CHECK_GROUPS as readonly string[]).includes(g));
  if (groups.length === 0 || unknown.length > 0)
    throw new UsageError(`--only ${value}: ${unknown.length ? `unknown group ${unknown.join(", ")}` : "empty"}; use a comma-separated list of ${CHECK_GROUPS.join(", ")}`);
  return groups as CheckGroup[];
}

function parseSourceUrls(values: readonly string[] | undefined, names: readonly string[], sourceUrlEnv: (name: string) => string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const name of names) {
    const fromEnv = process.env[sourceUrlEnv(name)];
    if (fromEnv) urls[name] = fromEnv;
  }
  for (const v of values ?? []) {
    const eq = v.indexOf("=");
    const name = eq > 0 ? v.slice(0, eq) : "";
    if (!name || !names.includes(name))
      throw new UsageError(`--source-url ${name || "(no name)"}=…: use NAME=postgresql://… with NAME one of ${names.join(", ")}`);
    urls[name] = v.slice(eq + 1);
  }
  for (const url of Object.values(urls)) redactor.addUrl(url);
  return urls;
}

runProcess(
  VERIFY_COMMAND,
  async (flags) => {
    // Required after --help is answered: pg, the AWS SDK and the checks take a second to import.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { SingleBar } = require("cli-progress") as typeof import("cli-progress");
    const { loadStack } = require("../stacks") as typeof import("../stacks");
    const verification = require("../verification") as typeof import("../verification");
    const { captureBaseline, defaultBaselinePath, FileSecretSource, pulumiOutputs, readBaseline, readOutputsFile, runVerification, writeBaseline } = verification;
    const { formatTable, progressLine } = require("../verification/render") as typeof import("../verification/render");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const timeoutMs = parseDuration("--timeout", flags.timeout, 30_000);
    const httpTimeoutMs = parseDuration("--http-timeout", flags["http-timeout"], 5_000);
    const config = loadStack(flags.stack!, { root: flags["config-root"] });
    const only = parseOnly(flags.only);
    const baselinePath = flags.baseline ?? defaultBaselinePath(config.stack);

    if (flags["capture-baseline"]) {
      const groups = (only ?? ["db", "buckets"]).filter((g) => g === "db" || g === "buckets");
      if (groups.length === 0) throw new UsageError(`--capture-baseline records databases and buckets; --only ${flags.only} has neither: use --only db, buckets or both`);
      const sourceUrls = groups.includes("db") ? parseSourceUrls(flags["source-url"], config.databases.map((d) => d.name), verification.sourceUrlEnv) : {};
      const baseline = await captureBaseline({
        config,
        sourceUrls,
        only: groups,
        timeoutMs,
        onProgress: (what) => process.stderr.write(`capturing baseline: ${what}\n`),
      });
      writeBaseline(baselinePath, baseline);
      const summary = {
        baseline: baselinePath,
        capturedAt: baseline.capturedAt,
        databases: Object.fromEntries(
          Object.entries(baseline.databases).map(([n, d]) => [
            n,
            { tables: Object.keys(d.tables).length, rows: Object.values(d.tables).reduce((s, t) => s + t.rows, 0), migration: d.migration },
          ]),
        ),
        buckets: Object.fromEntries(Object.entries(baseline.buckets).map(([n, b]) => [n, { objects: b.objects, bytes: b.bytes }])),
      };
      if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        for (const [n, d] of Object.entries(summary.databases))
          process.stdout.write(`database ${n}: ${d.tables} tables, ${d.rows} rows, migration ${d.migration ?? "(none)"}\n`);
        for (const [n, b] of Object.entries(summary.buckets)) process.stdout.write(`bucket ${n}: ${b.objects} objects, ${b.bytes} bytes\n`);
        process.stdout.write(`baseline written to ${baselinePath}\n`);
      }
      return 0;
    }

    const outputs = flags.outputs ? readOutputsFile(flags.outputs) : await pulumiOutputs(config.stack);
    const groups = new Set(only ?? CHECK_GROUPS);
    const needsBaseline = groups.has("db") || config.buckets.some((b) => outputs.buckets[b.name]?.mode === "promote");
    const baseline = needsBaseline ? readBaseline(baselinePath) : undefined;
    if (baseline && baseline.source !== config.source)
      throw new UsageError(`--baseline ${baselinePath}: was captured from ${baseline.source}, but ${config.stack} restores ${config.source}; capture it again`);

    const bar = process.stderr.isTTY && !flags.json ? new SingleBar({ format: "verifying {bar} {value}/{total} {last}", hideCursor: true, clearOnComplete: true }) : undefined;
    let barStarted = false;
    const result = await runVerification({
      config,
      outputs,
      baseline,
      only,
      secretSource: flags["kube-secrets"] ? new FileSecretSource(flags["kube-secrets"]) : undefined,
      concurrency: parseNumber("concurrency", flags.concurrency, 128, (n) => Number.isInteger(n) && n >= 1, "a whole number ≥ 1"),
      checkTimeoutMs: timeoutMs,
      httpTimeoutMs,
      sampleSize: parseNumber("sample", flags.sample, 16, (n) => Number.isInteger(n) && n >= 0, "a whole number ≥ 0"),
      rowTolerance: parseNumber("row-tolerance", flags["row-tolerance"], 0.005, (n) => n >= 0 && n < 1, "a fraction from 0 to below 1, e.g. 0.005"),
      rdsApi: !flags["no-rds-api"],
      redactor,
      onResult: (r, done, total) => {
        if (bar) {
          if (!barStarted) {
            bar.start(total, 0, { last: "" });
            barStarted = true;
          }
          bar.update(done, { last: progressLine(r, done, total) });
        }
      },
    });
    bar?.stop();
    if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${formatTable(result)}\n`);
    return result.passed ? 0 : 1;
  },
  {
    // Bad input or a failure: one message, never a stack trace, never a password.
    label: () => "verify: ",
    redact: (text) => redactor.apply(text),
    jsonFields: () => ({ passed: false }),
    jsonIndent: 0,
  },
);
