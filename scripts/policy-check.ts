// `npm run policy:check -- --stack <name> [--json]`: the CrossGuard pack, offline. Runs the program
// under Pulumi's mocks (no CLI, no cloud) and every policy over what it registers.
import { EXIT, runProcess, type CommandSpec, RESTORE_STACK_OPTION } from "./lib/cli";

export const POLICY_CHECK_COMMAND = {
  usage: ["npm run policy:check -- --stack <name> [--json]"],
  description: `Runs the program for the stack under Pulumi's mocks and the recovery-guardrails pack (policies/)
over every resource it registers, with the pack config derived from the stack
(the same as policies/config/<stack>.json). Needs no Pulumi CLI and no credentials.`,
  options: {
    stack: RESTORE_STACK_OPTION,
    json: { type: "boolean", help: "print exactly one JSON object" },
  },
  epilogue: "Exit: 0 no mandatory policy violated, 1 a mandatory policy is violated, 2 bad input or usage.",
} as const satisfies CommandSpec;

runProcess(POLICY_CHECK_COMMAND, async (flags) => {
  // Required after --help is answered: the program under Pulumi's mocks takes seconds to import.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { checkStackPolicies, renderPolicyCheck } = require("../mocked-program/policy-check") as typeof import("../mocked-program/policy-check");
  const stack = flags.stack!;
  const result = await checkStackPolicies(stack);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderPolicyCheck(result)}\n`);
  }
  return result.passed ? EXIT.ok : EXIT.failed;
});
