import {
  DescribeDBEngineVersionsCommand,
  DescribeDBInstancesCommand,
  paginateDescribeDBInstanceAutomatedBackups,
  paginateDescribeDBSnapshots,
  type DBInstance,
  type DBInstanceAutomatedBackup,
  type DBSnapshot,
} from "@aws-sdk/client-rds";
import { S3Client, HeadObjectCommand } from "@aws-sdk/client-s3";
import type { DatabaseRestore } from "../stacks";
import { oldestRestorable } from "../stacks/checks/restore-time";
import { locateDump } from "../workers/dump-locator";
import { RefusedError } from "../workers/errors";
import { couldNotCheck, isNotFound } from "./aws";
import type { CheckContext } from "./context";
import { configurationDrift, parameterGroupFinding } from "./database-config";
import type { Finding, ItemResult } from "./types";
import { failed, unknown } from "./results";
import { minutesBetween } from "./verdict";
import { errorMessage } from "../scripts/lib/errors";


/** What the stack would restore a database from, by its method, and how recent that is. */
export async function checkDatabase(db: DatabaseRestore, ctx: CheckContext): Promise<ItemResult> {
  const result =
    db.method === "logical"
      ? await checkDump(db, ctx)
      : db.method === "snapshot"
        ? await withEngine(db, ctx, await checkSnapshot(db, ctx))
        : await withEngine(db, ctx, await checkPointInTime(db, ctx));
  return withConfiguration(db, ctx, result);
}

/**
 * Whatever the method, the restore is configured as the inventory records (issue 19): its
 * parameter group must exist in the region, and what production runs now must still be what the
 * inventory says. A source that cannot be read leaves only the first question.
 */
async function withConfiguration(db: DatabaseRestore, ctx: CheckContext, result: ItemResult): Promise<ItemResult> {
  const findings = [...result.findings];
  const notes = [...result.notes];
  const group = await parameterGroupFinding(db, ctx);
  if (group !== undefined) findings.push(group);
  let instance: DBInstance | undefined;
  try {
    instance = await describeInstance(db, ctx);
  } catch (error) {
    // A point-in-time restore's own check already reported the same unanswered call.
    if (db.method !== "point-in-time")
      findings.push({ level: "warn", message: `could not compare ${db.source.identifier}'s configuration with the inventory (${couldNotCheck("DescribeDBInstances", error, ctx.aws.timeoutMs)})` });
  }
  let inventoryUpdate: ItemResult["inventoryUpdate"];
  if (instance !== undefined) {
    const drift = configurationDrift(db, instance);
    findings.push(...drift.findings);
    notes.push(...drift.notes);
    if (Object.keys(drift.fields).length > 0) inventoryUpdate = { name: db.name, id: db.source.identifier, fields: drift.fields };
  }
  return { ...result, findings, notes, ...(inventoryUpdate ? { inventoryUpdate } : {}) };
}

/** One DescribeDBInstances per source and run: the point-in-time check and the drift share it. */
const instanceAnswers = new WeakMap<CheckContext, Map<string, Promise<DBInstance | undefined>>>();

function describeInstance(db: DatabaseRestore, ctx: CheckContext): Promise<DBInstance | undefined> {
  const answers = instanceAnswers.get(ctx) ?? new Map<string, Promise<DBInstance | undefined>>();
  instanceAnswers.set(ctx, answers);
  const id = db.source.identifier;
  if (!answers.has(id)) answers.set(id, readInstance(db, ctx));
  return answers.get(id)!;
}

async function readInstance(db: DatabaseRestore, ctx: CheckContext): Promise<DBInstance | undefined> {
  try {
    const { DBInstances } = await ctx.aws
      .rds(ctx.config.region)
      .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.source.identifier }), ctx.aws.call());
    return DBInstances?.[0];
  } catch (error) {
    if (isNotFound(error, "DBInstanceNotFound", "DBInstanceNotFoundFault")) return undefined;
    throw error;
  }
}

async function checkPointInTime(db: DatabaseRestore, ctx: CheckContext): Promise<ItemResult> {
  const id = db.source.identifier;
  let instance: DBInstance | undefined;
  try {
    instance = await describeInstance(db, ctx);
  } catch (error) {
    return unknown(`latest restorable time of ${id}`, couldNotCheck("DescribeDBInstances", error, ctx.aws.timeoutMs));
  }
  if (instance === undefined) return retainedBackups(db, ctx);

  const findings: Finding[] = [];
  const notes: string[] = [];
  const retention = instance.BackupRetentionPeriod ?? 0;
  const wanted = db.source.backupRetentionDays;
  if (retention === 0)
    findings.push({ level: "fail", message: `automated backups of ${id} are off (retention 0), so there is no point in time to restore; turn them on: aws rds modify-db-instance --db-instance-identifier ${id} --backup-retention-period ${wanted} --apply-immediately` });
  else if (retention < wanted)
    findings.push({ level: "fail", message: `${id} keeps automated backups for ${retention} days, the inventory says ${wanted}; set it back (aws rds modify-db-instance --db-instance-identifier ${id} --backup-retention-period ${wanted}) or lower backupRetentionDays` });
  const dbi = instance.DbiResourceId;
  if (dbi && db.source.dbiResourceId === undefined)
    notes.push(`add dbiResourceId: ${dbi} to this database in the inventory, so its retained backups are found once the instance is gone`);
  else if (dbi && db.source.dbiResourceId !== undefined && dbi !== db.source.dbiResourceId)
    findings.push({ level: "warn", message: `${id} has resource id ${dbi}, the inventory says ${db.source.dbiResourceId} (the instance was recreated); update dbiResourceId` });

  const latest = instance.LatestRestorableTime;
  if (retention > 0 && latest === undefined)
    findings.push({ level: "warn", message: `${id} reports no latest restorable time yet (a new instance, or backups not started); check again after its first backup` });
  if (db.restoreTime !== "latest") return pinned(db, ctx, `point in time of ${id}`, latest, retention, findings, notes);
  return {
    restoredFrom: `latest restorable time of ${id}`,
    restorePoint: latest?.toISOString() ?? null,
    achievableRpoMinutes: latest ? minutesBetween(latest, ctx.now) : null,
    findings,
    notes,
    rpoFix: `the point-in-time log of ${id} lags; check its backup status in the RDS console`,
  };
}

/** A pinned restore time goes back on purpose: it must be inside the window, and is not judged by the RPO. */
function pinned(
  db: DatabaseRestore,
  ctx: CheckContext,
  restoredFrom: string,
  latest: Date | undefined,
  retentionDays: number,
  findings: Finding[],
  notes: string[],
): ItemResult {
  const at = new Date(db.restoreTime);
  const earliest = oldestRestorable(ctx.now, retentionDays);
  const key = `recovery:databases.${db.name}.time (or recovery:restorePoint)`;
  if (at < earliest)
    findings.push({ level: "fail", message: `the pinned restore time ${db.restoreTime} has left the ${retentionDays}-day backup window (earliest ${earliest.toISOString()}); set ${key} to a later time or to latest` });
  else if (latest !== undefined && at > latest)
    findings.push({ level: "fail", message: `the pinned restore time ${db.restoreTime} is after the latest restorable time ${latest.toISOString()}; set ${key} to an earlier time or to latest` });
  notes.push(`restore point pinned to ${db.restoreTime}: set it back to latest once the incident is over`);
  return { restoredFrom, restorePoint: db.restoreTime, achievableRpoMinutes: minutesBetween(at, ctx.now), findings, notes, rpoNotJudged: true };
}

/**
 * The source is gone: a point-in-time restore can still use its retained automated backups,
 * found by the instance's resource id (RestoreDBInstanceToPointInTime's SourceDbiResourceId).
 */
async function retainedBackups(db: DatabaseRestore, ctx: CheckContext): Promise<ItemResult> {
  const id = db.source.identifier;
  const dbi = db.source.dbiResourceId;
  const from = `retained automated backups of ${id}`;
  const found: DBInstanceAutomatedBackup[] = [];
  try {
    const input = dbi ? { DbiResourceId: dbi } : { DBInstanceIdentifier: id };
    for await (const page of paginateDescribeDBInstanceAutomatedBackups({ client: ctx.aws.rds(ctx.config.region) }, input))
      for (const b of page.DBInstanceAutomatedBackups ?? [])
        // Match what the backup says about itself: an endpoint may ignore the filter.
        if (b.Status !== "active" && (dbi && b.DbiResourceId ? b.DbiResourceId === dbi : b.DBInstanceIdentifier === id)) found.push(b);
  } catch (error) {
    if (!isNotFound(error, "DBInstanceAutomatedBackupNotFound", "DBInstanceAutomatedBackupNotFoundFault"))
      return unknown(from, couldNotCheck("DescribeDBInstanceAutomatedBackups", error, ctx.aws.timeoutMs));
  }
  const backup = found[0];
  if (backup === undefined)
    return {
      restoredFrom: from,
      restorePoint: null,
      achievableRpoMinutes: null,
      findings: [{ level: "fail", message: `source ${id} does not exist and no automated backups of it are retained, so there is no point in time to restore; restore it from a snapshot (recovery:databases.${db.name}.method: snapshot) or its dump (method: logical)` }],
      notes: [],
      rpoNotJudged: true,
    };
  const latest = backup.RestoreWindow?.LatestTime;
  const resource = backup.DbiResourceId ?? dbi;
  const findings: Finding[] = [];
  if (dbi === undefined)
    findings.push({
      level: "fail",
      message: `source ${id} is gone but its automated backups are retained; the restore finds them only by resource id: add dbiResourceId: ${resource ?? "<DbiResourceId from aws rds describe-db-instance-automated-backups --db-instance-identifier " + id + ">"} to this database in the inventory`,
    });
  else
    findings.push({ level: "warn", message: `source ${id} is gone; the restore uses its retained automated backups (${dbi}) until they expire: find out why it was deleted` });
  if (latest === undefined)
    findings.push({ level: "warn", message: `the retained backups of ${id} report no restore window, so the achievable restore point is unknown; check aws rds describe-db-instance-automated-backups --db-instance-identifier ${id}` });
  return {
    restoredFrom: from,
    restorePoint: latest?.toISOString() ?? null,
    achievableRpoMinutes: latest ? minutesBetween(latest, ctx.now) : null,
    findings,
    notes: [],
    rpoFix: `restore before the retained backups of ${id} expire`,
  };
}

async function checkSnapshot(db: DatabaseRestore, ctx: CheckContext): Promise<ItemResult> {
  const id = db.source.identifier;
  const named = db.snapshot !== "latest";
  const from = named ? `snapshot ${db.snapshot}` : `newest snapshot of ${id}`;
  const snapshots: DBSnapshot[] = [];
  try {
    const input = named ? { DBSnapshotIdentifier: db.snapshot } : { DBInstanceIdentifier: id };
    for await (const page of paginateDescribeDBSnapshots({ client: ctx.aws.rds(ctx.config.region) }, input)) snapshots.push(...(page.DBSnapshots ?? []));
  } catch (error) {
    if (!isNotFound(error, "DBSnapshotNotFound", "DBSnapshotNotFoundFault")) return unknown(from, couldNotCheck("DescribeDBSnapshots", error, ctx.aws.timeoutMs));
  }
  const key = `recovery:databases.${db.name}.snapshot`;
  if (snapshots.length === 0)
    return failed(from, named ? `snapshot ${db.snapshot} does not exist; set ${key} to an existing snapshot of ${id}, or to latest` : `${id} has no snapshot; take one (aws rds create-db-snapshot --db-instance-identifier ${id} --db-snapshot-identifier ${id}-manual) or restore point-in-time`);
  const available = snapshots.filter((s) => s.Status === "available" && s.SnapshotCreateTime);
  const newest = available.sort((a, b) => b.SnapshotCreateTime!.getTime() - a.SnapshotCreateTime!.getTime())[0];
  if (newest === undefined)
    return failed(from, `${named ? `snapshot ${db.snapshot}` : `no snapshot of ${id}`} is available (${snapshots.map((s) => `${s.DBSnapshotIdentifier}: ${s.Status}`).join(", ")}); wait for it, or name another in ${key}`);
  const at = newest.SnapshotCreateTime!;
  return {
    restoredFrom: `snapshot ${newest.DBSnapshotIdentifier}`,
    restorePoint: at.toISOString(),
    achievableRpoMinutes: minutesBetween(at, ctx.now),
    findings: [],
    notes: [],
    rpoFix: named ? `the named snapshot is old; set ${key} to latest or a newer one` : `snapshots of ${id} are too far apart; snapshot more often, or restore point-in-time`,
  };
}

/** One question per engine version and run, however many databases share it. */
const engineAnswers = new WeakMap<CheckContext, Map<string, Promise<Finding | undefined>>>();

/** The engine version the restore asks for must still be offered; an endpoint that cannot say is reported, not passed. */
async function withEngine(db: DatabaseRestore, ctx: CheckContext, result: ItemResult): Promise<ItemResult> {
  const version = db.source.engineVersion;
  if (version === undefined) return result;
  const answers = engineAnswers.get(ctx) ?? new Map<string, Promise<Finding | undefined>>();
  engineAnswers.set(ctx, answers);
  const key = `${db.source.engine} ${version}`;
  if (!answers.has(key)) answers.set(key, engineOffered(db.source.engine, version, ctx));
  const finding = await answers.get(key)!;
  return finding ? { ...result, findings: [...result.findings, finding] } : result;
}

async function engineOffered(engine: string, version: string, ctx: CheckContext): Promise<Finding | undefined> {
  try {
    const { DBEngineVersions = [] } = await ctx.aws
      .rds(ctx.config.region)
      .send(new DescribeDBEngineVersionsCommand({ Engine: engine, EngineVersion: version }), ctx.aws.call());
    if (DBEngineVersions.length === 0)
      return { level: "fail", message: `${engine} ${version} is no longer offered in ${ctx.config.region}, so a restore at that version fails; move engineVersion to a supported version` };
    return undefined;
  } catch (error) {
    return { level: "warn", message: `could not check that ${engine} ${version} is still offered (${couldNotCheck("DescribeDBEngineVersions", error, ctx.aws.timeoutMs)})` };
  }
}

/** The restore worker's own lookup: the newest dump by its manifest's snapshot time, and its object whole. */
async function checkDump(db: DatabaseRestore, ctx: CheckContext): Promise<ItemResult> {
  const { bucket, prefix } = db.source.dumps;
  const from = `newest dump under s3://${bucket}/${prefix}`;
  const s3: S3Client = ctx.aws.s3(ctx.config.region);
  let located;
  try {
    located = await locateDump(s3, { bucket, key: prefix }, true);
  } catch (error) {
    if (error instanceof RefusedError || isNotFound(error, "NoSuchBucket"))
      return failed(from, `${errorMessage(error).replace(/^--from: /, "")}; the logical restore has nothing to restore from (npm run backup writes a dump and its manifest)`);
    return unknown(from, couldNotCheck("reading the dumps", error, ctx.aws.timeoutMs));
  }
  const { manifest } = located;
  const where = `s3://${manifest.dump.bucket}/${manifest.dump.key}`;
  const findings: Finding[] = [];
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: manifest.dump.bucket, Key: manifest.dump.key }), ctx.aws.call());
    if (head.ContentLength !== manifest.dump.sizeBytes)
      findings.push({ level: "fail", message: `${where} is ${head.ContentLength} bytes, its manifest says ${manifest.dump.sizeBytes}; the restore would refuse it: take a new backup` });
  } catch (error) {
    if (isNotFound(error, "NotFound", "NoSuchKey")) findings.push({ level: "fail", message: `${where} is gone but its manifest is still there; take a new backup (npm run backup)` });
    else findings.push({ level: "warn", message: `could not check ${where} (${couldNotCheck("HeadObject", error, ctx.aws.timeoutMs)})` });
  }
  const at = new Date(manifest.source.serverTime);
  return {
    restoredFrom: `dump ${where}`,
    restorePoint: at.toISOString(),
    achievableRpoMinutes: minutesBetween(at, ctx.now),
    findings,
    notes: [],
    rpoFix: `the newest dump is too old: check the nightly backup job of ${db.source.identifier}`,
  };
}
