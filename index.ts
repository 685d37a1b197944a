import * as pulumi from "@pulumi/pulumi";
import { buildPlan } from "./plan";
import { ConfigError, configFromPulumi, loadStackFromConfig } from "./stacks";

/** Loads this stack's config through the same loader the offline commands use. */
function loadConfig() {
  try {
    return loadStackFromConfig(pulumi.getStack(), configFromPulumi(pulumi.runtime.allConfig()));
  } catch (error) {
    // RunError: Pulumi prints the message alone, without a stack trace, and creates nothing.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const config = loadConfig();
const plan = buildPlan(config);

export const recoveryPlan = plan;
