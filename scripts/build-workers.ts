// Bundles each data-plane command (components/worker-command.ts) into dist/<name>.js, one file
// with its dependencies, for the worker image: `npm run build:workers` (the Dockerfile runs it).
import { buildSync } from "esbuild";
import { join } from "node:path";
import { WORKER_COMMANDS, workerBundle } from "../components/worker-command";

const root = join(__dirname, "..");
for (const name of WORKER_COMMANDS) {
  buildSync({
    entryPoints: [join(root, "scripts", `${name}.ts`)],
    outfile: join(root, workerBundle(name)),
    bundle: true,
    platform: "node",
    target: "node20",
    // The Node 20 notice preload (scripts/node20.ts) must run before the AWS SDK loads, as --require does.
    inject: [join(root, "scripts", "node20.ts")],
    logLevel: "warning",
  });
}
process.stdout.write(`built ${WORKER_COMMANDS.map(workerBundle).join(", ")}\n`);
