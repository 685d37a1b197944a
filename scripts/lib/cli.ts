/**
 * The CLI kit every entry point uses (docs in README, "Exit codes"): one option table per command
 * that node:util parseArgs reads strictly and --help is printed from, one error hierarchy with
 * problem codes and exit codes, one JSON error shape, durations with units, quiet on a closed pipe.
 *
 * Entry points import only this and their option table before --help is answered; what the body
 * needs (the AWS SDK, pg, Pulumi) is required inside it, so `--help` starts in a tenth of a second.
 */
export * from "./closed-pipe";
export * from "./duration";
export * from "./errors";
export * from "./options";
export * from "./run";
