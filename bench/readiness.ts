// `npm run bench:readiness`: how long the nightly readiness takes, for the example fleet and for
// a fleet of 200 databases and 2,000 secrets (an account bigger than the example), in moto.
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import pLimit from "p-limit";
import { performance } from "node:perf_hooks";
import { runReadiness } from "../readiness/run";
import { loadStack } from "../stacks";
import { startMoto } from "../tests/support/moto";
import { repoStackFiles, writeStackFiles } from "../tests/support/stack-files";
import { buildFleet, createDatabase, resetMoto, secrets } from "../tests/readiness/fleet";

const DATABASES = Number(process.env.BENCH_DATABASES ?? 200);
const SECRETS = Number(process.env.BENCH_SECRETS ?? 2000);

async function timed(label: string, config: ReturnType<typeof loadStack>, root?: string): Promise<number> {
  const t0 = performance.now();
  const { report } = await runReadiness({ config, root });
  const s = (performance.now() - t0) / 1000;
  console.log(`${label}: ${report.items.length} items, ${report.uncovered.length} uncovered, ready ${report.ready}, ${s.toFixed(1)} s`);
  return s;
}

async function main(): Promise<void> {
  const aws = await startMoto();
  try {
    const example = loadStack("recovery");
    await buildFleet(example);
    const exampleSeconds = await timed("example fleet", example);

    await resetMoto(aws.endpoint);
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
    const { root, cleanup } = writeStackFiles(files);
    try {
      const big = loadStack("recovery", { root });
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
      console.log(`built ${DATABASES} databases and ${SECRETS} secrets in moto in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const bigSeconds = await timed(`${DATABASES} databases, ${SECRETS} secrets`, big, root);
      console.log(`readiness of the example fleet: ${exampleSeconds.toFixed(1)} s (target < 15 s)`);
      console.log(`readiness of ${DATABASES} databases and ${SECRETS} secrets: ${bigSeconds.toFixed(1)} s (target < 300 s)`);
    } finally {
      cleanup();
    }
  } finally {
    await aws.stop();
  }
}

void main();
