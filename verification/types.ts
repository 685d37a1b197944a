/** The groups `--only` selects; one per section of the post-restore checklist (seeds 001, 003, 004). */
export const CHECK_GROUPS = ["db", "caches", "buckets", "secrets", "services", "smoke"] as const;
export type CheckGroup = (typeof CHECK_GROUPS)[number];

export type CheckOutcome = "pass" | "fail";

/** What one check says: never a secret, never a row of data. */
export interface CheckVerdict {
  readonly ok: boolean;
  readonly detail: string;
}

/** One independent check, run by the runner under a timeout. */
export interface Check {
  /** Stable name, e.g. `database.tables`, `service.health`; tests and dashboards key on it. */
  readonly name: string;
  /** What it checks: a database, bucket, secret, service or smoke test name. */
  readonly target: string;
  readonly group: CheckGroup | "outputs";
  /** Overrides the run's per-check timeout (service checks use the HTTP timeout). */
  readonly timeoutMs?: number;
  run(signal: AbortSignal): Promise<CheckVerdict>;
}

export interface CheckResult {
  readonly name: string;
  readonly target: string;
  readonly result: CheckOutcome;
  readonly ms: number;
  readonly detail: string;
}

export interface VerificationResult {
  readonly passed: boolean;
  readonly stack: string;
  readonly startedAt: string;
  /** Wall time of the whole run. */
  readonly ms: number;
  /** In plan order: databases, buckets, secrets, services (gateway last), smoke tests. */
  readonly checks: readonly CheckResult[];
}
