import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Pool } from "pg";
import { buildPlan } from "../plan";
import { loadStack } from "../stacks";
import type { RecoveryConfig } from "../stacks/types";
import type { Baseline } from "./baseline";
import { bucketChecks } from "./checks/buckets";
import { cacheChecks } from "./checks/cache";
import { databaseChecks } from "./checks/database";
import { databaseConfigCheck } from "./checks/database-config";
import { memoizeSource, secretCheck } from "./checks/secrets";
import { healthCheck, smokeCheck } from "./checks/services";
import { readOnlyPool } from "./db";
import { UsageError } from "../scripts/lib/errors";
import type { StackOutputs } from "./outputs";
import { Redactor } from "./redact";
import { runChecks } from "./runner";
import { KubectlSecretSource, type SecretSource } from "./secret-source";
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

interface Planned {
  readonly check: Check;
  /** The plan step the check belongs to: results are reported in plan order. */
  readonly step: string;
}

const missingOutput = (kind: string, name?: string): Check => ({
  name: "outputs",
  target: name === undefined ? kind : `${kind}.${name}`,
  group: "outputs",
  run: async () => ({ ok: false, detail: `the stack outputs have no ${name === undefined ? kind : `${kind}.${name}`}; did \`pulumi up\` finish? (contract: docs/verify.md)` }),
});

/**
 * Checks a restored environment against its stack config, outputs and baseline. Never throws
 * for a failed check (that is a result); throws UsageError for bad input.
 */
export async function runVerification(options: VerificationOptions): Promise<VerificationResult> {
  const config = options.config ?? (options.stack ? loadStack(options.stack, { root: options.root }) : undefined);
  if (!config) throw new UsageError("runVerification needs `config` or `stack`");
  const only = new Set<CheckGroup>(options.only ?? CHECK_GROUPS);
  const { outputs, baseline } = options;
  const redactor = options.redactor ?? new Redactor();
  const httpTimeoutMs = options.httpTimeoutMs ?? 5_000;
  const checkTimeoutMs = options.checkTimeoutMs ?? 30_000;
  const planned: Planned[] = [];
  const pools: Pool[] = [];
  const clients: { destroy(): void }[] = [];
  const started = performance.now();
  const startedAt = new Date().toISOString();

  // The contract carries the restore point per database, when Pulumi knows it; else the stack's PITR target.
  const restorePointOf = (own?: string): number | undefined => {
    const iso = own ?? (config.restorePoint !== "latest" ? config.restorePoint : undefined);
    return iso === undefined ? undefined : Date.parse(iso);
  };

  try {
    if (only.has("db")) {
      if (!baseline) throw new UsageError("database checks need a baseline: pass --baseline FILE, or capture one with --capture-baseline (or leave db out of --only)");
      const rds = options.rdsApi === false ? undefined : new RDSClient({ region: config.region });
      if (rds) clients.push(rds);
      for (const d of config.databases) {
        const step = `database:${d.name}`;
        const out = outputs.databases[d.name];
        if (!out) {
          planned.push({ step, check: missingOutput("databases", d.name) });
          continue;
        }
        const base = baseline.databases[d.name];
        if (!base) {
          planned.push({
            step,
            check: { name: "baseline", target: d.name, group: "db", run: async () => ({ ok: false, detail: `the baseline has no database ${d.name}; capture it again with --capture-baseline` }) },
          });
          continue;
        }
        redactor.addUrl(out.connectionString);
        const pool = readOnlyPool(out.connectionString, checkTimeoutMs);
        pools.push(pool);
        const checks = databaseChecks({
          name: d.name,
          identifier: out.identifier,
          pool,
          baseline: base,
          rpoMinutes: config.objectives.rpoMinutes,
          restorePoint: restorePointOf(out.restorePoint),
          rowTolerance: options.rowTolerance ?? 0.005,
          rds,
        });
        for (const check of checks) planned.push({ step, check });
        // Configured like production (issue 19): the parameter group and the rest, by the RDS API.
        if (rds) planned.push({ step, check: databaseConfigCheck({ name: d.name, identifier: out.identifier, stack: config.stack, expected: d.configuration, rds }) });
      }
    }

    if (only.has("caches")) {
      const s3 = new S3Client({ region: config.region });
      clients.push(s3);
      for (const c of config.caches) {
        const step = `cache:${c.name}`;
        const out = outputs.caches[c.name];
        if (out === undefined) {
          planned.push({ step, check: missingOutput("caches", c.name) });
          continue;
        }
        redactor.addUrl(out.url);
        const checks = cacheChecks({ name: c.name, output: out, s3, rpoMinutes: config.objectives.rpoMinutes, tolerance: options.rowTolerance ?? 0.005 });
        for (const check of checks) planned.push({ step, check });
      }
    }

    if (only.has("buckets")) {
      const s3 = new S3Client({ region: config.region });
      clients.push(s3);
      for (const b of config.buckets) {
        const step = `bucket:${b.name}`;
        const out = outputs.buckets[b.name];
        if (!out) {
          planned.push({ step, check: missingOutput("buckets", b.name) });
          continue;
        }
        const replicaS3 = new S3Client({ region: b.source.replica.region });
        clients.push(replicaS3);
        const checks = bucketChecks({
          name: b.name,
          bucket: out.bucket,
          mode: out.mode,
          replica: out.replica,
          syncedAt: out.syncedAt === undefined ? undefined : Date.parse(out.syncedAt),
          baseline: baseline?.buckets[b.name],
          s3,
          replicaS3,
          sampleSize: options.sampleSize ?? 16,
          tolerance: options.rowTolerance ?? 0.005,
          settings: { policy: b.policy, cors: b.cors, lifecycle: b.lifecycle, logging: b.logging, ownership: b.ownership },
        });
        for (const check of checks) planned.push({ step, check });
      }
    }

    if (only.has("secrets")) {
      const secretsManager = new SecretsManagerClient({ region: config.region });
      clients.push(secretsManager);
      const kube = memoizeSource(options.secretSource ?? new KubectlSecretSource(Math.min(checkTimeoutMs, 15_000)));
      for (const s of config.secrets) {
        const step = `secret:${s.name}`;
        const out = outputs.secrets[s.name];
        if (!out) {
          planned.push({ step, check: missingOutput("secrets", s.name) });
          continue;
        }
        planned.push({
          step,
          check: secretCheck({
            name: s.name,
            namespace: outputs.namespace,
            kubernetesSecret: out.kubernetesSecret,
            key: out.key,
            secretId: out.secretId,
            version: { VersionId: out.versionId },
            kube,
            secretsManager,
          }),
        });
      }
    }

    if (only.has("services")) {
      for (const svc of config.services) {
        const step = `service:${svc.name}`;
        const out = outputs.services[svc.name];
        planned.push({
          step,
          check: out ? healthCheck({ name: svc.name, url: out.url, healthPath: svc.healthPath, timeoutMs: httpTimeoutMs }) : missingOutput("services", svc.name),
        });
      }
    }

    if (only.has("smoke")) {
      const gateway = config.services.find((s) => s.gateway);
      const step = `smoke:${gateway?.name ?? "gateway"}`;
      const gatewayUrl = outputs.gatewayUrl;
      if (gatewayUrl === undefined) {
        if (config.smoke.length > 0) planned.push({ step, check: missingOutput("gatewayUrl") });
      } else for (const test of config.smoke) planned.push({ step, check: smokeCheck({ test, gatewayUrl, timeoutMs: httpTimeoutMs }) });
    }

    // Plan order: started in it (the queue is first come, first served) and reported in it.
    const order = new Map(buildPlan(config).steps.map((s, i) => [s.id, i]));
    const rank = (p: Planned) => (p.check.group === "outputs" ? -1 : order.get(p.step) ?? order.size);
    const sorted = planned.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(({ p }) => p.check);

    const checks = await runChecks(sorted, {
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
    await Promise.all(pools.map((p) => Promise.race([p.end().catch(() => undefined), grace()])));
    for (const c of clients) c.destroy();
  }
}
