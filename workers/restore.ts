import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { analyzeTables } from "./analyze";
import { readArchiveToc } from "./archive-toc";
import { locateDump } from "./dump-locator";
import { removeStaleStaging, stageDump, stagedSize } from "./dump-staging";
import { RefusedError, UsageError } from "./errors";
import { InterruptedError, interruptedBy, whileInterruptible } from "./interrupt";
import { maskUrl } from "./mask-url";
import { PgRestoreError, runPgRestore } from "./pg-restore";
import { connect } from "./postgres-connection";
import { RowCountCheck, tableDataIds } from "./row-count-check";
import { createProgress, silentProgress } from "./progress";
import { describeLeftDatabase, dropCreatedDatabase } from "./restore-leftovers";
import type { RestoreOptions, RestoreRecord } from "./restore-record";
import { planRestore, type RestorePlan } from "./restore-plan";
import { describeEntry } from "./restore-selection";
import { createTargetDatabase, inspectTarget, refuseIfNotEmpty, refuseIfSource } from "./restore-target";
import { formatS3 } from "./s3-location";
import { formatTable, parseTableList, resolveTables, type TableName } from "./table-names";

export { isRunning } from "./dump-staging";

export type { RestoreOptions, RestoreRecord } from "./restore-record";
export type { RowCheck } from "./row-count-check";

/** Resolves `--tables` against the manifest before anything is downloaded. */
function requestedTables(options: RestoreOptions, inDump: readonly TableName[], record: RestoreRecord): TableName[] | undefined {
  if (options.tables.length === 0) return undefined;
  const requested = options.tables.flatMap(parseTableList);
  const { tables, unknown, ambiguous } = resolveTables(requested, inDump);
  if (ambiguous.length > 0) {
    const [a] = ambiguous;
    throw new UsageError("--tables", `"${a.given}" is in several schemas (${a.candidates.join(", ")}); name the one you mean, e.g. --tables ${a.candidates[0]}`);
  }
  if (unknown.length > 0) {
    throw new RefusedError(`--tables: ${unknown.join(", ")} not in this dump (it has ${inDump.slice(0, 10).map(formatTable).join(", ")}); check the names`, record);
  }
  return tables;
}

/**
 * Seed 003 §C and seed 000 §3-4 as one command: find the dump, verify it while downloading,
 * refuse anything unsafe or bound to fail before touching the target, restore in parallel,
 * analyse, then check row counts.
 */
export async function restore(s3: S3Client, options: RestoreOptions): Promise<RestoreRecord> {
  const t0 = Date.now();
  const durationsMs: Record<string, number> = {};
  const lap = (phase: string, since: number): number => (durationsMs[phase] = Date.now() - since);

  const { manifest, manifestKey } = await locateDump(s3, options.from, options.latest).catch((error: unknown) => {
    if (error instanceof RefusedError || error instanceof UsageError) throw error;
    // An unreachable S3 or missing credentials: name the argument and what to check, not a bare socket error.
    throw new Error(`--from ${formatS3(options.from)}: ${(error as Error).message}; check the AWS credentials, region and endpoint, and that the bucket exists`);
  });
  lap("locate", t0);
  const record: RestoreRecord = {
    ok: false,
    dryRun: options.dryRun,
    dump: formatS3({ bucket: manifest.dump.bucket, key: manifest.dump.key }),
    manifest: formatS3({ bucket: options.from.bucket, key: manifestKey }),
    sha256: manifest.dump.sha256,
    format: manifest.dump.format,
    compression: manifest.dump.compression,
    dumpTakenAt: manifest.source.serverTime,
    source: `${manifest.source.host}:${manifest.source.port}/${manifest.source.database}`,
    target: maskUrl(options.to.toString()),
    targetCreated: false,
    forced: options.force,
    jobs: options.jobs,
    tables: options.tables,
    restoredTables: [],
    brought: [],
    alreadyInTarget: [],
    sizes: { downloadedBytes: 0, stagedBytes: 0 },
    durationsMs,
    rowCounts: [],
    skippedForeignKeys: [],
    addedForeignKeys: [],
    notRestored: [],
    privileges: { restored: !options.noAcl, referencedRoles: [], missingRoles: [], skipped: [], ownersMissing: [] },
    largeObjects: { inDump: 0, restored: options.tables.length === 0 },
    analyze: { skipped: options.noAnalyze === true, tables: 0, failed: [] },
    problems: [],
  };
  const tables = requestedTables(options, manifest.tables, record);

  const tCheck = Date.now();
  const state = await inspectTarget(options.to);
  refuseIfSource(options.to, state, manifest);
  refuseIfNotEmpty(options.to, state, options.force);
  lap("checkTarget", tCheck);

  const workDir = options.workDir ?? tmpdir();
  removeStaleStaging(workDir);
  const dir = mkdtempSync(join(workDir, `recovery-restore-${process.pid}-`));
  // Until the first write, a signal has nothing to clean up but the staged dump.
  let writing = false;
  const unregister = whileInterruptible((signal) => {
    if (writing) return;
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`interrupted: ${signal} before anything was written; ${record.target} is untouched\n`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
  let rowCheck: RowCountCheck | undefined;
  const rerun = { dump: record.dump, target: options.to, jobs: options.jobs, tables: options.tables, role: options.role, noAcl: options.noAcl, noAnalyze: options.noAnalyze };
  try {
    const tDownload = Date.now();
    const progress = options.showProgress ? createProgress("download", "bytes", manifest.dump.sizeBytes) : silentProgress;
    const staged = await stageDump(s3, manifest, dir, progress);
    lap("download", tDownload);
    record.sizes = { downloadedBytes: staged.downloadedBytes, stagedBytes: stagedSize(staged.archive) };
    record.sha256 = staged.sha256;
    if (staged.sha256 !== manifest.dump.sha256) {
      record.problems.push(`sha256 mismatch: downloaded ${staged.sha256}, manifest ${manifest.dump.sha256}`);
      throw new RefusedError(
        `--from: ${record.dump} fails its checksum (sha256 ${staged.sha256}, manifest says ${manifest.dump.sha256}); ` +
          "the dump is corrupt, nothing was restored; use another backup",
        record,
      );
    }
    // A readable table of contents proves pg_restore can parse the archive before any write.
    const tPlan = Date.now();
    const toc = await readArchiveToc(staged.archive);
    const plan = await planRestore(toc.entries, tables, { target: options.to, targetExists: state.exists, force: options.force, noAcl: options.noAcl === true, role: options.role }, manifest, record);
    lap("plan", tPlan);
    record.restoredTables = plan.selection?.tables.map(formatTable) ?? [];
    record.brought = plan.selection?.dependencies.map((e) => `${e.desc} ${e.namespace === "-" ? "" : `${e.namespace}.`}${e.tag}`) ?? [];
    record.alreadyInTarget = plan.alreadyInTarget;
    record.skippedForeignKeys = plan.skippedForeignKeys;
    record.notRestored = [...plan.notRestored];
    record.largeObjects.inDump = plan.largeObjects;
    if (plan.privileges) {
      const p = plan.privileges;
      record.privileges = { restored: true, referencedRoles: p.referencedRoles, missingRoles: p.missingRoles, skipped: p.skipped, ownersMissing: p.ownersMissing };
    }
    let listFile: string | undefined;
    if (plan.list) {
      listFile = join(dir, "selection.list");
      writeFileSync(listFile, `${plan.list.map((e) => e.line).join("\n")}\n`);
    }

    if (options.dryRun) {
      record.ok = record.notRestored.length === 0;
      durationsMs.total = Date.now() - t0;
      return record;
    }

    writing = true;
    const tRestore = Date.now();
    try {
      if (!state.exists) {
        await createTargetDatabase(options.to);
        record.targetCreated = true;
      }
      stopIfInterrupted();
      const restoreProgress = options.showProgress ? createProgress("pg_restore", "items", plan.total) : silentProgress;
      const restored = new Set((plan.selection?.tables ?? manifest.tables).map(formatTable));
      const wanted = manifest.tables.filter((t) => restored.has(formatTable(t)));
      rowCheck = new RowCountCheck(options.to, wanted, options.jobs);
      const dataItems = tableDataIds(toc.list, wanted);
      const counting = rowCheck;
      await runPgRestore(
        { archive: staged.archive, target: options.to, jobs: options.jobs, listFile, clean: options.force, role: options.role, noAcl: options.noAcl },
        plan.total,
        restoreProgress,
        (dumpId) => {
          const table = dataItems.get(dumpId);
          if (table) void counting.loaded(table);
        },
        (dumpId) => {
          const entry = toc.entries.find((e) => e.id === dumpId);
          return entry && describeEntry(entry);
        },
      );
      restoreProgress.stop();
      lap("restore", tRestore);
      stopIfInterrupted();

      await applyAfterLoad(options.to, plan, record);
      stopIfInterrupted();
      if (!options.noAnalyze) {
        const tAnalyze = Date.now();
        const analyzeProgress = options.showProgress ? createProgress("analyze", "items", restored.size) : silentProgress;
        const analyzed = await analyzeTables(options.to, plan.selection?.tables, options.jobs, analyzeProgress, () => interruptedBy() !== undefined);
        analyzeProgress.stop();
        record.analyze = { skipped: false, tables: analyzed.tables, failed: analyzed.failed };
        for (const f of analyzed.failed) record.problems.push(`ANALYZE ${f}`);
        lap("analyze", tAnalyze);
        stopIfInterrupted();
      }
    } catch (error) {
      await rowCheck?.abandon();
      throw await stoppedHalfWay(error, options, record, rerun, state.exists);
    }
  } finally {
    unregister();
    rmSync(dir, { recursive: true, force: true });
  }

  // Most tables were counted while the indexes were being built; this counts the rest.
  const tVerify = Date.now();
  record.rowCounts = await rowCheck!.finish();
  lap("verify", tVerify);
  for (const check of record.rowCounts) {
    if (!check.ok) record.problems.push(`${check.table}: ${check.actual ?? "missing"} rows, manifest says ${check.expected}`);
  }
  // Anything the selection needed and could not bring fails the run, a foreign key to a table that
  // is in neither the selection nor the target included: the restored table lacks a constraint the
  // source had, and a script or Job must not read that as a whole restore (issue 15, point 7).
  for (const n of record.notRestored) record.problems.push(`not restored: ${n.object}: ${n.reason}`);
  record.ok = record.problems.length === 0;
  durationsMs.total = Date.now() - t0;
  return record;
}

function stopIfInterrupted(): void {
  const signal = interruptedBy();
  if (signal) throw new InterruptedError(signal, `${signal} received`);
}

/** Grants to existing roles from entries that also named missing ones, and cross-table foreign keys. */
async function applyAfterLoad(target: URL, plan: RestorePlan, record: RestoreRecord): Promise<void> {
  if (plan.foreignKeysToAdd.length === 0 && (plan.privileges?.applyAfter.length ?? 0) === 0) return;
  const client = await connect(target);
  try {
    for (const entry of plan.foreignKeysToAdd) {
      try {
        await client.query(entry.sql);
        record.addedForeignKeys.push(entry.tag);
      } catch (error) {
        // The target's rows may not satisfy the key: say so rather than leave it silently out.
        record.notRestored.push({ object: `FK CONSTRAINT ${entry.namespace} ${entry.tag}`, reason: `PostgreSQL refused it: ${(error as Error).message}` });
      }
    }
    for (const statement of plan.privileges?.applyAfter ?? []) await client.query(statement);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The restore stopped after writing (pg_restore failed, a signal, a lost connection): drop the
 * database this run created, or describe the one that existed, and say what to run next.
 */
async function stoppedHalfWay(
  error: unknown,
  options: RestoreOptions,
  record: RestoreRecord,
  rerun: Parameters<typeof describeLeftDatabase>[1],
  existed: boolean,
): Promise<Error> {
  const signal = interruptedBy();
  if (error instanceof PgRestoreError && signal === undefined) record.failure = error.failure;
  if (record.targetCreated) {
    record.leftBehind = await dropCreatedDatabase(options.to).catch((e: Error) => ({
      state: "left" as const,
      description: `the database this run created could not be dropped (${e.message}); drop it by hand`,
    }));
  } else if (!existed) {
    record.leftBehind = { state: "untouched", description: "the target database was not created: nothing was written" };
  } else {
    record.leftBehind = await describeLeftDatabase(options.to, rerun);
  }
  const what = signal !== undefined ? `stopped by ${signal}` : (error as Error).message;
  record.problems.push(what);
  const message = `${what}; ${record.leftBehind.description}`;
  if (signal !== undefined) return new InterruptedError(signal, message, record);
  return Object.assign(new Error(message), { record });
}
