import { $, spinner, which } from "zx";
import { PreviewError } from "./parse";

export const NO_PULUMI =
  "the pulumi CLI was not found; install it (https://www.pulumi.com/docs/install/) or pass a saved preview with --from preview.json";

/**
 * A preview of a whole environment refreshes nothing but still asks every provider for a
 * diff; half an hour means something is stuck (credentials prompt, a lock), not slow.
 */
const PREVIEW_TIMEOUT = "30m";

/**
 * Runs `pulumi preview --json --stack <stack>` in `cwd` and returns what it printed. The CLI, not
 * the Automation API: its `--json` output is the one documented format, the same bytes a user
 * saves for `--from`, so a live run and a saved file go through one parser.
 */
export async function runPreview(stack: string, cwd: string, options: { progress: boolean }): Promise<string> {
  const pulumi = await which("pulumi", { nothrow: true });
  if (!pulumi) throw new PreviewError(NO_PULUMI);
  const run = () =>
    $({ cwd, nothrow: true, quiet: true, timeout: PREVIEW_TIMEOUT })`${pulumi} preview --json --non-interactive --stack ${stack}`;
  const result = options.progress ? await spinner(`pulumi preview --stack ${stack}`, run) : await run();
  // A failed preview still prints its JSON digest (with the error diagnostics) on stdout; the
  // parser reports those. Only when there is no JSON at all is stderr the explanation.
  if (result.stdout.trim() === "") {
    const why = result.stderr.trim().split("\n").filter(Boolean).pop() ?? `exit code ${String(result.exitCode)}`;
    throw new PreviewError(`pulumi preview --stack ${stack} failed: ${why}`);
  }
  return result.stdout;
}
