import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import type { RecoveryPlan } from "../plan";
import type { ReadinessReport } from "../readiness/types";
import { RefusedError, UsageError } from "../scripts/lib/errors";
import { ConfigError, loadStack, STACK_IS_INVENTORY, type DatabaseRestore, type RecoveryConfig } from "../stacks";
import { locateDump } from "../workers/dump-locator";
import type { DrillEngine } from "./engine";

export interface PreflightCheck {
  readonly name: string;
  readonly result: "pass" | "warn" | "fail";
  readonly detail: string;
}

/** The problem code of a stack a drill may not run (bad usage, exit 2, refused before anything is created). */
export const NOT_A_DRILL_STACK = "not-a-drill-stack";

/**
 * Loads the stack and refuses anything but a drill stack. A recovery stack restores for real and
 * keeps what it creates (deletion protection); prod is the inventory itself.
 */
export function loadDrillStack(stack: string, options: { root?: string; now?: Date }): RecoveryConfig {
  let config: RecoveryConfig;
  try {
    config = loadStack(stack, options);
  } catch (error) {
    if (error instanceof ConfigError && error.problems.some((p) => p.code === STACK_IS_INVENTORY))
      throw new UsageError(`--stack ${stack}: refused, it is production's inventory; a drill runs only on a drill stack (recovery:mode: drill), e.g. --stack drill`, {
        code: NOT_A_DRILL_STACK,
      });
    throw error;
  }
  if (config.mode !== "drill")
    throw new UsageError(
      `--stack ${stack}: refused, it is a ${config.mode} stack (recovery:mode: ${config.mode}) that restores for real and keeps what it creates; a drill runs only on a drill stack, e.g. --stack drill`,
      { code: NOT_A_DRILL_STACK },
    );
  return config;
}

/** Invariant 5: a drill never writes to a name production owns. */
export function isolationCheck(config: RecoveryConfig): PreflightCheck {
  const source = new Set(config.sourceNames);
  const shared = config.targetNames.filter((n) => source.has(n));
  return shared.length === 0
    ? { name: "isolation", result: "pass", detail: `${config.targetNames.length} names created, none of them production's` }
    : { name: "isolation", result: "fail", detail: `these names are production's: ${shared.join(", ")}; give the drill its own suffix/namespace` };
}

export function planCheck(plan: RecoveryPlan): PreflightCheck {
  const within = plan.estimatedRtoMinutes <= plan.objective.rtoMinutes;
  return {
    name: "plan",
    result: within ? "pass" : "warn",
    detail: `${plan.steps.length} steps, estimated RTO ${plan.estimatedRtoMinutes} min against an objective of ${plan.objective.rtoMinutes} min${within ? "" : " (the estimate already exceeds the objective)"}`,
  };
}

/** The newest backup a database can be restored from. */
export interface NewestBackup {
  /** What was found: `latest restorable time`, `snapshot <id>`, `dump s3://…`. */
  readonly what: string;
  /** Undefined when there is none. */
  readonly at?: Date;
}

export interface BackupReader {
  newest(database: DatabaseRestore): Promise<NewestBackup>;
}

const AWS_TIMEOUT_MS = 15_000;
const timeout = () => ({ abortSignal: AbortSignal.timeout(AWS_TIMEOUT_MS) });

/**
 * Reads the source backups with the AWS SDK (which honours AWS_ENDPOINT_URL, so tests point it at
 * moto): the latest restorable time (point-in-time), the newest snapshot, the newest dump.
 * Backups are only read, never written (invariant 1).
 */
export function awsBackupReader(region?: string): BackupReader {
  const rds = new RDSClient({ region });
  const s3 = new S3Client({ region });
  return {
    async newest(db) {
      const id = db.source.identifier;
      if (db.method === "point-in-time") {
        const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), timeout());
        return { what: `latest restorable time of ${id}`, at: DBInstances?.[0]?.LatestRestorableTime };
      }
      if (db.method === "snapshot") {
        const input = db.snapshot === "latest" ? { DBInstanceIdentifier: id } : { DBSnapshotIdentifier: db.snapshot };
        const { DBSnapshots = [] } = await rds.send(new DescribeDBSnapshotsCommand(input), timeout());
        const newest = DBSnapshots.filter((s) => s.Status === "available" && s.SnapshotCreateTime)
          .sort((a, b) => b.SnapshotCreateTime!.getTime() - a.SnapshotCreateTime!.getTime())[0];
        return { what: newest ? `snapshot ${newest.DBSnapshotIdentifier}` : `an available snapshot of ${id}`, at: newest?.SnapshotCreateTime };
      }
      // The restore worker's own lookup: the newest dump by its manifest, dated by the snapshot
      // the dump was taken in (the data's age), and only dumps whose manifest says they are whole.
      const { bucket, prefix } = db.source.dumps;
      try {
        const { manifest } = await locateDump(s3, { bucket, key: prefix }, true);
        return { what: `dump s3://${bucket}/${manifest.dump.key}`, at: new Date(manifest.source.serverTime) };
      } catch (error) {
        if (error instanceof RefusedError) return { what: `a dump under s3://${bucket}/${prefix}`, at: undefined };
        throw error;
      }
    },
  };
}

/** What a real drill needs on the machine before it starts, each checked whatever the others say. */
export interface PrerequisiteChecks {
  /** The engine's own needs (the Pulumi CLI, its login). */
  readonly engine?: Pick<DrillEngine, "prerequisites">;
  /** Resolves AWS credentials the way the SDK will (its default chain); rejects when there are none. */
  readonly awsCredentials?: () => Promise<unknown>;
  /** Where the report goes: it must be writable before an hour of drill runs. */
  readonly reportsDir?: string;
  /** The source baseline verify compares with, and the stack it was captured for. */
  readonly baseline?: { readonly path: string; readonly stack: string };
}

/**
 * Every missing prerequisite at once, as the config loader reports every mistake: a missing
 * baseline must not hide a missing Pulumi CLI, or the operator fixes one, waits, and meets the next.
 * Tools first, then credentials, then files. Empty when the drill can start.
 */
export async function missingPrerequisites(checks: PrerequisiteChecks): Promise<string[]> {
  const [engine, aws] = await Promise.all([
    checks.engine ? checks.engine.prerequisites() : [],
    checks.awsCredentials
      ? withTimeout(checks.awsCredentials(), AWS_TIMEOUT_MS).then(
          () => [],
          (error: unknown) => [explainAwsError(error).replace(/read the backups$/, "read the backups and create the drill stack")],
        )
      : [],
  ]);
  const problems = [...engine, ...aws];
  if (checks.reportsDir !== undefined) {
    const problem = unwritable(checks.reportsDir);
    if (problem) problems.push(problem);
  }
  if (checks.baseline && !existsSync(checks.baseline.path))
    problems.push(
      `--baseline ${checks.baseline.path}: not found; capture the source's state first: npm run verify -- --stack ${checks.baseline.stack} --capture-baseline`,
    );
  return problems;
}

/** The SDK's own credential chain, as every AWS call of the drill resolves it. */
export const sdkCredentials = (): Promise<unknown> => new RDSClient({}).config.credentials();

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { name: "TimeoutError" })), ms);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** An hour of drill whose report cannot be written is lost: the folder is checked before anything runs. */
function unwritable(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.write-check-${process.pid}`);
    writeFileSync(probe, "");
    rmSync(probe);
    return undefined;
  } catch (error) {
    return `--reports-dir ${dir}: cannot write there (${(error as NodeJS.ErrnoException).code ?? String(error)}); give a writable folder`;
  }
}

function explainAwsError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  if (e.name === "CredentialsProviderError" || /credential/i.test(e.message ?? ""))
    return "no AWS credentials: export AWS_PROFILE (or run in CI with OIDC) for an account that can read the backups";
  if (e.name === "TimeoutError" || e.name === "AbortError") return `AWS did not answer within ${AWS_TIMEOUT_MS / 1000} s`;
  return `${e.name ?? "error"}: ${(e.message ?? String(error)).split("\n")[0]}`;
}

/**
 * Every source backup exists and is fresh: its newest restore point is within the RPO. A stale
 * backup means the RPO is already lost before any disaster; `allowStale` turns that into a warning
 * (recorded in the report) for drills that must go ahead anyway.
 */
export async function backupChecks(config: RecoveryConfig, reader: BackupReader, now: Date, allowStale = false): Promise<PreflightCheck[]> {
  const rpo = config.objectives.rpoMinutes;
  return Promise.all(
    config.databases.map(async (db): Promise<PreflightCheck> => {
      const name = `backup:${db.name}`;
      let found: NewestBackup;
      try {
        found = await reader.newest(db);
      } catch (error) {
        return { name, result: "fail", detail: `could not read the ${db.method} backups of ${db.source.identifier} (${explainAwsError(error)})` };
      }
      if (!found.at) return { name, result: "fail", detail: `no ${found.what} found; the ${db.method} restore has nothing to restore from` };
      const age = Math.round((now.getTime() - found.at.getTime()) / 60_000);
      const detail = `${found.what}: ${found.at.toISOString()}, ${age} min old (RPO ${rpo} min)`;
      if (age <= rpo) return { name, result: "pass", detail };
      return { name, result: allowStale ? "warn" : "fail", detail: `${detail}: older than the RPO${allowStale ? " (allowed by --allow-stale-backups)" : "; fix the backups, or pass --allow-stale-backups to drill anyway"}` };
    }),
  );
}

/**
 * What the drill assumed about production (issue 14): `npm run readiness` against the stack, run
 * in preflight. `ready`/`not-ready`: it ran, and `report` is what it found (each item's restore
 * source and restore point: what this drill restores from). `skipped`: a rehearsal that reads no
 * cloud. `error`: it could not run at all (it threw), which is not "ready". Checks that could not
 * answer (no credentials, a timeout) are its own `not checked` items: a `not-ready` report.
 */
export interface DrillReadiness {
  readonly status: "ready" | "not-ready" | "skipped" | "error";
  readonly detail: string;
  readonly report?: ReadinessReport;
}

/** Runs readiness for the drill's stack: the shape of `readinessPreflight` (readiness/preflight.ts). */
export type ReadinessRunner = (config: RecoveryConfig) => Promise<{ result: "pass" | "warn"; detail: string; report: ReadinessReport }>;

/**
 * Readiness never blocks a drill: a drill is how a team finds out what a failing item means, and
 * the report records what it assumed. Not ready, or not runnable, is a warning in preflight.
 */
export async function readinessCheck(
  config: RecoveryConfig,
  runner: ReadinessRunner | undefined,
): Promise<{ check: PreflightCheck; readiness: DrillReadiness }> {
  if (runner === undefined) {
    const detail = "not run (rehearsal); a real drill runs npm run readiness against the account first";
    return { check: { name: "readiness", result: "warn", detail }, readiness: { status: "skipped", detail } };
  }
  try {
    const { result, detail, report } = await runner(config);
    return {
      check: { name: "readiness", result, detail: report.ready ? detail : `NOT READY: ${detail} (recorded; the drill goes on)` },
      readiness: { status: report.ready ? "ready" : "not-ready", detail, report },
    };
  } catch (error) {
    const detail = `could not run (${explainAwsError(error)}); what the drill assumed about production is unknown`;
    return { check: { name: "readiness", result: "warn", detail }, readiness: { status: "error", detail } };
  }
}
