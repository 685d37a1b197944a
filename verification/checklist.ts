import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Pool } from "pg";
import type { RecoveryConfig } from "../stacks/types";
import { UsageError } from "../scripts/lib/errors";
import { bucketChecks } from "./checks/buckets";
import { cacheChecks } from "./checks/cache";
import { databaseChecks } from "./checks/database";
import { databaseConfigCheck } from "./checks/database-config";
import { memoizeSource, secretCheck } from "./checks/secrets";
import { healthCheck, smokeCheck } from "./checks/services";
import { readOnlyPool } from "./db";
import type { VerificationOptions } from "./index";
import type { StackOutputs } from "./outputs";
import type { Redactor } from "./redact";
import { KubectlSecretSource } from "./secret-source";
import type { Check, CheckGroup } from "./types";

/**
 * Which checks a restored environment gets, group by group (`--only`), from its config, stack
 * outputs and baseline; each check tagged with the plan step it belongs to. Nothing runs here.
 */

export interface Planned {
  readonly check: Check;
  /** The plan step the check belongs to: results are reported in plan order. */
  readonly step: string;
}

/** What the groups read, and where they leave what must be closed once the checks ran. */
export interface ChecklistContext {
  readonly config: RecoveryConfig;
  readonly outputs: StackOutputs;
  readonly options: VerificationOptions;
  readonly redactor: Redactor;
  readonly checkTimeoutMs: number;
  readonly httpTimeoutMs: number;
  /** Database pools, ended after the run. */
  readonly pools: Pool[];
  /** SDK clients, destroyed after the run. */
  readonly clients: { destroy(): void }[];
}

const missingOutput = (kind: string, name?: string): Check => ({
  name: "outputs",
  target: name === undefined ? kind : `${kind}.${name}`,
  group: "outputs",
  run: async () => ({ ok: false, detail: `the stack outputs have no ${name === undefined ? kind : `${kind}.${name}`}; did \`pulumi up\` finish? (contract: docs/verify.md)` }),
});

function client<T extends { destroy(): void }>(context: ChecklistContext, made: T): T {
  context.clients.push(made);
  return made;
}

const rowTolerance = (options: VerificationOptions): number => options.rowTolerance ?? 0.005;

function databases(context: ChecklistContext): Planned[] {
  const { config, outputs, options, redactor } = context;
  const baseline = options.baseline;
  if (!baseline) throw new UsageError("database checks need a baseline: pass --baseline FILE, or capture one with --capture-baseline (or leave db out of --only)");
  const rds = options.rdsApi === false ? undefined : client(context, new RDSClient({ region: config.region }));
  // The contract carries the restore point per database, when Pulumi knows it; else the stack's PITR target.
  const restorePointOf = (own?: string): number | undefined => {
    const iso = own ?? (config.restorePoint !== "latest" ? config.restorePoint : undefined);
    return iso === undefined ? undefined : Date.parse(iso);
  };
  const planned: Planned[] = [];
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
    const pool = readOnlyPool(out.connectionString, context.checkTimeoutMs);
    context.pools.push(pool);
    const checks = databaseChecks({
      name: d.name,
      identifier: out.identifier,
      pool,
      baseline: base,
      rpoMinutes: config.objectives.rpoMinutes,
      restorePoint: restorePointOf(out.restorePoint),
      rowTolerance: rowTolerance(options),
      rds,
    });
    for (const check of checks) planned.push({ step, check });
    // Configured like production (issue 19): the parameter group and the rest, by the RDS API.
    if (rds) planned.push({ step, check: databaseConfigCheck({ name: d.name, identifier: out.identifier, stack: config.stack, expected: d.configuration, rds }) });
  }
  return planned;
}

function caches(context: ChecklistContext): Planned[] {
  const { config, outputs, options, redactor } = context;
  const s3 = client(context, new S3Client({ region: config.region }));
  const planned: Planned[] = [];
  for (const c of config.caches) {
    const step = `cache:${c.name}`;
    const out = outputs.caches[c.name];
    if (out === undefined) {
      planned.push({ step, check: missingOutput("caches", c.name) });
      continue;
    }
    redactor.addUrl(out.url);
    const checks = cacheChecks({ name: c.name, output: out, s3, rpoMinutes: config.objectives.rpoMinutes, tolerance: rowTolerance(options) });
    for (const check of checks) planned.push({ step, check });
  }
  return planned;
}

function buckets(context: ChecklistContext): Planned[] {
  const { config, outputs, options } = context;
  const s3 = client(context, new S3Client({ region: config.region }));
  const planned: Planned[] = [];
  for (const b of config.buckets) {
    const step = `bucket:${b.name}`;
    const out = outputs.buckets[b.name];
    if (!out) {
      planned.push({ step, check: missingOutput("buckets", b.name) });
      continue;
    }
    const replicaS3 = client(context, new S3Client({ region: b.source.replica.region }));
    const checks = bucketChecks({
      name: b.name,
      bucket: out.bucket,
      mode: out.mode,
      replica: out.replica,
      syncedAt: out.syncedAt === undefined ? undefined : Date.parse(out.syncedAt),
      baseline: options.baseline?.buckets[b.name],
      s3,
      replicaS3,
      sampleSize: options.sampleSize ?? 16,
      tolerance: rowTolerance(options),
      settings: { policy: b.policy, cors: b.cors, lifecycle: b.lifecycle, logging: b.logging, ownership: b.ownership },
    });
    for (const check of checks) planned.push({ step, check });
  }
  return planned;
}

function secrets(context: ChecklistContext): Planned[] {
  const { config, outputs, options } = context;
  const secretsManager = client(context, new SecretsManagerClient({ region: config.region }));
  const kube = memoizeSource(options.secretSource ?? new KubectlSecretSource(Math.min(context.checkTimeoutMs, 15_000)));
  return config.secrets.map((s): Planned => {
    const step = `secret:${s.name}`;
    const out = outputs.secrets[s.name];
    if (!out) return { step, check: missingOutput("secrets", s.name) };
    return {
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
    };
  });
}

function services({ config, outputs, httpTimeoutMs }: ChecklistContext): Planned[] {
  return config.services.map((svc): Planned => {
    const out = outputs.services[svc.name];
    return {
      step: `service:${svc.name}`,
      check: out ? healthCheck({ name: svc.name, url: out.url, healthPath: svc.healthPath, timeoutMs: httpTimeoutMs }) : missingOutput("services", svc.name),
    };
  });
}

function smoke({ config, outputs, httpTimeoutMs }: ChecklistContext): Planned[] {
  const gateway = config.services.find((s) => s.gateway);
  const step = `smoke:${gateway?.name ?? "gateway"}`;
  const gatewayUrl = outputs.gatewayUrl;
  if (gatewayUrl === undefined) return config.smoke.length > 0 ? [{ step, check: missingOutput("gatewayUrl") }] : [];
  return config.smoke.map((test): Planned => ({ step, check: smokeCheck({ test, gatewayUrl, timeoutMs: httpTimeoutMs }) }));
}

/** One planner per `--only` group; a group without one does not compile. */
export const GROUP_CHECKS: Readonly<Record<CheckGroup, (context: ChecklistContext) => Planned[]>> = {
  db: databases,
  caches,
  buckets,
  secrets,
  services,
  smoke,
};
