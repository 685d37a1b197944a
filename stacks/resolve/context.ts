import type { EstimateKind } from "../estimates";
import type { Problem } from "../problems";
import type { Inventory, RestoreStack } from "../schema";
import { BAD_NAME } from "../checks/dns-name";

/** What every per-kind resolver reads: the restore stack, its inventory, and what follows from them. */
export interface ResolveContext {
  readonly stack: RestoreStack;
  readonly inventory: Inventory;
  readonly suffix: string;
  readonly estimates: Readonly<Record<EstimateKind, number>>;
  /** Every name the inventory owns (sourceNamesOf): what a restore reads and never writes. */
  readonly sourceNames: ReadonlySet<string>;
  readonly now: Date;
}

/** A resolved entry and the mistakes found on the way, with paths from the top of the stack file. */
export interface Resolved<T> {
  readonly value: T;
  readonly problems: readonly Problem[];
}

/**
 * A name derived from `suffix` (not written by the user) that is malformed or too long: the fix
 * is a shorter suffix, so the problem names `suffix` instead of a key the file does not have.
 */
export function blameSuffixUnlessGiven(problems: readonly Problem[], given: boolean): Problem[] {
  return problems.map((p) => (p.code !== BAD_NAME ? p : { path: given ? p.path : ["suffix"], message: p.message }));
}
