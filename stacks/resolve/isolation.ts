import type { Problem } from "../problems";
import type { RecoveryConfig } from "../types";

/** A drill must not share a name with what a recovery stack of the same source creates. */
export function checkDrillIsolation(drill: RecoveryConfig, recoveries: readonly RecoveryConfig[]): Problem[] {
  const problems: Problem[] = [];
  for (const recovery of recoveries) {
    if (drill.cluster.namespace === recovery.cluster.namespace)
      problems.push({
        path: ["namespace"],
        message: `namespace "${drill.cluster.namespace}" is also the ${recovery.stack} stack's; a drill uses a namespace of its own`,
      });
    if (drill.suffix === recovery.suffix)
      problems.push({
        path: ["suffix"],
        message: `suffix "${drill.suffix}" is also the ${recovery.stack} stack's, so the drill would reuse its names; use another suffix, like "drill"`,
      });
    else {
      const theirs = new Set(recovery.targetNames);
      for (const name of drill.targetNames)
        if (name !== drill.cluster.namespace && theirs.has(name))
          problems.push({ path: ["suffix"], message: `"${name}" is also created by the ${recovery.stack} stack; give the drill names of its own` });
    }
  }
  return problems;
}
