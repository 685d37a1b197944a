import { readFileSync } from "node:fs";
import { $ } from "zx";
import { z } from "zod";
import { UsageError } from "./errors";

/**
 * The stack outputs verify reads: where the restored things are. index.ts exports exactly
 * this shape; `pulumi stack output --json --show-secrets` prints it. Extra keys are ignored,
 * so the program may export more (the plan, for one).
 */
const isoTime = z.iso.datetime({ offset: true });
const url = z.url();

export const outputsSchema = z.looseObject({
  namespace: z.string().min(1),
  /** Where smoke tests go; required when the config has smoke tests. */
  gatewayUrl: url.optional(),
  /** The time the restore targets, resolved (never `latest`). Per-database values win. */
  restorePoint: isoTime.optional(),
  databases: z
    .record(
      z.string(),
      z.looseObject({
        identifier: z.string().min(1),
        endpoint: z.string().min(1),
        port: z.number().int().positive(),
        database: z.string().min(1),
        /** A Pulumi secret: `postgresql://user:password@endpoint:port/database`. */
        connectionString: z.string().min(1),
        restorePoint: isoTime.optional(),
      }),
    )
    .default({}),
  caches: z
    .record(z.string(), z.looseObject({ endpoint: z.string().min(1), port: z.number().int().positive().optional() }))
    .default({}),
  buckets: z
    .record(
      z.string(),
      z.looseObject({
        bucket: z.string().min(3),
        mode: z.enum(["promote", "rebuild"]),
        replica: z.string().min(3),
        /** When the sync listed the replica; replica objects newer than this are not expected. */
        syncedAt: isoTime.optional(),
      }),
    )
    .default({}),
  secrets: z
    .record(
      z.string(),
      z.looseObject({
        /** The Secrets Manager secret the restored value was read from. */
        secretId: z.string().min(1),
        /** The version restored into Kubernetes. */
        versionId: z.string().min(1),
        kubernetesSecret: z.string().min(1),
        key: z.string().min(1),
      }),
    )
    .default({}),
  services: z.record(z.string(), z.looseObject({ url })).default({}),
});

export type StackOutputs = z.infer<typeof outputsSchema>;

/** Validates outputs, naming the key that is wrong (`databases.orders.port`) and the fix. */
export function parseOutputs(raw: unknown, from: string): StackOutputs {
  if (containsSecretPlaceholder(raw)) {
    throw new UsageError(
      `${from}: holds "[secret]" placeholders; verify needs the values: use \`pulumi stack output --json --show-secrets\``,
    );
  }
  const parsed = outputsSchema.safeParse(withConnectionStrings(raw));
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

/**
 * The program exports connection strings apart (`connectionStrings.<name>`), so that
 * `pulumi stack output` without `--show-secrets` still shows every endpoint; fold them back in.
 */
function withConnectionStrings(raw: unknown): unknown {
  if (raw === null || typeof raw !== "object") return raw;
  const { connectionStrings, databases, ...rest } = raw as Record<string, unknown>;
  if (connectionStrings === null || typeof connectionStrings !== "object" || databases === null || typeof databases !== "object") return raw;
  const merged = Object.fromEntries(
    Object.entries(databases as Record<string, Record<string, unknown>>).map(([name, db]) => [
      name,
      { connectionString: (connectionStrings as Record<string, unknown>)[name], ...db },
    ]),
  );
  return { ...rest, databases: merged, connectionStrings };
}
