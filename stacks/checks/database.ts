import type { Problem } from "../problems";
import { BAD_NAME, isDnsName } from "./dns-name";

/** RDS's limit on an instance identifier. */
export const MAX_RDS_ID = 63;

/** What a restored database's identifier is checked against. */
export interface IdentifierContext {
  /** The source instance's identifier, which a restore never takes. */
  readonly sourceIdentifier: string;
  /** Every production name (identifiers, buckets, secrets). Defaults to none. */
  readonly sourceNames?: Iterable<string>;
  /** The identifier to suggest instead, like `<source>-recovery`. */
  readonly suggestion: string;
}

/**
 * Invariant 1 for a database: a restore gets a NEW identifier (a refresh after restoring under the
 * source's name drops the instance), one RDS accepts. Paths are `identifier`.
 */
export function identifierProblems(identifier: string, ctx: IdentifierContext): Problem[] {
  const problems: Problem[] = [];
  const path = ["identifier"];
  if (identifier === ctx.sourceIdentifier)
    problems.push({ path, message: `"${identifier}" is the source database's own identifier; a restore always gets a new one, like "${ctx.suggestion}"` });
  else if (new Set(ctx.sourceNames ?? []).has(identifier))
    problems.push({ path, message: `"${identifier}" is a production resource's name; choose a new identifier` });
  if (!isDnsName(identifier, MAX_RDS_ID))
    problems.push({
      path,
      code: BAD_NAME,
      message: `"${identifier}" is not a valid RDS identifier (lowercase letters, digits, single hyphens, at most ${MAX_RDS_ID} characters); shorten or fix it`,
    });
  return problems;
}
