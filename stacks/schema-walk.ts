/**
 * Walks zod schemas by their definitions, for the two places that need the schema's shape
 * rather than a parse: "did you mean" hints for unknown keys, and the README's config reference
 * (kept in step with the schema by a test).
 */
type Def = {
  type?: string;
  innerType?: unknown;
  shape?: Record<string, unknown>;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
  discriminator?: string;
  values?: unknown[];
  defaultValue?: unknown;
};

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

/** The value a discriminator field takes: its literal, or the literal its default is. */
function discriminatorValue(field: unknown, given: unknown): boolean {
  const def = defOf(field);
  if (given === undefined) return def?.type === "default";
  return (defOf(unwrap(field))?.values ?? []).includes(given);
}

/**
 * The keys a strict object at `path` accepts. For a discriminated union (the cache kinds), the
 * keys of the option `input` chose by its discriminator (`kind`, or the option that defaults it);
 * without one, every key some option accepts.
 */
export function keysAt(schema: unknown, path: readonly PropertyKey[], input?: unknown): string[] {
  const def = defOf(schemaAt(schema, path));
  if (def?.type === "union") {
    const shapes = (def.options ?? []).map((o) => defOf(unwrap(o))?.shape ?? {});
    const disc = def.discriminator;
    const given = disc !== undefined && input !== null && typeof input === "object" ? (input as Record<string, unknown>)[disc] : undefined;
    const chosen = disc === undefined ? undefined : shapes.find((shape) => discriminatorValue(shape[disc], given));
    return chosen ? Object.keys(chosen) : [...new Set(shapes.flatMap((shape) => Object.keys(shape)))];
  }
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/**
 * For a discriminated union at `path`: the discriminator and the values of the options that
 * accept `key` (`{ discriminator: "kind", values: ["elasticache"] }`); undefined elsewhere.
 */
export function kindsAccepting(
  schema: unknown,
  path: readonly PropertyKey[],
  key: string,
): { discriminator: string; values: string[]; defaultValue?: string } | undefined {
  const def = defOf(schemaAt(schema, path));
  if (def?.type !== "union" || def.discriminator === undefined) return undefined;
  const disc = def.discriminator;
  const shapes = (def.options ?? []).map((o) => defOf(unwrap(o))?.shape ?? {});
  const values = shapes.filter((shape) => key in shape).flatMap((shape) => (defOf(unwrap(shape[disc]))?.values ?? []).map(String));
  const defaulted = shapes.map((shape) => defOf(shape[disc])).find((d) => d?.type === "default");
  return { discriminator: disc, values, defaultValue: defaulted === undefined ? undefined : String(defaulted.defaultValue) };
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
