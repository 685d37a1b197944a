/**
 * Loaded first by every npm script and by the test runner (`--require ./scripts/node20.ts`).
 *
 * Node 20 left its support window in April 2026 and is still accepted here (package.json
 * `engines`) because @pulumi/pulumi 3.248, the newest release that runs on it, is what the project
 * pins. On Node 20 the AWS SDK prints an eight-line NodeVersionSupportWarning on the first client
 * of every run; its maintainers document AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true as
 * the way to silence it (aws/aws-sdk-js-v3#7983, read by `@aws-sdk/core`'s
 * emitWarningIfUnsupportedVersion). The README says once that Node 20 is on its way out; an
 * operator restoring production should not read it again in every command's output. On Node 22
 * and later the SDK prints nothing, so nothing is set there, and a value the user set wins.
 * Delete this file and its `--require`s when Node 20 is dropped.
 */
export {};

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
