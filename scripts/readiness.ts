/**
 * `npm run readiness -- --stack <name>`: if production died now, could `pulumi up --stack <name>`
 * restore everything, to what point, and is anything not covered? Read-only, run nightly.
 */
import { EXIT, oneOf, parseDuration, runProcess, wholeNumber, type CommandSpec, RESTORE_STACK_OPTION } from "./lib/cli";

export const READINESS_COMMAND = {
  usage: ["npm run readiness -- --stack <name> [--json | --markdown | --suggest] [options]"],
  description: `Reads the live account (never writes to it) and says, for every database, cache, bucket and secret
of the inventory, what the stack would restore it from, whether that exists now, the achievable
restore point against the item's tier objective, and what the account has that the inventory does
not cover. Uses the stack's region and the replicas' regions; honours AWS_ENDPOINT_URL.`,
  options: {
    stack: RESTORE_STACK_OPTION,
    json: { type: "boolean", help: "print exactly one JSON object instead of the table" },
    markdown: { type: "boolean", help: "print the report as Markdown (a pull request, a chat message)" },
    suggest: { type: "boolean", help: "print inventory YAML for every uncovered resource, filled from the account" },
    strict: { type: "boolean", help: "warnings make it not ready too (exit 1)" },
    timeout: { type: "string", value: "<duration>", help: "per AWS call, e.g. 30s, 2m (a bare number is seconds; default 30s)", example: "30s" },
    concurrency: { type: "string", value: "<n>", help: "items checked at once (default 16)" },
    sample: { type: "string", value: "<n>", help: "recent source objects looked up in each replica (default 20; 0 skips)" },
    "config-root": { type: "string", value: "<dir>", help: "folder holding the Pulumi.<stack>.yaml files (default: this repository)" },
  },
  epilogue: `Exit: 0 ready, 1 not ready (an item fails, could not be checked, or something is uncovered),
2 bad usage or config. Details and the JSON format: docs/readiness.md`,
} as const satisfies CommandSpec;

/** `--sample 1.5`: the message readiness has always given. */
function count(flag: string, value: string | undefined, fallback: number, min: number): number {
  return wholeNumber(flag, value, fallback, min, 10_000);
}

runProcess(READINESS_COMMAND, async (flags) => {
  oneOf(flags, ["json", "markdown", "suggest"]);
  const timeoutMs = parseDuration("--timeout", flags.timeout, 30_000);
  const concurrency = count("--concurrency", flags.concurrency, 16, 1);
  const sampleSize = count("--sample", flags.sample, 20, 0);
  const root = flags["config-root"];
  // Required after --help and the flags are answered: the AWS SDK takes a second to import.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { SingleBar } = require("cli-progress") as typeof import("cli-progress");
  const { runReadiness } = require("../readiness/run") as typeof import("../readiness/run");
  const { renderMarkdown, renderTable } = require("../readiness/render") as typeof import("../readiness/render");
  const { suggestYaml } = require("../readiness/suggest") as typeof import("../readiness/suggest");
  const { awsClients } = require("../readiness/aws") as typeof import("../readiness/aws");
  const { loadStack } = require("../stacks") as typeof import("../stacks");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = loadStack(flags.stack!, { root });

  const aws = awsClients(timeoutMs);
  const bar =
    process.stderr.isTTY && !flags.json
      ? new SingleBar({ format: "reading the account {bar} {value}/{total} {last}", hideCursor: true, clearOnComplete: true })
      : undefined;
  bar?.start(config.databases.length + config.caches.length + config.buckets.length + config.secrets.length + 1, 0, { last: "" });
  const { report, uncoveredDetail, inventoryUpdates } = await runReadiness({
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
  else if (flags.suggest) process.stdout.write(await suggestYaml(uncoveredDetail, aws, inventoryUpdates, { buckets: config.buckets, region: config.region }));
  else process.stdout.write(`${renderTable(report)}\n`);
  if (flags.suggest) process.stderr.write(`${report.uncovered.length} uncovered; readiness: ${report.ready ? "ready" : "not ready"}\n`);
  return report.ready ? EXIT.ok : EXIT.failed;
});
