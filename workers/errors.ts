/**
 * The data plane's errors are the CLI kit's (scripts/lib/errors.ts), one hierarchy for every
 * command: UsageError (exit 2) names the argument, what was wrong and what to do; RefusedError
 * (exit 1) is a refusal found while checking real state, carrying the partial record for --json.
 * Re-exported here so the workers keep one import for them.
 */
export { RefusedError, UsageError, errorMessage } from "../scripts/lib/errors";
