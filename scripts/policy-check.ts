// `npm run policy:check -- --stack <name> [--json]`: the CrossGuard pack, offline. Runs the program
// under Pulumi's mocks (no CLI, no cloud) and every policy over what it registers.
import { checkStackPolicies, renderPolicyCheck } from "../offline/policy-check";
import { EXIT, parseFlags, runMain, stackFlag } from "./lib/cli";

const HELP = `Usage: npm run policy:check -- --stack <name> [--json]

Runs the program for the stack under Pulumi's mocks and the recovery-guardrails pack (policies/)
over every resource it registers, with the pack config derived from the stack
(the same as policies/config/<stack>.json). Needs no Pulumi CLI and no credentials.

  --stack <name>  the restore stack (recovery, drill)
  --json          print exactly one JSON object
  --help          this text

Exit: 0 no mandatory policy violated, 1 a mandatory policy is violated, 2 bad input or usage.`;

void runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), { string: ["stack"], boolean: ["json"] });
  if (flags.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const stack = stackFlag(flags);

  const result = await checkStackPolicies(stack);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderPolicyCheck(result)}\n`);
  }
  return result.passed ? EXIT.ok : EXIT.failed;
});
