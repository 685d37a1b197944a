import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, exitCodeOf, helpText, oneOf, parseOptions, reportError, UsageError, type CommandSpec } from "../scripts/lib/cli";
import type { RecoveryConfig } from "../stacks/types";
import type { Preview } from "./parse";
import type { ConfigSource } from "./assess";

export const BLAST_RADIUS_COMMAND = {
  usage: ["npm run blast-radius -- (--stack <name> | --from <preview.json>) [--json | --markdown]"],
  description: `What a \`pulumi preview\` would do, judged before anyone runs \`pulumi up\`: what is created,
updated, replaced or deleted, which stateful resources are at risk, whether anything the
production inventory owns is touched, and how long the creates take on the recovery plan.`,
  options: {
    stack: {
      type: "string",
      value: "<name>",
      help: "the restore stack (recovery, drill): runs `pulumi preview --json` for it, and\ntakes the source names and the plan from Pulumi.<name>.yaml",
      example: "recovery",
    },
    from: {
      type: "string",
      value: "<file>",
      help: "judge a saved `pulumi preview --json` output instead of running one; the stack\nfor source names is --stack if given, else the preview's own stack",
      example: "preview.json",
    },
    json: { type: "boolean", help: "exactly one JSON object on stdout" },
    markdown: { type: "boolean", help: "Markdown for a pull-request comment" },
  },
  epilogue: `Exit codes: 0 nothing dangerous, 4 something is (DANGER), 2 bad input (a bad flag or stack, a
malformed, truncated or failed preview, no pulumi CLI).`,
} as const satisfies CommandSpec;

export const USAGE = helpText(BLAST_RADIUS_COMMAND);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The folder with Pulumi.yaml and the stack files. Defaults to the repository root. */
  readonly root?: string;
  /** Spinner on stderr while a live preview runs. */
  readonly progress?: boolean;
}

const REPO_ROOT = join(__dirname, "..");

/* eslint-disable @typescript-eslint/no-require-imports */
// Required when a preview is judged, not when --help is asked: Pulumi's and zx's imports take a second.
const stacks = () => require("../stacks") as typeof import("../stacks");
const parse = () => require("./parse") as typeof import("./parse");
/* eslint-enable @typescript-eslint/no-require-imports */

function readPreviewFile(path: string): Preview {
  if (!existsSync(path) || !statSync(path).isFile())
    throw new UsageError(`--from ${path}: no such file; save one with \`pulumi preview --json --stack <name> > ${path}\``, { code: "no-such-file" });
  return parse().parsePreview(readFileSync(path, "utf8"), path);
}

/** The stack whose inventory names the source: --stack, else the preview's own when it has a file. */
function configFor(
  preview: Preview,
  flagged: RecoveryConfig | undefined,
  root: string,
): { config: RecoveryConfig | undefined; source: ConfigSource } {
  const own = parse().previewStack(preview);
  if (flagged !== undefined) {
    if (own !== undefined && own !== flagged.stack)
      throw new UsageError(`--stack ${flagged.stack}: the preview is of stack "${own}"; pass --stack ${own}, or the preview of ${flagged.stack}`, {
        code: "stack-mismatch",
      });
    return { config: flagged, source: { from: "--stack", stack: flagged.stack } };
  }
  if (own === undefined)
    return { config: undefined, source: { from: "none", reason: "the preview has no steps to name its stack; pass --stack <name>" } };
  if (!stacks().listStacks(root).includes(own))
    return { config: undefined, source: { from: "none", reason: `there is no Pulumi.${own}.yaml for the preview's stack "${own}"; pass --stack <name>` } };
  return { config: stacks().loadStack(own, { root }), source: { from: "preview", stack: own } };
}

/** The whole command, without touching process: the entry point and the tests both call it. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const root = options.root ?? REPO_ROOT;
  let json = args.includes("--json");
  let markdown = args.includes("--markdown");
  try {
    const opts = parseOptions(BLAST_RADIUS_COMMAND, args);
    json = opts.json ?? false;
    markdown = opts.markdown ?? false;
    if (opts.help) return { code: 0, stdout: USAGE, stderr: "" };
    oneOf(opts, ["json", "markdown"]);
    if (opts.stack === undefined && opts.from === undefined)
      throw new UsageError("give --stack <name> to preview a restore stack, or --from <preview.json> to judge a saved `pulumi preview --json` output", {
        code: "missing-option",
      });
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { runPreview } = require("./live") as typeof import("./live");
    const { exitCode, renderJson, renderMarkdown, renderText } = require("./render") as typeof import("./render");
    const { blastRadius } = require("./assess") as typeof import("./assess");
    /* eslint-enable @typescript-eslint/no-require-imports */
    // The stack is loaded before anything else, so `--stack prod` (or a broken stack file) is
    // refused whatever the preview says, and before a slow live preview starts.
    const flagged = opts.stack !== undefined ? stacks().loadStack(opts.stack, { root }) : undefined;
    let preview: Preview;
    let label: string;
    let configured: { config: RecoveryConfig | undefined; source: ConfigSource };
    if (opts.from !== undefined) {
      preview = readPreviewFile(opts.from);
      label = opts.from;
      configured = configFor(preview, flagged, root);
    } else {
      const stack = flagged!.stack;
      label = `pulumi preview --stack ${stack}`;
      preview = parse().parsePreview(await runPreview(stack, root, { progress: (options.progress ?? false) && !json }), label);
      configured = { config: flagged, source: { from: "--stack", stack } };
    }
    const radius = blastRadius(preview, { preview: label, config: configured.config, configSource: configured.source });
    const stdout = opts.json ? renderJson(radius) : opts.markdown ? renderMarkdown(radius) : renderText(radius);
    return { code: exitCode(radius), stdout, stderr: "" };
  } catch (error) {
    let stdout = "";
    let stderr = "";
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
    const code = reportError(error, io, json, { label: () => "blast-radius: ", jsonFields: (e) => ({ exitCode: exitCodeOf(e) }) });
    // CI posts stdout as the pull-request comment: a refusal must say so there too, not post nothing.
    if (markdown && !json && code === 2) io.stdout(`### Blast radius: the preview could not be judged\n\n\`\`\`\n${errorMessage(error)}\n\`\`\`\n`);
    return { code, stdout, stderr };
  }
}
