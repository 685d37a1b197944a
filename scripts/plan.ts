// `npm run plan -- --stack <name> [--json] [--check]`: the recovery plan, offline, no credentials.
import { buildPlan, planJson, renderPlan } from "../plan";
import { loadStack } from "../stacks";
import { EXIT, parseFlags, runMain, stackFlag } from "./lib/cli";

const HELP = `Usage: npm run plan -- --stack <name> [--json] [--check]

Prints the recovery plan of a restore stack: every step in dependency order with its estimate,
earliest start and finish, the critical path, and the estimated RTO against the objective.
Offline: reads Pulumi.<stack>.yaml and the inventory it restores; needs no credentials.

  --stack <name>  the restore stack (recovery, drill); prod is the source, not a restore stack
  --json          print exactly one JSON object instead of the table
  --check         exit 3 when the estimated RTO exceeds the objective
  --help          this text

Exit: 0 a plan was made, 3 with --check when it exceeds the objective, 2 bad input or usage.`;

const EXIT_EXCEEDS = 3;

void runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), { string: ["stack"], boolean: ["json", "check"] });
  if (flags.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const stack = stackFlag(flags);

  const plan = buildPlan(loadStack(stack));
  process.stdout.write(flags.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : `${renderPlan(plan)}\n`);
  return flags.check && plan.verdict === "exceeds-objective" ? EXIT_EXCEEDS : EXIT.ok;
});
