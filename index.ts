import * as pulumi from "@pulumi/pulumi";
import { RecoveryEnvironment } from "./components";
import { buildPlan } from "./plan";
import { ConfigError, configFromPulumi, loadStackFromConfig } from "./stacks";

/** Loads this stack's config through the same loader the offline commands use, and plans it. */
function load() {
  try {
    const config = loadStackFromConfig(pulumi.getStack(), configFromPulumi(pulumi.runtime.allConfig()));
    return { config, plan: buildPlan(config) };
  } catch (error) {
    // RunError: Pulumi prints the message alone, without a stack trace, and creates nothing.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const { config, plan } = load();
const environment = new RecoveryEnvironment(config.stack, { config, plan });

// The stack outputs are RecoveryEnvironment's, typed by the contract verify and the drill parse
// (stacks/outputs.ts; README "Stack outputs", docs/verify.md).
export = environment.outputs;
