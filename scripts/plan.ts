// `npm run plan -- --stack <name> [--json] [--check]`: the recovery plan, offline, no credentials.
import { buildPlan, planJson, renderPlan } from "../plan";
import { loadStack } from "../stacks";
import { EXIT, parseFlags, runMain, stackFlag } from "./lib/cli";

const HELP = `Usage: npm run plan -- --stack <name> [--json] [--check]

Prints the recovery plan of a restore stack: every step in dependency order with its estimate,
earliest start and finish and tier, the critical path, the estimated RTO against the objective,
and per tier when its items are restored against the tier's RTO.
Offline: reads Pulumi.<stack>.yaml and the inventory it restores; needs no credentials.

  --stack <name>  the restore stack (recovery, drill); prod is the source, not a restore stack
  --json          print exactly one JSON object instead of the table
  --check         exit 3 when the estimated RTO exceeds the objective, or a tier's items are
                  restored later than the tier's rtoMinutes
  --help          this text

Exit: 0 a plan was made, 3 with --check when it or a tier exceeds its objective, 2 bad input or usage.`;

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
  const exceeds = plan.verdict === "exceeds-objective" || plan.tiers.some((t) => t.verdict === "exceeds-objective");
  return flags.check && exceeds ? EXIT_EXCEEDS : EXIT.ok;
});
