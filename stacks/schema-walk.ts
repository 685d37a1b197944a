/**
 * Walks zod schemas by their definitions, for the two places that need the schema's shape
 * rather than a parse: "did you mean" hints for unknown keys, and the README's config reference
 * (kept in step with the schema by a test).
 */
type Def = { type?: string; innerType?: unknown; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown; options?: unknown[] };

const defOf = (node: unknown): Def | undefined => (node as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** Strips optional/default/nullable wrappers. */
function unwrap(node: unknown): unknown {
  for (let def = defOf(node); def && ["optional", "default", "nullable"].includes(def.type ?? ""); def = defOf(node)) {
    node = def.innerType;
  }
  return node;
}

/** The schema at `path` (object keys, array indexes, record keys), or undefined. */
function schemaAt(schema: unknown, path: readonly PropertyKey[]): unknown {
  let node = unwrap(schema);
  for (const part of path) {
    const def = defOf(node);
    if (def?.type === "object") node = def.shape?.[String(part)];
    else if (def?.type === "array") node = def.element;
    else if (def?.type === "record") node = def.valueType;
    else if (def?.type === "union") node = def.options?.map((o) => defOf(unwrap(o))?.shape?.[String(part)]).find((x) => x !== undefined);
    else return undefined;
    node = unwrap(node);
  }
  return node;
}

/** The keys a strict object at `path` accepts. */
export function keysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  const def = defOf(schemaAt(schema, path));
  // A union (the cache kinds): every key some kind accepts.
  if (def?.type === "union") return [...new Set((def.options ?? []).flatMap((o) => Object.keys(defOf(unwrap(o))?.shape ?? {})))];
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/** Every key path the schema accepts, as documented: `services[].dependsOn`, `databases.<name>.method`. */
export function allKeyPaths(schema: unknown, prefix = ""): string[] {
  const node = unwrap(schema);
  const def = defOf(node);
  if (def?.type === "object" && def.shape) {
    return Object.entries(def.shape).flatMap(([key, child]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return [path, ...allKeyPaths(child, path)];
    });
  }
  if (def?.type === "array") return allKeyPaths(def.element, `${prefix}[]`);
  if (def?.type === "union") return [...new Set((def.options ?? []).flatMap((o) => allKeyPaths(o, prefix)))];
  if (def?.type === "record") return allKeyPaths(def.valueType, `${prefix}.<name>`);
  return [];
}
