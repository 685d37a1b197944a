import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { paginateListObjectsV2, S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import type { RecoveryConfig } from "../stacks/types";
import {
  freshnessColumns,
  latestMigration,
  listForeignKeys,
  listTables,
  listTimestampColumns,
  listUniqueKeys,
  maxTimestamps,
  qualified,
  quoteIdent,
  tableKey,
} from "./catalog";
import { readOnlyClient } from "./db";
import { errorMessage, UsageError } from "../scripts/lib/errors";
import type { CheckGroup } from "./types";

const key = z.object({ schema: z.string(), table: z.string(), name: z.string(), columns: z.array(z.string()) });

export const baselineSchema = z.object({
  version: z.literal(1),
  stack: z.string(),
  source: z.string(),
  capturedAt: z.iso.datetime({ offset: true }),
  rpoMinutes: z.number().positive(),
  databases: z.record(
    z.string(),
    z.object({
      /** Latest finished Prisma migration; null when the source has no `_prisma_migrations`. */
      migration: z.string().nullable(),
      tables: z.record(
        z.string(),
        z.object({
          rows: z.number().int().nonnegative(),
          /** Rows written within the RPO before capture: what a restore may legitimately lack. */
          recentRows: z.number().int().nonnegative(),
          /** Max of each timestamp column (ISO), null when the table is empty. */
          timestamps: z.record(z.string(), z.string().nullable()),
        }),
      ),
      /** `schema.sequence` → last value (null: never used). */
      sequences: z.record(z.string(), z.string().nullable()),
      uniqueKeys: z.array(key),
      foreignKeys: z.array(key.extend({ refSchema: z.string(), refTable: z.string(), refColumns: z.array(z.string()) })),
    }),
  ),
  buckets: z.record(z.string(), z.object({ bucket: z.string(), objects: z.number().int(), bytes: z.number().int() })),
});

export type Baseline = z.infer<typeof baselineSchema>;
export type DatabaseBaseline = Baseline["databases"][string];

export const defaultBaselinePath = (stack: string): string => `reports/baselines/${stack}.json`;

export function readBaseline(path: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `--baseline ${path}: no such file; capture one from the source first with --capture-baseline (before the drill, or on a schedule)`
        : `--baseline ${path}: cannot be read as JSON; capture it again with --capture-baseline`,
    );
  }
  const parsed = baselineSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--baseline ${path}: ${issue.path.join(".") || "(top level)"}: ${issue.message}; capture it again with --capture-baseline`);
  }
  return parsed.data;
}

export function writeBaseline(path: string, baseline: Baseline): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
}

export interface CaptureOptions {
  readonly config: RecoveryConfig;
  /** Source database URLs by database name (read-only access is enough, and all we use). */
  readonly sourceUrls: Readonly<Record<string, string>>;
  readonly only?: readonly CheckGroup[];
  readonly timeoutMs?: number;
  readonly now?: Date;
  readonly onProgress?: (what: string) => void;
}

/** `VERIFY_SOURCE_URL_<NAME>`: `order-payment` → `VERIFY_SOURCE_URL_ORDER_PAYMENT`. */
export const sourceUrlEnv = (name: string): string => `VERIFY_SOURCE_URL_${name.toUpperCase().replace(/-/g, "_")}`;

/**
 * Reads the source's expected state. Each database is read in one REPEATABLE READ READ ONLY
 * transaction: a consistent snapshot, and PostgreSQL itself refuses any write.
 */
export async function captureBaseline(options: CaptureOptions): Promise<Baseline> {
  const { config } = options;
  const now = options.now ?? new Date();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const groups = new Set(options.only ?? ["db", "buckets"]);
  const databases: Baseline["databases"] = {};
  if (groups.has("db")) {
    const missing = config.databases.filter((d) => !options.sourceUrls[d.name]).map((d) => d.name);
    if (missing.length > 0) {
      throw new UsageError(
        `--capture-baseline needs the source URL of ${missing.join(", ")}: pass --source-url ${missing[0]}=postgresql://… or set ${sourceUrlEnv(missing[0])}`,
      );
    }
    for (const d of config.databases) {
      options.onProgress?.(`database ${d.name}`);
      try {
        databases[d.name] = await captureDatabase(options.sourceUrls[d.name], config.objectives.rpoMinutes, now, timeoutMs);
      } catch (error) {
        // Say which source failed and where its URL came from: five databases, one bare ECONNREFUSED is no help.
        throw new Error(
          `source database ${d.name}: ${errorMessage(error)}; check ${sourceUrlEnv(d.name)} (or --source-url ${d.name}=…) and that it is reachable`,
        );
      }
    }
  }
  const buckets: Baseline["buckets"] = {};
  if (groups.has("buckets")) {
    const s3 = new S3Client({});
    for (const b of config.buckets) {
      options.onProgress?.(`bucket ${b.source.bucket}`);
      const { objects, bytes } = await countObjects(s3, b.source.bucket, AbortSignal.timeout(timeoutMs));
      buckets[b.name] = { bucket: b.source.bucket, objects, bytes };
    }
  }
  return { version: 1, stack: config.stack, source: config.source, capturedAt: now.toISOString(), rpoMinutes: config.objectives.rpoMinutes, databases, buckets };
}

async function captureDatabase(url: string, rpoMinutes: number, now: Date, timeoutMs: number): Promise<DatabaseBaseline> {
  const db = await readOnlyClient(url, timeoutMs);
  try {
    await db.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const recentSince = now.getTime() - rpoMinutes * 60_000;
    const timestampColumns = await listTimestampColumns(db);
    const tables: DatabaseBaseline["tables"] = {};
    for (const t of await listTables(db)) {
      const columns = timestampColumns.get(tableKey(t)) ?? [];
      const fresh = freshnessColumns(columns);
      const recent = fresh.length === 0 ? "0" : `count(*) FILTER (WHERE GREATEST(${fresh.map(quoteIdent).join(", ")}) >= to_timestamp($1::float8 / 1000))`;
      const { rows } = await db.query<{ rows: string; recent: string }>(
        `SELECT count(*)::text AS rows, (${recent})::text AS recent FROM ${qualified(t)}`,
        fresh.length === 0 ? [] : [recentSince],
      );
      const maxes = await maxTimestamps(db, t, columns);
      tables[tableKey(t)] = {
        rows: Number(rows[0].rows),
        recentRows: Number(rows[0].recent),
        timestamps: Object.fromEntries(Object.entries(maxes).map(([c, ms]) => [c, ms === null ? null : new Date(ms).toISOString()])),
      };
    }
    const sequences: Record<string, string | null> = {};
    const { rows: seqs } = await db.query<{ name: string; last_value: string | null }>(
      "SELECT schemaname || '.' || sequencename AS name, last_value::text FROM pg_sequences ORDER BY 1",
    );
    for (const s of seqs) sequences[s.name] = s.last_value;
    const migration = await latestMigration(db);
    const result: DatabaseBaseline = {
      migration: migration.latest,
      tables,
      sequences,
      uniqueKeys: (await listUniqueKeys(db)).map((k) => ({ ...k, columns: [...k.columns] })),
      foreignKeys: (await listForeignKeys(db)).map((k) => ({ ...k, columns: [...k.columns], refColumns: [...k.refColumns] })),
    };
    await db.query("ROLLBACK");
    return result;
  } finally {
    await db.end().catch(() => undefined);
  }
}

export async function countObjects(s3: S3Client, bucket: string, signal: AbortSignal): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket }, { abortSignal: signal })) {
    for (const o of page.Contents ?? []) {
      objects += 1;
      bytes += o.Size ?? 0;
    }
  }
  return { objects, bytes };
}
