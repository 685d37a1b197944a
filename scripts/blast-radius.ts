#!/usr/bin/env tsx
// `npm run blast-radius -- --stack recovery | --from preview.json [--json | --markdown]`
import { runCli } from "../blast-radius/cli";
import { onClosedPipe, processIo } from "./lib/cli";

onClosedPipe();
void runCli(process.argv.slice(2), { progress: Boolean(process.stderr.isTTY) }).then(({ code, stdout, stderr }) => {
  processIo.stdout(stdout);
  processIo.stderr(stderr);
  process.exitCode = code;
});
