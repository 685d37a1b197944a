/**
 * `npm run verify -- --stack <name>`: is the restored environment really back? Seeds 001, 003
 * and 004's post-restore checks (validation SQL, row-count parity, health checks, smoke
 * tests) as one command with one verdict. Exit 0 only when every check passed.
 */
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import { ConfigError, loadStack } from "../stacks";
import {
  CHECK_GROUPS,
  captureBaseline,
  defaultBaselinePath,
  FileSecretSource,
  pulumiOutputs,
  readBaseline,
  readOutputsFile,
  Redactor,
  runVerification,
  sourceUrlEnv,
  UsageError,
  writeBaseline,
  type CheckGroup,
} from "../verification";
import { formatTable, progressLine } from "../verification/report";

const HELP = `Usage: npm run verify -- --stack <name> [options]

Says whether a restored environment is really back: databases, buckets, secrets, services,
smoke tests. Exit 0: every check passed; 1: a check failed; 2: bad usage.

  --stack NAME             the restore stack (recovery, drill); prod is refused
  --outputs FILE           stack outputs as \`pulumi stack output --json --show-secrets\` prints them
                           (default: ask the pulumi CLI)
  --only LIST              comma-separated groups: ${CHECK_GROUPS.join(",")} (default: all)
  --baseline FILE          expected state of the source (default reports/baselines/<stack>.json)
  --capture-baseline       read the SOURCE (read-only) and write --baseline, instead of verifying
  --source-url NAME=URL    a source database for --capture-baseline (repeatable; or env
                           VERIFY_SOURCE_URL_<NAME>, e.g. VERIFY_SOURCE_URL_ORDERS)
  --kube-secrets FILE      Kubernetes Secrets from a file (\`kubectl get secrets -n NS -o json\`)
                           instead of asking kubectl
  --concurrency N          checks in flight at once (default 128)
  --timeout DURATION       per check, e.g. 30s, 500ms (default 30s)
  --http-timeout DURATION  per health or smoke request (default 5s)
  --sample N               objects compared by checksum per rebuilt bucket (default 16)
  --row-tolerance F        share of rows a table may lack beyond the RPO's writes (default 0.005)
  --no-rds-api             skip asking the RDS API whether restored databases are private
  --config-root DIR        folder holding the Pulumi.<stack>.yaml files (default: this repository)
  --json                   one JSON object on stdout instead of the table
  --help                   this text

Details, the outputs contract and the baseline format: docs/verify.md`;

const OPTIONS = {
  stack: { type: "string" },
  outputs: { type: "string" },
  only: { type: "string" },
  baseline: { type: "string" },
  "capture-baseline": { type: "boolean" },
  "source-url": { type: "string", multiple: true },
  "kube-secrets": { type: "string" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  "http-timeout": { type: "string" },
  sample: { type: "string" },
  "row-tolerance": { type: "string" },
  "no-rds-api": { type: "boolean" },
  "config-root": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean" },
} as const;

const redactor = new Redactor();
const wantsJson = process.argv.includes("--json");

function parseDuration(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--${flag} ${value}: not a duration; use e.g. 30s, 500ms or 2m`);
  const n = Number(m[1]);
  return Math.round(m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : m[2] === "ms" ? n : n);
}

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

function parseSourceUrls(values: readonly string[] | undefined, names: readonly string[]): Record<string, string> {
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

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ options: OPTIONS, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]}; see --help`);
  }
  const flags = parsed.values;
  if (flags.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!flags.stack) throw new UsageError("--stack is required, e.g. --stack recovery or --stack drill; see --help");
  const config = loadStack(flags.stack, { root: flags["config-root"] });
  const only = parseOnly(flags.only);
  const baselinePath = flags.baseline ?? defaultBaselinePath(config.stack);
  const timeoutMs = parseDuration("timeout", flags.timeout, 30_000);

  if (flags["capture-baseline"]) {
    const groups = (only ?? ["db", "buckets"]).filter((g) => g === "db" || g === "buckets");
    if (groups.length === 0) throw new UsageError(`--capture-baseline records databases and buckets; --only ${flags.only} has neither: use --only db, buckets or both`);
    const sourceUrls = groups.includes("db") ? parseSourceUrls(flags["source-url"], config.databases.map((d) => d.name)) : {};
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
    httpTimeoutMs: parseDuration("http-timeout", flags["http-timeout"], 5_000),
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
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || error instanceof ConfigError;
    // Bad input or a failure: one message, never a stack trace, never a password.
    const message = redactor.apply(error instanceof Error ? error.message : String(error));
    if (wantsJson) process.stdout.write(`${JSON.stringify({ passed: false, error: { kind: usage ? "usage" : "failure", message } })}\n`);
    process.stderr.write(`verify: ${message}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
