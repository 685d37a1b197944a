/** The two ways a restore stack runs: a real rebuild, or a rehearsal that is always destroyed. Not a component itself. */

export type RecoveryMode = "recovery" | "drill";
export const RECOVERY_MODES: readonly RecoveryMode[] = ["recovery", "drill"];

/** Problems of a `mode` field (shared by every component that behaves differently in a drill). */
export function modeProblems(mode: string): string[] {
  return RECOVERY_MODES.includes(mode as RecoveryMode)
    ? []
    : [`mode must be one of ${RECOVERY_MODES.join(", ")} (got "${mode}"); use "recovery" for a real rebuild or "drill" for a rehearsal`];
}
