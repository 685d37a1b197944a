#!/usr/bin/env tsx
// `npm run blast-radius -- --stack recovery | --from preview.json [--json | --markdown]`
import { runCli } from "../blast-radius/cli";

runCli(process.argv.slice(2), { progress: Boolean(process.stderr.isTTY) }).then(
  ({ code, stdout, stderr }) => {
    process.stdout.write(stdout);
    process.stderr.write(stderr);
    process.exitCode = code;
  },
  (error: unknown) => {
    // Bad input never gets here (runCli answers it with exit 2); this is a bug, so keep the trace.
    console.error("blast-radius: unexpected error, please report it:", error);
    process.exitCode = 1;
  },
);
