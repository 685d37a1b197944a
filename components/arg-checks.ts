import * as pulumi from "@pulumi/pulumi";

/** The argument checks several components share (names, durations) and how their problems are thrown. Not a component itself. */

/** `RDS`/`S3`-style names: lowercase letters, digits, single hyphens, no trailing hyphen. */
export function isDnsName(name: string, max: number): boolean {
  return name.length <= max && /^[a-z][a-z0-9-]*$/.test(name) && !name.includes("--") && !name.endsWith("-");
}

/** Validation problems become one ResourceError: nothing is created when one is found. */
export function throwIfProblems(component: string, problems: readonly string[], parent: pulumi.Resource): void {
  if (problems.length > 0) throw new pulumi.ResourceError(`${component}: ${problems.join("; ")}`, parent);
}

/** A Go duration with one unit, as `customTimeouts` takes it: `90m`, `4h`, `5400s`. */
export const DURATION = /^[1-9][0-9]*(s|m|h)$/;
const MINUTES_PER: Readonly<Record<string, number>> = { s: 1 / 60, m: 1, h: 60 };
/** `90m` → 90, `4h` → 240. Only for strings DURATION accepts. */
export const durationMinutes = (d: string): number => Number(d.slice(0, -1)) * MINUTES_PER[d.slice(-1)];
