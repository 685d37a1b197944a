/** `RDS`/`S3`/Kubernetes-style names: lowercase letters, digits, single hyphens, no trailing hyphen. */
export function isDnsName(name: string, max: number): boolean {
  return name.length <= max && /^[a-z][a-z0-9-]*$/.test(name) && !name.includes("--") && !name.endsWith("-");
}

/**
 * The code of a problem with a name's form (too long, a character AWS refuses), as opposed to a
 * name that is production's: the loader blames `suffix` for it when the name was derived.
 */
export const BAD_NAME = "bad-name";
