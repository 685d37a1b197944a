import { Client, Pool } from "pg";

/**
 * Verify only reads: every session is read-only (a check can never change the restore it
 * judges), in UTC (timestamps without time zone compare as written), and bounded by timeouts.
 */
export function sessionOptions(statementTimeoutMs: number): string {
  return `-c default_transaction_read_only=on -c TimeZone=UTC -c statement_timeout=${Math.max(1, Math.round(statementTimeoutMs))}`;
}

/** Four connections per database: its checks overlap, and few cold backends start on a busy server. */
export function readOnlyPool(connectionString: string, timeoutMs: number, max = 4): Pool {
  const pool = new Pool({
    connectionString,
    max,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    options: sessionOptions(timeoutMs),
    application_name: "recovery-verify",
  });
  // An idle client's network error must not crash the run; the next query reports it.
  pool.on("error", () => undefined);
  return pool;
}

export async function readOnlyClient(connectionString: string, timeoutMs: number): Promise<Client> {
  const client = new Client({
    connectionString,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    options: sessionOptions(timeoutMs),
    application_name: "recovery-verify-baseline",
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}
