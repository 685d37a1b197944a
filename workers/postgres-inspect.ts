import type { Client } from "pg";

export interface ServerFacts {
  readonly postgresVersion: string;
  readonly serverVersionNum: number;
  readonly systemIdentifier: string | null;
  readonly serverTime: string;
  readonly database: string;
}

export async function serverFacts(client: Client): Promise<ServerFacts> {
  const { rows } = await client.query<{ v: string; n: string; t: Date; d: string }>(
    "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n, now() AS t, current_database() AS d",
  );
  // A savepoint keeps a refused query (a role that may not run pg_control_system) from aborting
  // the caller's transaction; outside one (the restore's target probe) the query stands alone.
  const inTransaction = client.getTransactionStatus() === "T";
  let systemIdentifier: string | null = null;
  try {
    if (inTransaction) await client.query("SAVEPOINT facts");
    const id = await client.query<{ id: string }>("SELECT system_identifier::text AS id FROM pg_control_system()");
    systemIdentifier = id.rows[0]?.id ?? null;
    if (inTransaction) await client.query("RELEASE SAVEPOINT facts");
  } catch {
    // Not every role may read pg_control_system(); server-identity.ts compares what it can.
    if (inTransaction) await client.query("ROLLBACK TO SAVEPOINT facts").catch(() => undefined);
  }
  return {
    postgresVersion: rows[0].v,
    serverVersionNum: Number(rows[0].n),
    systemIdentifier,
    serverTime: rows[0].t.toISOString(),
    database: rows[0].d,
  };
}

/** The user's tables (ordinary and partitioned), excluding system schemas. */
export async function listTables(client: Client): Promise<{ schema: string; name: string }[]> {
  const { rows } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      ORDER BY 1, 2`,
  );
  return rows;
}

export async function countRows(client: Client, schema: string, name: string): Promise<number> {
  const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${ident(schema)}.${ident(name)}`);
  return Number(rows[0].n);
}

/** Exact counts per table, in whatever snapshot the client's transaction holds. */
export async function tableRowCounts(client: Client): Promise<{ schema: string; name: string; rows: number }[]> {
  const tables = await listTables(client);
  const counts = [];
  for (const t of tables) counts.push({ ...t, rows: await countRows(client, t.schema, t.name) });
  return counts;
}

/**
 * How many user objects a database holds. Restore refuses a non-empty target without --force:
 * restoring over live data is how a recovery turns into a second incident (seed 004 preamble).
 */
export async function userObjectCount(client: Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%')
          + (SELECT count(*) FROM pg_namespace
              WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
                AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%')
          + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql') AS n`,
  );
  return Number(rows[0].n);
}
