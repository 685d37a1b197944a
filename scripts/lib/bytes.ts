/**
 * Byte counts for people, in one place for the scripts, the workers' progress lines, verification
 * and the benches. Imports nothing, so any layer can use it.
 */

/** Scaled to the largest binary unit under 1024, one decimal: `512 B`, `3.4 MiB`, `1.0 GiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const SCALE = { MB: 2 ** 20, GB: 2 ** 30 } as const;

/**
 * In one fixed unit, for summaries whose lines are compared run to run (`72.3 MB`): the scripts'
 * one-line summaries and the benches have always printed 2^20 bytes as "MB", and the README quotes
 * them, so the label stays. `digits` defaults to `1`.
 */
export function formatBytesIn(n: number, unit: keyof typeof SCALE, digits = 1): string {
  return `${(n / SCALE[unit]).toFixed(digits)} ${unit}`;
}
