/**
 * `npm run bench:readiness`: how long the nightly readiness takes, for the example fleet and for
 * a fleet of 200 databases and 2,000 secrets (an account bigger than the example), in moto.
 *
 * Each fleet lives in its own moto_server (so neither's coverage listing sees the other's
 * resources), and the two are measured in interleaved rounds after a warm-up. Each run gets new
 * clients, as a nightly process does. The targets are far from the values (~1 s vs 15 s, 10–30 s
 * vs 300 s), so 3 rounds (whose interval is min–max, see bench/lib/rounds.ts) decide them.
 */
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import pLimit from "p-limit";
import { performance } from "node:perf_hooks";
import { runReadiness } from "../readiness/run";
import { loadStack, type RecoveryConfig } from "../stacks";
import { startMoto, type LocalAws } from "../tests/support/moto";
import { repoStackFiles, writeStackFiles } from "../tests/support/stack-files";
import { buildFleet, createDatabase, secrets } from "../tests/support/fleet";
import { benchArgs, wholeNumber } from "./lib/cli";
import { claimLine, interleaved, machineLoad } from "./lib/rounds";
import { log } from "./measure";
import { errorMessage } from "../scripts/lib/errors";

const COMMAND = "npm run bench:readiness";
const flags = benchArgs(COMMAND, "Readiness of the example fleet and of a big one, in moto.", {
  rounds: { type: "string", description: "timed rounds (each runs both fleets once)", default: "3" },
  warmup: { type: "string", description: "untimed rounds first", default: "1" },
  databases: { type: "string", description: "databases in the big fleet", default: "200" },
  secrets: { type: "string", description: "secrets in the big fleet", default: "2000" },
});
const rounds = wholeNumber(COMMAND, "rounds", flags.rounds, 3, 1);
const warmup = wholeNumber(COMMAND, "warmup", flags.warmup, 1, 0);
const DATABASES = wholeNumber(COMMAND, "databases", flags.databases, 200, 1);
const SECRETS = wholeNumber(COMMAND, "secrets", flags.secrets, 2000, 1);

const seconds = (v: number): string => `${v.toFixed(1)} s`;

/** The example's inventory with `DATABASES` databases and `SECRETS` secrets, in stack files of its own. */
function bigStackFiles(): ReturnType<typeof writeStackFiles> {
  const files = repoStackFiles();
  const db0 = (files.prod.config["recovery:databases"] as Record<string, unknown>[])[0];
  const s0 = (files.prod.config["recovery:secrets"] as Record<string, unknown>[])[0];
  files.prod.config["recovery:databases"] = Array.from({ length: DATABASES }, (_, i) => ({ ...structuredClone(db0), name: `db-${i}`, identifier: `fleet-db-${i}-prod`, dbName: `db_${i}` }));
  files.prod.config["recovery:secrets"] = Array.from({ length: SECRETS }, (_, i) => ({ ...structuredClone(s0), name: `secret-${i}`, secretId: `fleet/production/secret-${i}`, key: `SECRET_${i}` }));
  files.prod.config["recovery:services"] = [{ name: "gateway", image: "registry.example/gw:1", port: 3000, healthPath: "/health", replicas: 1, gateway: true }];
  files.prod.config["recovery:smoke"] = [];
  files.recovery.config["recovery:databases"] = {};
  files.recovery.config["recovery:secrets"] = {};
  delete files.drill;
  return writeStackFiles(files);
}

async function buildBig(big: RecoveryConfig): Promise<void> {
  const t0 = performance.now();
  const limit = pLimit(8);
  await buildFleet({ ...big, databases: [], secrets: [] });
  await Promise.all(big.databases.map((d) => limit(() => createDatabase(d.source.identifier))));
  await Promise.all(
    big.secrets.map((s) =>
      limit(async () => {
        await secrets().send(new CreateSecretCommand({ Name: s.source.secretId, SecretString: "v1" }));
        await secrets().send(new PutSecretValueCommand({ SecretId: s.source.secretId, SecretString: "v2" }));
      }),
    ),
  );
  log(`built ${DATABASES} databases and ${SECRETS} secrets in moto in ${seconds((performance.now() - t0) / 1000)}`);
}

/** One readiness run against `aws`'s moto, with the SDK's default clients pointed at it. */
async function timedRun(label: string, aws: LocalAws, config: RecoveryConfig, root?: string): Promise<number> {
  process.env.AWS_ENDPOINT_URL = aws.endpoint;
  const t0 = performance.now();
  const { report } = await runReadiness({ config, root });
  const s = (performance.now() - t0) / 1000;
  log(`${label}: ${report.items.length} items, ${report.uncovered.length} uncovered, ready ${report.ready}, ${seconds(s)}`);
  return s;
}

async function main(): Promise<void> {
  console.log(`bench:readiness: ${machineLoad()} at the start`);
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const exampleAws = await startMoto();
    cleanups.push(() => exampleAws.stop());
    const example = loadStack("recovery");
    await buildFleet(example);

    const { root, cleanup } = bigStackFiles();
    cleanups.push(cleanup);
    const bigAws = await startMoto();
    cleanups.push(() => bigAws.stop());
    const big = loadStack("recovery", { root });
    await buildBig(big);

    const bigLabel = `${DATABASES} databases, ${SECRETS} secrets`;
    const measured = await interleaved(
      {
        example: () => timedRun("example fleet", exampleAws, example),
        big: () => timedRun(bigLabel, bigAws, big, root),
      },
      { rounds, warmup, onRound: (r) => log(`round ${r}/${rounds} done`) },
    );
    console.log(
      [
        claimLine("readiness of the example fleet", measured.example, { op: "<=", value: 15 }, seconds),
        claimLine(`readiness of ${bigLabel}`, measured.big, { op: "<=", value: 300 }, seconds),
      ].join("\n"),
    );
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:readiness: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});
