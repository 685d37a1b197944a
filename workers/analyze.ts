import type { Client } from "pg";
import { connect } from "./postgres-connection";
import type { Progress } from "./progress";
import { formatTable, type TableName } from "./table-names";

/**
 * pg_restore loads data but never analyses it: with empty pg_stats the recovered service's
 * first queries plan badly, in the worst hour (issue 15). So ANALYZE is a phase of the restore,
 * `jobs` tables at a time, largest first so the pool ends together.
 */
export interface AnalyzeResult {
  readonly tables: number;
  readonly failed: string[];
}

/**
 * The tables to analyse: every restored one except partitions, which ANALYZE of their
 * partitioned table covers (in PostgreSQL 15 it recurses into them as well as building the
 * parent's own statistics; analysing both would do the partitions twice).
 */
async function tablesToAnalyze(client: Client, only: readonly TableName[] | undefined): Promise<TableName[]> {
  const { rows } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      ORDER BY c.relpages DESC, 1, 2`,
  );
  if (only === undefined) return rows;
  const wanted = new Set(only.map(formatTable));
  return rows.filter((t) => wanted.has(formatTable(t)));
}

export async function analyzeTables(
  target: URL,
  only: readonly TableName[] | undefined,
  jobs: number,
  progress: Progress,
  stopped: () => boolean,
): Promise<AnalyzeResult> {
  const first = await connect(target);
  const clients = [first];
  try {
    const tables = await tablesToAnalyze(first, only);
    progress.update(0, tables.length);
    const extra = Math.max(0, Math.min(jobs, tables.length) - 1);
    clients.push(...(await Promise.all(Array.from({ length: extra }, () => connect(target)))));
    const failed: string[] = [];
    let next = 0;
    let done = 0;
    await Promise.all(
      clients.map(async (client) => {
        for (let i = next++; i < tables.length && !stopped(); i = next++) {
          await client.query(`ANALYZE ${formatTable(tables[i])}`).catch((error: Error) => failed.push(`${formatTable(tables[i])}: ${error.message}`));
          progress.update(++done, tables.length);
        }
      }),
    );
    return { tables: done, failed };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
