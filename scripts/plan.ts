// `npm run plan -- --stack <name> [--json] [--check]`: the recovery plan, offline, no credentials.
import { EXIT, runProcess, type CommandSpec, RESTORE_STACK_OPTION } from "./lib/cli";

export const PLAN_COMMAND = {
  usage: ["npm run plan -- --stack <name> [--json] [--check]"],
  description: `Prints the recovery plan of a restore stack: every step in dependency order with its estimate,
earliest start and finish and tier, the critical path, the estimated RTO against the objective,
and per tier when its items are restored against the tier's RTO.
Offline: reads Pulumi.<stack>.yaml and the inventory it restores; needs no credentials.`,
  options: {
    stack: RESTORE_STACK_OPTION,
    json: { type: "boolean", help: "print exactly one JSON object instead of the table" },
    check: {
      type: "boolean",
      help: "exit 3 when the estimated RTO exceeds the objective, or a tier's items are\nrestored later than the tier's rtoMinutes",
    },
  },
  epilogue: "Exit: 0 a plan was made, 3 with --check when it or a tier exceeds its objective, 2 bad input or usage.",
} as const satisfies CommandSpec;

const EXIT_EXCEEDS = 3;

runProcess(
  PLAN_COMMAND,
  async (flags) => {
    // Required after --help is answered, so that --help needs none of it.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { buildPlan, planJson, renderPlan } = require("../plan") as typeof import("../plan");
    const { loadStack } = require("../stacks") as typeof import("../stacks");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const plan = buildPlan(loadStack(flags.stack!));
    process.stdout.write(flags.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : `${renderPlan(plan)}\n`);
    const exceeds = plan.verdict === "exceeds-objective" || plan.tiers.some((t) => t.verdict === "exceeds-objective");
    return flags.check && exceeds ? EXIT_EXCEEDS : EXIT.ok;
  },
);
