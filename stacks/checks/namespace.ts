import type { Problem } from "../problems";

/** Invariant 1 for the cluster: a restore's resources go into a namespace of their own. Path `namespace`. */
export function namespaceProblems(namespace: string, sourceNamespace: string, suggestion: string): Problem[] {
  if (namespace !== sourceNamespace) return [];
  return [{ path: ["namespace"], message: `namespace "${namespace}" is production's own; use a namespace of its own, like "${suggestion}"` }];
}
