import { closest } from "fastest-levenshtein";
import type { z } from "zod";
import { unpinnedImageProblem } from "./image-reference";
import { keysAt } from "./schema-walk";

/** One mistake in a stack file: where it is, what is wrong, what to do. */
export interface ConfigProblem {
  readonly file: string;
  /** The key path as users write it: `recovery:services[3].dependsOn[1]`; empty for the file as a whole. */
  readonly key: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return p.key ? `${p.file}: ${p.key}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Bad config, every mistake of one run together, refused before anything is created. */
export class ConfigError extends Error {
  /** Bad config is bad input: exit 2, as every CLI (and workers/cli.ts, which reads this) gives it. */
  readonly exitCode = 2;
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
  }
}

/** `["services", 3, "dependsOn", 1]` → `recovery:services[3].dependsOn[1]`. */
export function keyPath(path: readonly PropertyKey[], namespace = "recovery"): string {
  if (path.length === 0) return `${namespace}:`;
  let out = `${namespace}:${String(path[0])}`;
  for (const part of path.slice(1)) {
    out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "a map",
};

/** Turns zod's issues into our problems: the key, what is wrong, and the fix. */
export function problemsFromZod(
  file: string,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const input = (issue as { input?: unknown }).input;
    if (issue.code === "unrecognized_keys") {
      const known = keysAt(schema, issue.path);
      for (const key of issue.keys) {
        const guess = known.length > 0 ? closest(key, known) : undefined;
        const hint = guess ? `did you mean "${guess}"? ` : "";
        problems.push({
          file,
          key: keyPath([...issue.path, key]),
          message: `unknown key; ${hint}remove it or fix its spelling (known keys: ${known.join(", ")})`,
        });
      }
      continue;
    }
    const key = keyPath(issue.path);
    let message: string;
    switch (issue.code) {
      case "invalid_type":
        message =
          input === undefined
            ? `is required; add it (${TYPE_WORDS[issue.expected] ?? issue.expected})`
            : `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${describe(input)}; write it as ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
        break;
      case "invalid_value":
        message = `${describe(input)} is not allowed; use one of ${issue.values.map((v) => String(v)).join(", ")}`;
        break;
      case "too_small":
        message =
          issue.origin === "array"
            ? `needs at least ${String(issue.minimum)} entr${issue.minimum === 1 ? "y" : "ies"}; add ${issue.minimum === 1 ? "one" : "them"}`
            : issue.origin === "string"
              ? `must not be empty; give a value`
              : `must be ${issue.inclusive ? "at least" : "greater than"} ${String(issue.minimum)} (got ${String(input)}); give a positive value`;
        break;
      case "too_big":
        message = `must be at most ${String(issue.maximum)} (got ${String(input)})`;
        break;
      case "invalid_union":
        message = `${describe(input)} is not valid; use "latest" or an ISO 8601 time with a zone, like 2026-02-18T14:30:00Z`;
        break;
      default:
        message = customMessage(issue.message, input);
    }
    problems.push({ file, key, message });
  }
  return problems;
}

function customMessage(code: string, input: unknown): string {
  switch (code) {
    case "NAME":
      return `${describe(input)} is not a valid name; use lowercase letters, digits and hyphens, starting with a letter, at most 40 characters`;
    case "DEPENDENCY_REF":
      return `${describe(input)} is not a dependency; write it as <kind>:<name> with kind one of database, cache, bucket, secret, service (e.g. "database:orders")`;
    case "ISO_TIME":
      return `${describe(input)} is not an ISO 8601 time; write it like 2026-02-18T14:30:00Z`;
    case "KMS_KEY_ARN":
      return `${describe(input)} is not a KMS key ARN; kmsKeyId is replace-only and a restore cannot change it, so give the full key ARN (arn:aws:kms:<region>:<account>:key/<id>), which \`aws kms describe-key --key-id ${String(input)} --query KeyMetadata.Arn --output text\` prints`;
    case "DBI_RESOURCE_ID":
      return `${describe(input)} is not a DbiResourceId (db- followed by capitals and digits); read it with \`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].DbiResourceId'\``;
    case "DURATION":
      return `${describe(input)} is not a duration; write a whole number with a unit, like 90m or 4h (s, m or h)`;
    case "WORKER_IMAGE":
      return `${describe(input)} ${unpinnedImageProblem(String(input)) ?? "is not pinned"}`;
    case "ENV_KEY":
      return `${describe(input)} is not a valid Secret key; use letters, digits, "_", "-" or "."`;
    default:
      return `${describe(input)}: ${code}`;
  }
}
