import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { analyzeTables } from "./analyze";
import { readArchiveToc, type TocEntry } from "./archive-toc";
import type { DumpFile, DumpManifest } from "./dump-manifest";
import { locateDump } from "./dump-locator";
import { fetchDataFiles, fetchOtherFiles, fetchToc, tableDataFiles, verifyFiles } from "./dump-objects";
import { removeStaleStaging, stageDump, stagedSize } from "./dump-staging";
import { errorMessage, RefusedError, UsageError } from "./errors";
import { InterruptedError, interruptedBy, whileInterruptible } from "./interrupt";
import { runPgRestore } from "./pg-restore";
import { identityOf } from "./postgres-connection";
import { RowCountCheck, tableDataIds } from "./row-count-check";
import { createProgress, silentProgress, type Progress } from "./progress";
import { stoppedHalfWay } from "./restore-leftovers";
import { applyPlan, newRecord, type RestoreOptions, type RestoreRecord } from "./restore-record";
import { applyAfterLoad, planRestore, requestedTables, type RestorePlan } from "./restore-plan";
import { describeEntry } from "./restore-selection";
import { inspectTarget, refuseIfFilledMeanwhile, refuseIfNotEmpty, refuseIfSource } from "./restore-target";
import { formatS3 } from "./s3-location";
import { restoreStreamed } from "./streamed-restore";
import { closeStaging, createStaging, dropStaging, swapIntoTarget, type Staging } from "./staging-database";
import { formatTable } from "./table-names";

export { isRunning } from "./dump-staging";

export type { RestoreOptions, RestoreRecord } from "./restore-record";
export type { RowCheck } from "./row-count-check";

/**
 * Seed 003 §C and seed 000 §3-4 as one command: find the dump, refuse anything unsafe or bound
 * to fail before the first write, restore in parallel into a staging database while the dump is
 * still downloading (checksums in flight), analyse, check the row counts, and only then make the
 * staging database the target. A partial restore into an existing database is the exception: it
 * must merge into that database, so the whole dump is verified first and then written into it.
 */
export async function restore(s3: S3Client, options: RestoreOptions): Promise<RestoreRecord> {
  const t0 = Date.now();
  const durationsMs: Record<string, number> = {};
  const lap = (phase: string, since: number): number => (durationsMs[phase] = Date.now() - since);

  const { manifest, manifestKey } = await locateDump(s3, options.from, options.latest).catch((error: unknown) => {
    if (error instanceof RefusedError || error instanceof UsageError) throw error;
    // An unreachable S3 or missing credentials: name the argument and what to check, not a bare socket error.
    throw new Error(`--from ${formatS3(options.from)}: ${errorMessage(error)}; check the AWS credentials, region and endpoint, and that the bucket exists`);
  });
  lap("locate", t0);
  const record = newRecord(options, manifest, manifestKey);
  record.durationsMs = durationsMs;
  const tables = requestedTables(options, manifest.tables, record);

  const tCheck = Date.now();
  const state = await inspectTarget(options.to);
  refuseIfSource(options.to, state, manifest);
  refuseIfNotEmpty(options.to, state, options.force);
  lap("checkTarget", tCheck);
  const targetName = identityOf(options.to).database;
  const direct = tables !== undefined && state.exists;
  const objects = manifest.dump.layout === "objects";

  const workDir = options.workDir ?? tmpdir();
  removeStaleStaging(workDir);
  const dir = mkdtempSync(join(workDir, `recovery-restore-${process.pid}-`));
  // Until the staging database exists, a signal has nothing to clean up but the staged files.
  let writing = false;
  const unregister = whileInterruptible((signal) => {
    if (writing) return;
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`interrupted: ${signal} before anything was written; ${record.target} is untouched\n`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
  let stagingStarted: Promise<Staging> | undefined;
  let staging: Staging | undefined;
  let settled = false;
  let rowCheck: RowCountCheck | undefined;
  const rerun = { dump: record.dump, target: options.to, jobs: options.jobs, tables: options.tables, role: options.role, noAcl: options.noAcl, noAnalyze: options.noAnalyze };
  const say = (line: string): void => {
    if (options.showProgress) process.stderr.write(`${line}\n`);
  };
  try {
    const tDownload = Date.now();
    // The `objects` layout's table data streamed from S3 into COPY (streamed-restore.ts); downloaded
    // whole first only for a partial restore into an existing database, which must be verified
    // before the first write.
    const streamed = objects && !options.dryRun && !direct;
    const archive = await fetchArchive(s3, manifest, dir, record, options.showProgress === true);
    lap("download", tDownload);
    if (!options.dryRun && !direct) {
      // Created while the table of contents is read; dropped again if the plan refuses.
      writing = true;
      stagingStarted = createStaging(options.to, targetName);
      stagingStarted.catch(() => undefined);
    }
    // A readable table of contents proves pg_restore can parse the archive before any write.
    const tPlan = Date.now();
    const toc = await readArchiveToc(archive);
    const plan = await planRestore(toc.entries, tables, { target: options.to, targetExists: state.exists, force: options.force, noAcl: options.noAcl === true, role: options.role }, manifest, record);
    const dataFiles = objects ? tableDataFiles(toc.list, manifest) : new Map<number, DumpFile>();
    const dataEntries = (plan.list ?? toc.entries).filter((e) => e.desc === "TABLE DATA");
    if (objects) {
      const missing = dataEntries.filter((e) => !dataFiles.has(e.id));
      if (missing.length > 0) {
        throw new RefusedError(`--from: the manifest of ${record.dump} lists no data file for ${missing.map(describeEntry).join(", ")}; the dump is incomplete, nothing was restored; use another backup`, record);
      }
      const addBytes = (n: number): void => {
        record.sizes.downloadedBytes += n;
        record.sizes.stagedBytes += n;
      };
      await fetchOtherFiles(s3, manifest, archive, dataFiles, addBytes);
      if (direct && !options.dryRun) await fetchDataFiles(s3, manifest, archive, dataFiles, addBytes);
    }
    lap("plan", tPlan);
    applyPlan(record, plan);
    let listFile: string | undefined;
    if (plan.list) {
      listFile = join(dir, "selection.list");
      writeFileSync(listFile, `${plan.list.map((e) => e.line).join("\n")}\n`);
    }

    if (options.dryRun) {
      if (objects) record.sizes.downloadedBytes += await verifyFiles(s3, manifest, () => undefined);
      record.ok = record.notRestored.length === 0;
      durationsMs.total = Date.now() - t0;
      return record;
    }

    writing = true;
    const tRestore = Date.now();
    try {
      if (stagingStarted) {
        staging = await stagingStarted;
        record.staging = { database: staging.name, swapped: false, replacedExisting: false, cleanedUp: staging.cleanedUp, notCarried: staging.notCarried };
        for (const name of staging.cleanedUp) say(`staging: dropped ${name}, left by a restore that was killed`);
        say(`staging: restoring into ${staging.name}; it becomes ${targetName} only when checksums, sizes and row counts match the manifest`);
      }
      const into = staging?.url ?? options.to;
      stopIfInterrupted();
      const restoreProgress = options.showProgress ? createProgress("pg_restore", "items", plan.total) : silentProgress;
      const restored = new Set((plan.selection?.tables ?? manifest.tables).map(formatTable));
      const wanted = manifest.tables.filter((t) => restored.has(formatTable(t)));
      rowCheck = new RowCountCheck(into, wanted, options.jobs);
      const dataItems = tableDataIds(toc.list, wanted);
      const counting = rowCheck;
      const loaded = (dumpId: number): void => {
        const table = dataItems.get(dumpId);
        if (table) void counting.loaded(table);
      };
      const describe = (dumpId: number): string | undefined => {
        const entry = toc.entries.find((e) => e.id === dumpId);
        return entry && describeEntry(entry);
      };
      const loading = (): void => say(`staging: loading the tables' data into ${staging?.name ?? targetName}, streamed from S3 into COPY`);
      const load: DataLoad = { s3, manifest, archive, dir, into, options, record, plan, entries: toc.entries, dataFiles, listFile, progress: restoreProgress, loading, loaded, describe };
      await (streamed ? loadStreamed(load) : loadWithPgRestore(load, direct && options.force));
      restoreProgress.stop();
      lap("restore", tRestore);
      stopIfInterrupted();

      await applyAfterLoad(into, plan, record);
      stopIfInterrupted();
      if (!options.noAnalyze) {
        const tAnalyze = Date.now();
        const analyzeProgress = options.showProgress ? createProgress("analyze", "items", restored.size) : silentProgress;
        const analyzed = await analyzeTables(into, plan.selection?.tables, options.jobs, analyzeProgress, () => interruptedBy() !== undefined);
        analyzeProgress.stop();
        record.analyze = { skipped: false, tables: analyzed.tables, failed: analyzed.failed };
        for (const f of analyzed.failed) record.problems.push(`ANALYZE ${f}`);
        lap("analyze", tAnalyze);
        stopIfInterrupted();
      }
      // Most tables were counted while the indexes were being built; this counts the rest.
      const tVerify = Date.now();
      record.rowCounts = await rowCheck.finish();
      lap("verify", tVerify);
      const wrong = record.rowCounts.filter((c) => !c.ok);
      for (const check of wrong) record.problems.push(`${check.table}: ${check.actual ?? "missing"} rows, manifest says ${check.expected}`);
      if (staging) {
        if (wrong.length > 0) throw new Error(`row counts differ from the manifest (${wrong.map((c) => `${c.table} ${c.actual ?? "missing"} of ${c.expected}`).join(", ")})`);
        stopIfInterrupted();
        if (state.exists && !options.force) await refuseIfFilledMeanwhile(options.to);
        const tSwap = Date.now();
        const swapped = await swapIntoTarget(staging);
        settled = true;
        lap("swap", tSwap);
        record.staging = { ...record.staging!, swapped: true, replacedExisting: swapped.replaced, oldLeft: swapped.oldLeft };
        record.targetCreated = !swapped.replaced && !state.exists;
        if (swapped.oldLeft) record.problems.push(`the replaced database, renamed ${swapped.oldLeft}, could not be dropped; the next restore into ${targetName} drops it`);
        await closeStaging(staging);
      }
    } catch (error) {
      await rowCheck?.abandon();
      settled = true;
      throw await stoppedHalfWay(error, { options, record, rerun, existed: state.exists, direct, staging: staging ?? (await stagingStarted?.catch(() => undefined)) });
    }
  } catch (error) {
    // A signal during the download or the plan stops their child processes too: say it was the signal.
    const signal = interruptedBy();
    if (signal !== undefined && !(error instanceof InterruptedError)) {
      throw new InterruptedError(signal, `stopped by ${signal}; ${record.target} is untouched`, record);
    }
    throw error;
  } finally {
    unregister();
    rmSync(dir, { recursive: true, force: true });
    // Refused before pg_restore started (the plan, a file missing): the staging database goes too.
    if (!settled && stagingStarted) await stagingStarted.then(dropStaging, () => undefined);
  }

  // Anything the selection needed and could not bring fails the run, a foreign key to a table that
  // is in neither the selection nor the target included: the restored table lacks a constraint the
  // source had, and a script or Job must not read that as a whole restore (issue 15, point 7).
  for (const n of record.notRestored) record.problems.push(`not restored: ${n.object}: ${n.reason}`);
  record.ok = record.problems.length === 0;
  durationsMs.total = Date.now() - t0;
  return record;
}

/**
 * The archive on local disk, checked against the manifest: for the `objects` layout its `toc.dat`
 * (the files follow once the plan says which are needed), else the whole one-object dump.
 */
async function fetchArchive(s3: S3Client, manifest: DumpManifest, dir: string, record: RestoreRecord, showProgress: boolean): Promise<string> {
  if (manifest.dump.layout === "objects") {
    const toc = await fetchToc(s3, manifest, dir);
    record.sizes = { downloadedBytes: toc.bytes, stagedBytes: toc.bytes };
    return toc.archive;
  }
  const progress = showProgress ? createProgress("download", "bytes", manifest.dump.sizeBytes) : silentProgress;
  const staged = await stageDump(s3, manifest, dir, progress);
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
  return staged.archive;
}

/** What loading the data needs: the archive, where it goes, and what to tell on the way. */
interface DataLoad {
  readonly s3: S3Client;
  readonly manifest: DumpManifest;
  readonly archive: string;
  readonly dir: string;
  readonly into: URL;
  readonly options: RestoreOptions;
  readonly record: RestoreRecord;
  readonly plan: RestorePlan;
  readonly entries: readonly TocEntry[];
  readonly dataFiles: ReadonlyMap<number, DumpFile>;
  readonly listFile: string | undefined;
  readonly progress: Progress;
  readonly loading: () => void;
  readonly loaded: (dumpId: number) => void;
  readonly describe: (dumpId: number) => string | undefined;
}

/** The `objects` layout into the staging database, each table streamed from S3 (streamed-restore.ts). */
async function loadStreamed(l: DataLoad): Promise<void> {
  const dataProgress = l.options.showProgress ? createProgress("download (streamed into COPY)", "bytes", 0) : silentProgress;
  const before = l.record.sizes.downloadedBytes;
  await restoreStreamed({
    s3: l.s3,
    manifest: l.manifest,
    archive: l.archive,
    scratch: l.dir,
    entries: l.plan.list ?? l.entries,
    files: l.dataFiles,
    target: l.into,
    jobs: l.options.jobs,
    role: l.options.role,
    noAcl: l.options.noAcl,
    progress: l.progress,
    total: l.plan.total,
    onBytes: (n) => dataProgress.update((l.record.sizes.downloadedBytes = before + n)),
    loading: l.loading,
    loaded: l.loaded,
    describeEntry: l.describe,
    timed: (step, ms) => (l.record.durationsMs[`restore${step}`] = ms),
  }).finally(() => dataProgress.stop());
}

/** An archive already on disk and checked (one-object dumps; `--tables` into an existing database). */
async function loadWithPgRestore(l: DataLoad, clean: boolean): Promise<void> {
  const { options } = l;
  await runPgRestore(
    { archive: l.archive, target: l.into, jobs: options.jobs, listFile: l.listFile, clean, role: options.role, noAcl: options.noAcl },
    l.plan.total,
    l.progress,
    { finished: l.loaded, describeEntry: l.describe },
  );
}

function stopIfInterrupted(): void {
  const signal = interruptedBy();
  if (signal) throw new InterruptedError(signal, `${signal} received`);
}
