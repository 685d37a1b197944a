import { listStacks, loadStack, readStackConfig, type RecoveryConfig } from "../stacks";

/**
 * Every name the inventory covers, plus what this project's own restore stacks of the same
 * source create (the recovery's and the drill's new databases, groups, buckets, secrets): those
 * are in the account because of us, not production resources the inventory misses.
 */
export function coveredNames(config: RecoveryConfig, root?: string): Set<string> {
  const names = new Set<string>([...config.sourceNames, ...config.targetNames]);
  for (const stack of listStacks(root)) {
    if (stack === config.stack) continue;
    try {
      const own = readStackConfig(stack, root);
      const mode = own["recovery:mode"];
      if ((mode !== "recovery" && mode !== "drill") || own["recovery:source"] !== config.source) continue;
      for (const name of loadStack(stack, { root }).targetNames) names.add(name);
    } catch {
      // an invalid stack is refused when it is used itself; its names are not ours to guess
    }
  }
  return names;
}
