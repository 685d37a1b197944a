import { Client, Pool } from "pg";
import { nodePgConfig } from "../workers/postgres-connection";

/**
 * Verify only reads: every session is read-only (a check can never change the restore it
 * judges), in UTC (timestamps without time zone compare as written), and bounded by timeouts.
 */
/*
 * The URL is read by the data plane's one reader (workers/postgres-connection.ts), so
 * `sslmode=verify-full&sslrootcert=…` means here what it means to backup, restore and libpq.
 */

export function sessionOptions(statementTimeoutMs: number): string {
  return `-c default_transaction_read_only=on -c TimeZone=UTC -c statement_timeout=${Math.max(1, Math.round(statementTimeoutMs))}`;
}

/** Four connections per database: its checks overlap, and few cold backends start on a busy server. */
export function readOnlyPool(connectionString: string, timeoutMs: number, max = 4): Pool {
  const pool = new Pool({
    ...nodePgConfig(connectionString),
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
    ...nodePgConfig(connectionString),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    options: sessionOptions(timeoutMs),
    application_name: "recovery-verify-baseline",
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}
