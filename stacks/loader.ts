import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument, parse as parseYaml } from "yaml";
import { checkInventory } from "./inventory-checks";
import { ConfigError, inFile, problemsFromZod } from "./problems";
import { checkDrillIsolation, resolveRestoreStack, sourceNamesOf } from "./resolve";
import { inventorySchema, restoreStackSchema, type Inventory } from "./schema";
import type { RecoveryConfig } from "./types";
import { errorMessage } from "../scripts/lib/errors";

export const NAMESPACE = "recovery";

export interface LoadOptions {
  /** The folder holding Pulumi.yaml and the stack files. Defaults to the repository root. */
  readonly root?: string;
  /** "Now", for restore-time checks. Defaults to the current time. */
  readonly now?: Date;
}

const REPO_ROOT = join(__dirname, "..");
const stackFile = (stack: string) => `Pulumi.${stack}.yaml`;

/** The stacks that have a file in `root`. */
export function listStacks(root = REPO_ROOT): string[] {
  if (!existsSync(root))
    throw new ConfigError([{ file: root, key: "", message: "no such folder; point at the folder that holds Pulumi.yaml and the Pulumi.<stack>.yaml files" }]);
  return readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Reads a stack file's `config:` map, keys as written (`recovery:services`, `aws:region`). */
export function readStackConfig(stack: string, root = REPO_ROOT): Record<string, unknown> {
  const file = stackFile(stack);
  const path = join(root, file);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !existsSync(path)) {
    const known = listStacks(root);
    throw new ConfigError([
      { file, key: "", message: `no such stack file; use one of ${known.map((s) => `--stack ${s}`).join(", ")}` },
    ]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    const what = errorMessage(error).split("\n")[0].replace(/:$/, "");
    throw new ConfigError([{ file, key: "", message: `is not valid YAML (${what}); fix the syntax` }]);
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (config === undefined || config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigError([{ file, key: "config", message: "is missing or not a map; a stack file holds its settings under `config:`" }]);
  }
  return config as Record<string, unknown>;
}

/** `{"recovery:x": 1, "aws:region": "…"}` → `{x: 1}`: the keys this project owns. */
function ownKeys(config: Record<string, unknown>): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${NAMESPACE}:`)) own[key.slice(NAMESPACE.length + 1)] = value;
  }
  return own;
}

/** The problem code of a restore command given the inventory's own stack (`--stack prod`). */
export const STACK_IS_INVENTORY = "stack-is-inventory";

/** Reads and validates an inventory (Pulumi.prod.yaml), every mistake reported together. */
export function loadInventory(source: string, root = REPO_ROOT): Inventory {
  const file = stackFile(source);
  const own = ownKeys(readStackConfig(source, root));
  if (own.mode !== "inventory") {
    throw new ConfigError([
      { file, key: "recovery:mode", message: `is ${JSON.stringify(own.mode ?? null)}, but a source must be an inventory; point recovery:source at the production inventory (mode: inventory)` },
    ]);
  }
  const parsed = inventorySchema.safeParse(own, { reportInput: true });
  if (!parsed.success) throw new ConfigError(problemsFromZod(file, inventorySchema, parsed.error.issues));
  const problems = checkInventory(parsed.data).map((p) => inFile(file, p));
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/**
 * The one loader: a restore stack's config (read from its file, or handed over by Pulumi at
 * `pulumi up`) joined with the inventory it restores. Same input, same object.
 */
export function loadStackFromConfig(
  stack: string,
  config: Record<string, unknown>,
  options: LoadOptions = {},
): RecoveryConfig {
  const root = options.root ?? REPO_ROOT;
  const now = options.now ?? new Date();
  const file = stackFile(stack);
  const own = ownKeys(config);
  if (own.mode === "inventory") {
    throw new ConfigError([
      {
        file,
        key: "",
        code: STACK_IS_INVENTORY,
        message: `${stack} is the source inventory, not something to restore; use a restore stack: ${restoreStacks(root).map((s) => `--stack ${s}`).join(", ")}`,
      },
    ]);
  }
  const parsed = restoreStackSchema.safeParse(own, { reportInput: true });
  if (!parsed.success) throw new ConfigError(problemsFromZod(file, restoreStackSchema, parsed.error.issues));
  const restore = parsed.data;
  if (restore.source === stack) {
    throw new ConfigError([
      { file, key: "recovery:source", message: `"${stack}" is this stack itself; a restore stack restores the production inventory, e.g. source: prod` },
    ]);
  }
  const inventory = loadInventory(restore.source, root);
  const { config: resolved, problems } = resolveRestoreStack(stack, restore, inventory, now);
  if (resolved.mode === "drill") problems.push(...checkDrillIsolation(resolved, otherRecoveries(stack, restore.source, root, now)));
  if (problems.length > 0) throw new ConfigError(problems.map((p) => inFile(file, p)));
  return resolved;
}

/** Reads `Pulumi.<stack>.yaml` and loads it. */
export function loadStack(stack: string, options: LoadOptions = {}): RecoveryConfig {
  return loadStackFromConfig(stack, readStackConfig(stack, options.root ?? REPO_ROOT), options);
}

function restoreStacks(root: string): string[] {
  return listStacks(root).filter((s) => {
    try {
      const mode = ownKeys(readStackConfig(s, root)).mode;
      return mode === "recovery" || mode === "drill";
    } catch {
      return false;
    }
  });
}

/**
 * The valid recovery stacks of the same source other than `stack`, whose names a drill must not
 * reuse (the loader's isolation check and the drill's policy-pack config both ask this).
 */
export function otherRecoveries(stack: string, source: string, root = REPO_ROOT, now = new Date()): RecoveryConfig[] {
  const out: RecoveryConfig[] = [];
  for (const other of listStacks(root)) {
    if (other === stack) continue;
    try {
      const own = ownKeys(readStackConfig(other, root));
      if (own.mode !== "recovery" || own.source !== source) continue;
      out.push(loadStack(other, { root, now }));
    } catch {
      // an invalid recovery stack is reported when it is loaded itself
    }
  }
  return out;
}

/**
 * Pulumi hands config to a program as strings (objects as JSON): `"true"`, `"60"`,
 * `'{"rtoMinutes":60}'`. Parsing each value as JSON gives back what the YAML file said.
 */
export function configFromPulumi(all: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(all).map(([key, value]) => {
      try {
        return [key, JSON.parse(value)];
      } catch {
        return [key, value];
      }
    }),
  );
}

/**
 * The names every production inventory in `root` owns (sources, replicas, dump buckets,
 * secrets, namespaces), for commands given a bucket by hand that must never write one of them.
 */
export function productionNames(root = REPO_ROOT): Set<string> {
  const names = new Set<string>();
  for (const stack of listStacks(root)) {
    let mode: unknown;
    try {
      mode = ownKeys(readStackConfig(stack, root)).mode;
    } catch (error) {
      // Only the inventories are needed: a restore stack's broken file (a typo while editing
      // Pulumi.recovery.yaml) must not stop a sync in a disaster. A file that cannot be told apart
      // from an inventory is needed, and its own error names it.
      if (error instanceof ConfigError && isRestoreMode(declaredMode(stack, root))) continue;
      throw error;
    }
    if (mode !== "inventory") continue;
    for (const name of sourceNamesOf(loadInventory(stack, root))) names.add(name);
  }
  return names;
}

const isRestoreMode = (mode: unknown): boolean => mode === "recovery" || mode === "drill";

/**
 * The `recovery:mode` a stack file declares, read past its YAML errors: the yaml library keeps
 * what it could parse around an error. Undefined when even that cannot say.
 */
function declaredMode(stack: string, root: string): unknown {
  try {
    const doc = parseDocument(readFileSync(join(root, stackFile(stack)), "utf8")).toJS({ maxAliasCount: 100 }) as { config?: Record<string, unknown> } | null;
    return doc?.config?.[`${NAMESPACE}:mode`];
  } catch {
    return undefined;
  }
}
