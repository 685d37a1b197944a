import type { DumpManifest } from "./dump-manifest";
import { maskUrl } from "./mask-url";
import type { LeftBehind } from "./restore-leftovers";
import type { RestorePlan } from "./restore-plan";
import { formatS3 } from "./s3-location";
import { formatTable } from "./table-names";
import type { PgRestoreFailure } from "./pg-restore-failure";
import type { RowCheck } from "./row-count-check";
import type { S3Location } from "./s3-location";

/** What `npm run restore` is asked to do, and the JSON record it answers with. */
export interface RestoreOptions {
  readonly from: S3Location;
  readonly to: URL;
  readonly latest: boolean;
  readonly jobs: number;
  /** Tables as `--tables` takes them: `orders`, `sales.items`, `"Order Items"`, `public."Order Items"`. */
  readonly tables: readonly string[];
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly role?: string;
  /** Restore no privileges (seed 004's `pg_restore --no-acl`). Defaults to `false`. */
  readonly noAcl?: boolean;
  /** Skip the ANALYZE phase after the load. Defaults to `false`: every restored table is analysed. */
  readonly noAnalyze?: boolean;
  readonly showProgress: boolean;
  /** Where the dump is staged; defaults to the OS temp dir. */
  readonly workDir?: string;
}

export interface RestoreRecord {
  ok: boolean;
  dryRun: boolean;
  dump: string;
  manifest: string;
  sha256: string;
  format: string;
  compression: string;
  dumpTakenAt: string;
  source: string;
  target: string;
  targetCreated: boolean;
  forced: boolean;
  jobs: number;
  tables: readonly string[];
  /** With --tables: the tables restored (those named and their partitions), schema-qualified. */
  restoredTables: string[];
  /** With --tables: the objects brought because the tables need them, and those the target already had. */
  brought: string[];
  alreadyInTarget: string[];
  sizes: { downloadedBytes: number; stagedBytes: number };
  durationsMs: Record<string, number>;
  rowCounts: RowCheck[];
  /** With --tables: foreign keys to tables neither restored nor in the target (their TOC tags). */
  skippedForeignKeys: string[];
  /** Foreign keys between restored tables and tables already in the target, added after the load. */
  addedForeignKeys: string[];
  /** Everything the restore could not bring back, and why. */
  notRestored: { object: string; reason: string }[];
  privileges: {
    restored: boolean;
    referencedRoles: string[];
    missingRoles: string[];
    /** Statements not applied because they name a role the target lacks. */
    skipped: string[];
    /** Roles that owned objects in the source and do not exist here (ownership is never restored: --no-owner). */
    ownersMissing: string[];
  };
  largeObjects: { inDump: number; restored: boolean };
  analyze: { skipped: boolean; tables: number; failed: string[] };
  /** How pg_restore failed, in PostgreSQL's words. */
  failure?: PgRestoreFailure;
  /** What a restore that stopped half way left behind, and what to run next. */
  leftBehind?: LeftBehind;
  /**
   * The staging database the restore went into (absent for a partial restore into an existing
   * database, which is written directly after the whole dump was verified).
   */
  staging?: {
    database: string;
    /** Renamed to the target after every check passed. */
    swapped: boolean;
    /** The target existed and was replaced as a whole (its old database dropped after the swap). */
    replacedExisting: boolean;
    /** Staging databases and replaced targets of dead runs into this target, dropped first. */
    cleanedUp: string[];
    /** Properties of the existing target not carried over to its replacement (a setting, a grant). */
    notCarried: string[];
    /** The old target renamed aside that could not be dropped (the next run drops it). */
    oldLeft?: string;
  };
  problems: string[];
}

/** The record as it starts, from the options and the manifest; the phases fill it in. */
export function newRecord(options: RestoreOptions, manifest: DumpManifest, manifestKey: string): RestoreRecord {
  return {
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
    durationsMs: {},
    rowCounts: [],
    skippedForeignKeys: [],
    addedForeignKeys: [],
    notRestored: [],
    privileges: { restored: !options.noAcl, referencedRoles: [], missingRoles: [], skipped: [], ownersMissing: [] },
    largeObjects: { inDump: 0, restored: options.tables.length === 0 },
    analyze: { skipped: options.noAnalyze === true, tables: 0, failed: [] },
    problems: [],
  };
}

/** What the plan decided, into the record (before the first write, so a dry run shows it). */
export function applyPlan(record: RestoreRecord, plan: RestorePlan): void {
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
}
