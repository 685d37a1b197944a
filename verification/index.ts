import { buildPlan } from "../plan";
import { loadStack } from "../stacks";
import type { RecoveryConfig } from "../stacks/types";
import { UsageError } from "../scripts/lib/errors";
import type { Baseline } from "./baseline";
import { GROUP_CHECKS, type ChecklistContext, type Planned } from "./checklist";
import type { StackOutputs } from "./outputs";
import { Redactor } from "./redact";
import { runChecks } from "./runner";
import type { SecretSource } from "./secret-source";
import { CHECK_GROUPS, type Check, type CheckGroup, type CheckResult, type VerificationResult } from "./types";

export * from "./types";
export { captureBaseline, defaultBaselinePath, readBaseline, sourceUrlEnv, writeBaseline, type Baseline } from "./baseline";
export { outputsFromAutomation, parseOutputs, pulumiOutputs, readOutputsFile, type StackOutputs } from "./outputs";
export { FileSecretSource, KubectlSecretSource, type SecretSource } from "./secret-source";
export { UsageError } from "../scripts/lib/errors";
export { Redactor } from "./redact";

export interface VerificationOptions {
  /** The loaded stack; or give `stack` (and `root`) and it is loaded here. */
  readonly config?: RecoveryConfig;
  readonly stack?: string;
  readonly root?: string;
  /** Where things are: the stack outputs (docs/verify.md has the contract). */
  readonly outputs: StackOutputs;
  /** The source's expected state; required for database checks and promoted buckets. */
  readonly baseline?: Baseline;
  /** Groups to check. Defaults to all. */
  readonly only?: readonly CheckGroup[];
  /** Kubernetes Secrets. Defaults to kubectl. */
  readonly secretSource?: SecretSource;
  /** Checks in flight at once. Defaults to 128 (databases are bounded by 4 connections each). */
  readonly concurrency?: number;
  /** Per check. Defaults to 30 000 ms. */
  readonly checkTimeoutMs?: number;
  /** Per health or smoke request. Defaults to 5 000 ms. */
  readonly httpTimeoutMs?: number;
  /** Objects compared by checksum per rebuilt bucket. Defaults to 16. */
  readonly sampleSize?: number;
  /** Share of a table's rows it may lack beyond the rows written within the RPO. Defaults to 0.005. */
  readonly rowTolerance?: number;
  /** Ask the RDS API whether restored databases are private and configured like production. Defaults to `true`. */
  readonly rdsApi?: boolean;
  /** Called as each check finishes (progress). */
  readonly onResult?: (result: CheckResult, done: number, total: number) => void;
  /** Collects values that must never be printed; one is made when absent. */
  readonly redactor?: Redactor;
}

/**
 * Checks a restored environment against its stack config, outputs and baseline. Never throws
 * for a failed check (that is a result); throws UsageError for bad input.
 */
export async function runVerification(options: VerificationOptions): Promise<VerificationResult> {
  const config = options.config ?? (options.stack ? loadStack(options.stack, { root: options.root }) : undefined);
  if (!config) throw new UsageError("runVerification needs `config` or `stack`");
  const only = new Set<CheckGroup>(options.only ?? CHECK_GROUPS);
  const redactor = options.redactor ?? new Redactor();
  const httpTimeoutMs = options.httpTimeoutMs ?? 5_000;
  const checkTimeoutMs = options.checkTimeoutMs ?? 30_000;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const context: ChecklistContext = { config, outputs: options.outputs, options, redactor, checkTimeoutMs, httpTimeoutMs, pools: [], clients: [] };

  try {
    // In CHECK_GROUPS' order, so that a step's checks keep it (the sort below is stable).
    const planned = CHECK_GROUPS.filter((g) => only.has(g)).flatMap((g) => GROUP_CHECKS[g](context));

    const checks = await runChecks(inPlanOrder(planned, config), {
      concurrency: options.concurrency ?? 128,
      timeoutMs: checkTimeoutMs,
      redactor,
      onResult: options.onResult,
    });
    return {
      passed: checks.length > 0 && checks.every((c) => c.result === "pass"),
      stack: config.stack,
      startedAt,
      ms: Math.round(performance.now() - started),
      checks,
    };
  } finally {
    // A query still running past its check's timeout must not hold the verdict back.
    const grace = () => new Promise((r) => setTimeout(r, 2_000).unref());
    await Promise.all(context.pools.map((p) => Promise.race([p.end().catch(() => undefined), grace()])));
    for (const c of context.clients) c.destroy();
  }
}

/**
 * Plan order: the checks are started in it (the queue is first come, first served) and reported
 * in it; a missing output first, since nothing after it means much.
 */
function inPlanOrder(planned: readonly Planned[], config: RecoveryConfig): Check[] {
  const order = new Map(buildPlan(config).steps.map((s, i) => [s.id, i]));
  const rank = (p: Planned) => (p.check.group === "outputs" ? -1 : order.get(p.step) ?? order.size);
  return planned.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(({ p }) => p.check);
}
