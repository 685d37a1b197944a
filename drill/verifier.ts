import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RecoveryConfig } from "../stacks";

/** One check of the restored environment (the shape verification/'s `runVerification` returns). */
export interface VerificationCheck {
  readonly name: string;
  readonly target: string;
  readonly result: "pass" | "fail";
  readonly ms: number;
  readonly detail: string;
}

export interface VerificationResult {
  readonly passed: boolean;
  readonly checks: readonly VerificationCheck[];
}

/**
 * Verifies what `up` restored. The outputs hold connection strings: a verifier uses them,
 * never prints them.
 */
export type Verifier = (outputs: Record<string, unknown>, config: RecoveryConfig) => Promise<VerificationResult>;

/**
 * SEAM (the lead wires this): the real verifier is verification/'s `runVerification`, built in
 * parallel with this drill. Until it is merged this returns undefined and the CLI refuses a
 * real drill with a clear message (a stack brought up that nobody can verify proves nothing).
 */
export function defaultVerifier(root: string): Verifier | undefined {
  if (!existsSync(join(root, "verification"))) return undefined;
  return async (outputs, config) => {
    // Loaded at call time so this file type-checks before verification/ exists.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const verification = require(join(root, "verification")) as {
      runVerification(options: { stack: string; outputs: Record<string, unknown>; config: RecoveryConfig }): Promise<VerificationResult>;
    };
    return verification.runVerification({ stack: config.stack, outputs, config });
  };
}

/**
 * For `--engine fake` rehearsals: checks that every plan step left an output and every database a
 * restore point. It touches no real system, and says so in every check's detail.
 */
export const rehearsalVerifier: Verifier = async (outputs, config) => {
  const started = Date.now();
  const steps = (outputs.steps ?? {}) as Record<string, unknown>;
  const points = (outputs.restorePoints ?? {}) as Record<string, unknown>;
  const checks: VerificationCheck[] = [
    ...config.databases.map((d) => ({ name: "restore-point", target: `database:${d.name}`, ok: typeof points[d.name] === "string" })),
    ...Object.keys(steps).length === 0 ? [{ name: "outputs", target: config.stack, ok: false }] : [],
  ].map((c) => ({
    name: c.name,
    target: c.target,
    result: c.ok ? ("pass" as const) : ("fail" as const),
    ms: Date.now() - started,
    detail: c.ok ? "rehearsal: output present (no real system checked)" : "rehearsal: output missing",
  }));
  return { passed: checks.every((c) => c.result === "pass"), checks };
};
