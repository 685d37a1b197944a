import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { minimist } from "zx";
import { ConfigError, listStacks, loadStack } from "../stacks";
import type { RecoveryConfig } from "../stacks/types";
import { runPreview } from "./live";
import { parsePreview, PreviewError, previewStack, type Preview } from "./parse";
import { exitCode, renderJson, renderMarkdown, renderText } from "./render";
import { blastRadius, type ConfigSource } from "./report";

export const USAGE = `Usage: npm run blast-radius -- (--stack <name> | --from <preview.json>) [--json | --markdown]

What a \`pulumi preview\` would do, judged before anyone runs \`pulumi up\`: what is created,
updated, replaced or deleted, which stateful resources are at risk, whether anything the
production inventory owns is touched, and how long the creates take on the recovery plan.

  --stack <name>   the restore stack (recovery, drill): runs \`pulumi preview --json\` for it, and
                   takes the source names and the plan from Pulumi.<name>.yaml
  --from <file>    judge a saved \`pulumi preview --json\` output instead of running one; the stack
                   for source names is --stack if given, else the preview's own stack
  --json           exactly one JSON object on stdout
  --markdown       Markdown for a pull-request comment
  --help           this text

Exit codes: 0 nothing dangerous, 4 something is (DANGER), 2 bad input (a bad flag or stack, a\nmalformed, truncated or failed preview, no pulumi CLI).
`;

const FLAGS = ["stack", "from", "json", "markdown", "help"];

/** A mistake in how the command was called, or in what it was given: exit 2, one message. */
class UsageError extends Error {}

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

function parseArgs(args: readonly string[]) {
  const unknown: string[] = [];
  const argv = minimist([...args], {
    string: ["stack", "from"],
    boolean: ["json", "markdown", "help"],
    unknown: (a) => {
      unknown.push(a);
      return false;
    },
  });
  if (unknown.length > 0)
    throw new UsageError(
      `${unknown[0]}: ${unknown[0].startsWith("-") ? "unknown flag" : "unexpected argument"}; use ${FLAGS.map((f) => `--${f}`).join(", ")} (see --help)`,
    );
  for (const flag of ["stack", "from"] as const) {
    const v: unknown = argv[flag];
    if (Array.isArray(v)) throw new UsageError(`--${flag}: given more than once; give it once`);
    if (v === "") throw new UsageError(`--${flag}: needs a value, e.g. --${flag} ${flag === "stack" ? "recovery" : "preview.json"}`);
  }
  const opts = {
    stack: argv.stack as string | undefined,
    from: argv.from as string | undefined,
    json: Boolean(argv.json),
    markdown: Boolean(argv.markdown),
    help: Boolean(argv.help),
  };
  if (opts.json && opts.markdown) throw new UsageError("--json and --markdown: choose one output");
  if (!opts.help && opts.stack === undefined && opts.from === undefined)
    throw new UsageError("give --stack <name> to preview a restore stack, or --from <preview.json> to judge a saved `pulumi preview --json` output");
  return opts;
}

function readPreviewFile(path: string): Preview {
  if (!existsSync(path) || !statSync(path).isFile())
    throw new UsageError(`--from ${path}: no such file; save one with \`pulumi preview --json --stack <name> > ${path}\``);
  return parsePreview(readFileSync(path, "utf8"), path);
}

/** The stack whose inventory names the source: --stack, else the preview's own when it has a file. */
function configFor(
  preview: Preview,
  flagged: RecoveryConfig | undefined,
  root: string,
): { config: RecoveryConfig | undefined; source: ConfigSource } {
  const own = previewStack(preview);
  if (flagged !== undefined) {
    if (own !== undefined && own !== flagged.stack)
      throw new UsageError(`--stack ${flagged.stack}: the preview is of stack "${own}"; pass --stack ${own}, or the preview of ${flagged.stack}`);
    return { config: flagged, source: { from: "--stack", stack: flagged.stack } };
  }
  if (own === undefined)
    return { config: undefined, source: { from: "none", reason: "the preview has no steps to name its stack; pass --stack <name>" } };
  if (!listStacks(root).includes(own))
    return { config: undefined, source: { from: "none", reason: `there is no Pulumi.${own}.yaml for the preview's stack "${own}"; pass --stack <name>` } };
  return { config: loadStack(own, { root }), source: { from: "preview", stack: own } };
}

/** The whole command, without touching process: the entry point and the tests both call it. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const root = options.root ?? REPO_ROOT;
  let json = args.includes("--json");
  let markdown = args.includes("--markdown");
  try {
    const opts = parseArgs(args);
    json = opts.json;
    markdown = opts.markdown;
    if (opts.help) return { code: 0, stdout: USAGE, stderr: "" };
    // The stack is loaded before anything else, so `--stack prod` (or a broken stack file) is
    // refused whatever the preview says, and before a slow live preview starts.
    const flagged = opts.stack !== undefined ? loadStack(opts.stack, { root }) : undefined;
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
      preview = parsePreview(await runPreview(stack, root, { progress: (options.progress ?? false) && !json }), label);
      configured = { config: flagged, source: { from: "--stack", stack } };
    }
    const report = blastRadius(preview, { preview: label, config: configured.config, configSource: configured.source });
    const stdout = opts.json ? renderJson(report) : opts.markdown ? renderMarkdown(report) : renderText(report);
    return { code: exitCode(report), stdout, stderr: "" };
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof PreviewError) {
      const message = error.message;
      return {
        code: 2,
        // CI posts stdout as the pull-request comment: a refusal must say so there too, not post nothing.
        stdout: json
          ? JSON.stringify({ error: message, exitCode: 2 }, null, 2) + "\n"
          : markdown
            ? `### Blast radius: the preview could not be judged\n\n\`\`\`\n${message}\n\`\`\`\n`
            : "",
        stderr: `blast-radius: ${message.split("\n").join("\nblast-radius: ")}\n`,
      };
    }
    throw error;
  }
}
