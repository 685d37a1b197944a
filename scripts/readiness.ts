/**
 * `npm run readiness -- --stack <name>`: if production died now, could `pulumi up --stack <name>`
 * restore everything, to what point, and is anything not covered? Read-only, run nightly.
 */
import { SingleBar } from "cli-progress";
import { runReadiness } from "../readiness/run";
import { renderMarkdown, renderTable } from "../readiness/render";
import { suggestYaml } from "../readiness/suggest";
import { awsClients } from "../readiness/aws";
import { loadStack } from "../stacks";
import { EXIT, parseFlags, runMain, stackFlag, UsageError } from "./lib/cli";

const HELP = `Usage: npm run readiness -- --stack <name> [--json | --markdown | --suggest] [options]

Reads the live account (never writes to it) and says, for every database, cache, bucket and secret
of the inventory, what the stack would restore it from, whether that exists now, the achievable
restore point against the item's tier objective, and what the account has that the inventory does
not cover. Uses the stack's region and the replicas' regions; honours AWS_ENDPOINT_URL.

  --stack <name>        the restore stack (recovery, drill); prod is the source, not a restore stack
  --json                print exactly one JSON object instead of the table
  --markdown            print the report as Markdown (a pull request, a chat message)
  --suggest             print inventory YAML for every uncovered resource, filled from the account
  --strict              warnings make it not ready too (exit 1)
  --timeout <duration>  per AWS call, e.g. 30s, 2m (a bare number is seconds; default 30s)
  --concurrency <n>     items checked at once (default 16)
  --sample <n>          recent source objects looked up in each replica (default 20; 0 skips)
  --config-root <dir>   folder holding the Pulumi.<stack>.yaml files (default: this repository)
  --help                this text

Exit: 0 ready, 1 not ready (an item fails, could not be checked, or something is uncovered),
2 bad usage or config. Details and the JSON format: docs/readiness.md`;

/** `30s`, `500ms`, `2m`; a bare number is seconds. */
function parseDuration(flag: string, value: unknown, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(value).trim());
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--${flag} ${String(value)}: not a duration; use e.g. 30s, 500ms or 2m`);
  const scale = { ms: 1, s: 1000, m: 60_000 }[m[2] ?? "s"] ?? 1000;
  return Math.round(Number(m[1]) * scale);
}

function parseCount(flag: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 10_000) throw new UsageError(`--${flag} ${String(value)}: must be a whole number from ${min} to 10000`);
  return n;
}

// Quiet on a closed pipe (`npm run readiness | head`): the reader left, nothing to report.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(EXIT.ok);
  throw error;
});

void runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), {
    string: ["stack", "timeout", "concurrency", "sample", "config-root"],
    boolean: ["json", "markdown", "suggest", "strict"],
  });
  if (flags.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const stack = stackFlag(flags);
  const formats = ["json", "markdown", "suggest"].filter((f) => flags[f]);
  if (formats.length > 1) throw new UsageError(`--${formats[0]} and --${formats[1]}: choose one output`);
  const timeoutMs = parseDuration("timeout", flags.timeout, 30_000);
  const concurrency = parseCount("concurrency", flags.concurrency, 16, 1);
  const sampleSize = parseCount("sample", flags.sample, 20, 0);
  const root = flags["config-root"] as string | undefined;
  const config = loadStack(stack, { root });

  const aws = awsClients(timeoutMs);
  const bar =
    process.stderr.isTTY && !flags.json
      ? new SingleBar({ format: "reading the account {bar} {value}/{total} {last}", hideCursor: true, clearOnComplete: true })
      : undefined;
  bar?.start(config.databases.length + config.caches.length + config.buckets.length + config.secrets.length + 1, 0, { last: "" });
  const { report, uncoveredDetail } = await runReadiness({
    config,
    root,
    aws,
    concurrency,
    sampleSize,
    strict: Boolean(flags.strict),
    onProgress: (done, _total, what) => bar?.update(done, { last: what }),
  });
  bar?.stop();

  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (flags.markdown) process.stdout.write(`${renderMarkdown(report)}\n`);
  else if (flags.suggest) process.stdout.write(await suggestYaml(uncoveredDetail, aws, { buckets: config.buckets, region: config.region }));
  else process.stdout.write(`${renderTable(report)}\n`);
  if (flags.suggest) process.stderr.write(`${report.uncovered.length} uncovered; readiness: ${report.ready ? "ready" : "not ready"}\n`);
  return report.ready ? EXIT.ok : EXIT.failed;
});
