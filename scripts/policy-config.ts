// `npm run policy:config`: writes policies/config/<stack>.json for every restore stack, the pack
// config `pulumi preview --policy-pack policies --policy-pack-config …` takes. Derived from the
// inventory, so nobody types production's names twice; a test fails when a file is stale.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT, runProcess, type CommandSpec } from "./lib/cli";

export const POLICY_CONFIG_DIR = join(__dirname, "..", "policies", "config");

export const POLICY_CONFIG_COMMAND = {
  usage: ["npm run policy:config"],
  description: "Writes policies/config/<stack>.json for every restore stack.",
  options: {},
} as const satisfies CommandSpec;

runProcess(POLICY_CONFIG_COMMAND, async () => {
  // Required after --help is answered: the program under Pulumi's mocks takes seconds to import.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { packConfigForStack } = require("../mocked-program/policy-check") as typeof import("../mocked-program/policy-check");
  const { listStacks, loadStack, readStackConfig } = require("../stacks") as typeof import("../stacks");
  /* eslint-enable @typescript-eslint/no-require-imports */
  mkdirSync(POLICY_CONFIG_DIR, { recursive: true });
  for (const stack of listStacks()) {
    const mode = readStackConfig(stack)["recovery:mode"];
    if (mode !== "recovery" && mode !== "drill") continue;
    const file = join(POLICY_CONFIG_DIR, `${stack}.json`);
    writeFileSync(file, `${JSON.stringify(packConfigForStack(loadStack(stack)), null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
  }
  return EXIT.ok;
});
