import type { RecoveryConfig } from "../stacks";
import { stackOutputsSchema } from "../stacks/outputs";
import { parseOutputs, readBaseline, runVerification, type CheckGroup } from "../verification";

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
 * The real verifier: verification/'s `runVerification` over the drill stack's outputs, against
 * the source baseline captured beforehand (`npm run verify -- --stack <drill> --capture-baseline`),
 * so row counts, freshness and objects are compared with what production really held.
 * `only` restricts the check groups as `npm run verify -- --only` does (default: all of them).
 */
export function defaultVerifier(baselinePath: string, only?: readonly CheckGroup[]): Verifier {
  return async (outputs, config) => {
    const result = await runVerification({
      config,
      outputs: parseOutputs(outputs, "the drill stack's outputs"),
      baseline: readBaseline(baselinePath),
      only,
    });
    return { passed: result.passed, checks: result.checks };
  };
}

/**
 * For `--engine fake` rehearsals: checks that the outputs follow the contract verify parses
 * (stacks/outputs.ts), that every plan step left an output and every database a restore point.
 * It touches no real system, and says so in every check's detail.
 */
export const rehearsalVerifier: Verifier = async (outputs, config) => {
  const started = Date.now();
  const steps = (outputs.steps ?? {}) as Record<string, unknown>;
  const parsed = stackOutputsSchema.safeParse(outputs);
  const databases = parsed.success ? parsed.data.databases : {};
  const checks: VerificationCheck[] = [
    ...config.databases.map((d) => ({ name: "restore-point", target: `database:${d.name}`, ok: databases[d.name]?.restorePoint !== undefined, why: "output missing" })),
    ...(Object.keys(steps).length === 0 ? [{ name: "outputs", target: config.stack, ok: false, why: "output missing" }] : []),
    ...(parsed.success ? [] : [{ name: "outputs", target: config.stack, ok: false, why: `outputs break the contract at ${parsed.error.issues[0].path.join(".")}` }]),
  ].map((c) => ({
    name: c.name,
    target: c.target,
    result: c.ok ? ("pass" as const) : ("fail" as const),
    ms: Date.now() - started,
    detail: c.ok ? "rehearsal: output present (no real system checked)" : `rehearsal: ${c.why}`,
  }));
  return { passed: checks.every((c) => c.result === "pass"), checks };
};
