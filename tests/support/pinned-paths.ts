/**
 * What a second `pulumi up` would act on, as far as the mocks can tell: the input paths that
 * differ between two program runs, written as Pulumi property paths (`stringData`,
 * `tags["recovery:restored-from"]`), and those of them no `ignoreChanges` entry covers. The engine
 * restores ignored paths from the previous inputs before diffing, so an uncovered path is an
 * update or a replacement.
 */

const segment = (key: string, first: boolean): string =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${first ? "" : "."}${key}` : `[${JSON.stringify(key)}]`;

/** Every leaf path where `before` and `after` differ (a key present on one side only included). */
export function changedPaths(before: unknown, after: unknown, prefix = ""): string[] {
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedPaths(before[k], after[k], prefix + segment(k, prefix === "")));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

/** The changed paths that no ignoreChanges entry covers (an entry covers itself and what is under it). */
export function uncoveredPaths(changed: readonly string[], ignoreChanges: readonly string[]): string[] {
  return changed.filter((p) => !ignoreChanges.some((i) => p === i || p.startsWith(`${i}.`) || p.startsWith(`${i}[`)));
}
