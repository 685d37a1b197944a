import { closest } from "fastest-levenshtein";
import type { z } from "zod";
import { UsageError } from "../scripts/lib/errors";
import { ISO_TIME_FIX, RESTORE_TIME_FIX } from "./checks/restore-time";
import { unpinnedImageProblem } from "./image-reference";
import { keysAt, kindsAccepting } from "./schema-walk";

/** One mistake in a stack file: where it is, what is wrong, what to do. */
export interface ConfigProblem {
  readonly file: string;
  /** The key path as users write it: `recovery:services[3].dependsOn[1]`; empty for the file as a whole. */
  readonly key: string;
  readonly message: string;
  /** Stable, for callers that act on one kind of problem (the drill refusing the inventory). */
  readonly code?: string;
}

/**
 * One mistake as a validator finds it: the property path inside what it checked, and what is
 * wrong with the fix. The same validators run in the loader (which prefixes the path with the
 * entry's place in the stack file and turns it into a key path) and in the components (which
 * name the property of their args). The message reads after the key: `"x" is …; use …`.
 */
export interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** Stable, for callers that act on one kind of problem (see ConfigProblem.code). */
  readonly code?: string;
}

/** The problems found under `prefix` (an entry of a list, a nested map), as paths from the top. */
export function under(prefix: readonly PropertyKey[], problems: readonly Problem[]): Problem[] {
  return problems.map((p) => ({ ...p, path: [...prefix, ...p.path] }));
}

/** A validator's problem as a line of a stack file: `recovery:databases.orders.identifier`. */
export function inFile(file: string, p: Problem): ConfigProblem {
  return { file, key: keyPath(p.path), message: p.message, ...(p.code === undefined ? {} : { code: p.code }) };
}

/** `["source", "kmsKeyId"]` → `source.kmsKeyId`, `["tables", 2]` → `tables[2]`: a property of args. */
export function propertyPath(path: readonly PropertyKey[]): string {
  return keyPath(path, "").slice(1);
}

/** A validator's problem as a component states it: `identifier: "x" is …`. */
export function describeProblem(p: Problem): string {
  return p.path.length === 0 ? p.message : `${propertyPath(p.path)}: ${p.message}`;
}

export function formatProblem(p: ConfigProblem): string {
  return p.key ? `${p.file}: ${p.key}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Bad config, every mistake of one run together, refused before anything is created (exit 2). */
export class ConfigError extends UsageError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"), { code: "bad-config", details: { problems } });
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

/** Turns zod's issues into our problems in a stack file: the key, what is wrong, and the fix. */
export function problemsFromZod(
  file: string,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
): ConfigProblem[] {
  return problemsOfZod(schema, issues).map((p) => inFile(file, p));
}

/**
 * What `schema` finds wrong with `value`, as validators' problems: a component checks its args
 * with the very schema the loader reads the stack files with, and says the same.
 */
export function schemaProblems(schema: z.ZodType, value: unknown): Problem[] {
  const parsed = schema.safeParse(value, { reportInput: true });
  return parsed.success ? [] : problemsOfZod(schema, parsed.error.issues);
}

/** Zod's issues as problems with paths: what is wrong, and the fix. */
export function problemsOfZod(schema: z.ZodType, issues: readonly z.core.$ZodIssue[]): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const input = (issue as { input?: unknown }).input;
    if (issue.code === "unrecognized_keys") {
      const known = keysAt(schema, issue.path, input);
      for (const key of issue.keys) {
        // A key of another kind (an ElastiCache key on a cluster cache): say so rather than guess a spelling.
        const kinds = kindsAccepting(schema, issue.path, key);
        if (kinds !== undefined && kinds.values.length > 0) {
          const own = input !== null && typeof input === "object" ? (input as Record<string, unknown>)[kinds.discriminator] : undefined;
          problems.push({
            path: [...issue.path, key],
            message: `applies to ${kinds.discriminator} ${kinds.values.join(" or ")}, not to this ${kinds.discriminator} ${String(own ?? kinds.defaultValue)}; remove it (known keys: ${known.join(", ")})`,
          });
          continue;
        }
        const guess = known.length > 0 ? closest(key, known) : undefined;
        const hint = guess ? `did you mean "${guess}"? ` : "";
        problems.push({
          path: [...issue.path, key],
          message: `unknown key; ${hint}remove it or fix its spelling (known keys: ${known.join(", ")})`,
        });
      }
      continue;
    }
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
        message = (issue as { discriminator?: string }).discriminator !== undefined
          ? `is not a kind this project restores; use elasticache (an ElastiCache replication group, the default) or cluster (a Redis StatefulSet backed up as RDB files)`
          : `${describe(input)} is not valid; ${RESTORE_TIME_FIX}`;
        break;
      default:
        message = customMessage(issue.message, input);
    }
    problems.push({ path: issue.path, message });
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
      return `${describe(input)} is not an ISO 8601 time; ${ISO_TIME_FIX}`;
    case "KMS_KEY_ARN":
      return `${describe(input)} is not a KMS key ARN; kmsKeyId is replace-only and a restore cannot change it, so give the full key ARN (arn:aws:kms:<region>:<account>:key/<id>), which \`aws kms describe-key --key-id ${String(input)} --query KeyMetadata.Arn --output text\` prints`;
    case "DBI_RESOURCE_ID":
      return `${describe(input)} is not a DbiResourceId (db- followed by capitals and digits); read it with \`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].DbiResourceId'\``;
    case "REDIS_VERSION":
      return `${describe(input)} is not a Redis version; write its major.minor, like "7.0"`;
    case "CACHE_PARAMETER_GROUP":
      return `${describe(input)} is not an ElastiCache parameter group name (a letter, then letters, digits and single hyphens, not ending in a hyphen, at most 255 characters); copy it from \`aws elasticache describe-cache-clusters --cache-cluster-id <a node of the group> --query 'CacheClusters[0].CacheParameterGroup.CacheParameterGroupName'\``;
    case "DURATION":
      return `${describe(input)} is not a duration; write a whole number with a unit, like 90m or 4h (s, m or h)`;
    case "WORKER_IMAGE":
      return `${describe(input)} ${unpinnedImageProblem(String(input)) ?? "is not pinned"}`;
    case "RDS_GROUP_NAME":
      return `${describe(input)} is not an RDS parameter or option group name (a letter, then letters, digits and single hyphens, not ending in one); give the group's name as \`aws rds describe-db-instances --db-instance-identifier <identifier> --query 'DBInstances[0].[DBParameterGroups[0].DBParameterGroupName,OptionGroupMemberships[0].OptionGroupName]'\` prints it`;
    case "CA_CERTIFICATE":
      return `${describe(input)} is not a CA RDS signs with now; use one of rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1 (rds-ca-2019 expired in August 2024)`;
    case "IAM_ROLE_ARN":
      return `${describe(input)} is not an IAM role ARN; give the enhanced-monitoring role's full ARN (arn:aws:iam::<account>:role/<name>), which \`aws iam get-role --role-name <name> --query Role.Arn --output text\` prints`;
    case "PI_RETENTION":
      return `${describe(input)} is not a Performance Insights retention; use 7 (the free tier), a multiple of 31 up to 713, or 731 days`;
    case "ENV_KEY":
      return `${describe(input)} is not a valid Secret key; use letters, digits, "_", "-" or "."`;
    default:
      return `${describe(input)}: ${code}`;
  }
}
