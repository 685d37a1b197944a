import { readFileSync } from "node:fs";
import { $ } from "zx";
import { stackOutputsSchema, type StackOutputs } from "../stacks/outputs";
import { UsageError } from "../scripts/lib/errors";

/**
 * The stack outputs verify reads are the program's contract (stacks/outputs.ts): one schema that
 * RecoveryEnvironment's exports are typed by and that every consumer parses with.
 * `pulumi stack output --json --show-secrets` prints them; keys outside the contract are ignored.
 */
export { stackOutputsSchema as outputsSchema, type StackOutputs } from "../stacks/outputs";

/** Validates outputs, naming the key that is wrong (`databases.orders.port`) and the fix. */
export function parseOutputs(raw: unknown, from: string): StackOutputs {
  if (containsSecretPlaceholder(raw)) {
    throw new UsageError(
      `${from}: holds "[secret]" placeholders; verify needs the values: use \`pulumi stack output --json --show-secrets\``,
    );
  }
  const parsed = stackOutputsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const key = i.path.map(String).join(".") || "(top level)";
    return `${from}: ${key}: ${i.message.replace(/^Invalid input: /, "")}`;
  });
  throw new UsageError(`${lines.join("\n")}\nthe outputs contract is in docs/verify.md; fix the stack's exports or the file`);
}

function containsSecretPlaceholder(value: unknown): boolean {
  if (value === "[secret]") return true;
  if (Array.isArray(value)) return value.some(containsSecretPlaceholder);
  if (value && typeof value === "object") return Object.values(value).some(containsSecretPlaceholder);
  return false;
}

export function readOutputsFile(path: string): StackOutputs {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--outputs ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); give the file \`pulumi stack output --json --show-secrets\` wrote`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`--outputs ${path}: is not JSON; write it with \`pulumi stack output --json --show-secrets --stack <name> > ${path}\``);
  }
  return parseOutputs(raw, `--outputs ${path}`);
}

/** Asks the Pulumi CLI; its output is never echoed (it holds the connection strings). */
export async function pulumiOutputs(stack: string, timeoutMs = 60_000): Promise<StackOutputs> {
  const found = await $`command -v pulumi`.quiet().nothrow();
  if (found.exitCode !== 0) {
    throw new UsageError(
      "the pulumi CLI is not on PATH; pass --outputs FILE written by `pulumi stack output --json --show-secrets` where the CLI is",
    );
  }
  const out = await $`pulumi stack output --json --show-secrets --stack ${stack}`.quiet().nothrow().timeout(timeoutMs);
  if (out.exitCode !== 0) {
    const first = out.stderr.split("\n").find((l) => l.trim()) ?? `exit ${out.exitCode}`;
    throw new UsageError(`pulumi stack output --stack ${stack} failed: ${first.trim()}; check \`pulumi login\` and the stack name, or pass --outputs FILE`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(out.stdout);
  } catch {
    throw new UsageError(`pulumi stack output --stack ${stack} did not print JSON; pass --outputs FILE`);
  }
  return parseOutputs(raw, `pulumi stack output --stack ${stack}`);
}

/** The Automation API's `stack.outputs()` (`{ key: { value, secret } }`), for the drill in-process. */
export function outputsFromAutomation(map: Readonly<Record<string, { readonly value: unknown; readonly secret?: boolean }>>): StackOutputs {
  return parseOutputs(Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v.value])), "stack.outputs()");
}
