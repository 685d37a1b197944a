import type { LeftBehind } from "./restore-leftovers";
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
  problems: string[];
}
