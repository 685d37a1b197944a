import { Client, Pool, type PoolClient, type PoolConfig } from "pg";
import { ConnectError, explainConnectError, nodePgConfig } from "../workers/postgres-connection";

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

/**
 * A pool whose failed connections say why in the data plane's words (a TLS-only server, a CA
 * that did not sign the certificate), so database.connect names the fix, not an OpenSSL code.
 */
class ExplainingPool extends Pool {
  constructor(
    config: PoolConfig,
    private readonly url: string,
  ) {
    super(config);
  }

  override connect(): Promise<PoolClient>;
  override connect(callback: Parameters<Pool["connect"]>[0] & object): void;
  override connect(callback?: Parameters<Pool["connect"]>[0] & object): Promise<PoolClient> | void {
    if (callback !== undefined) return super.connect(callback);
    return super.connect().catch((error: unknown) => {
      throw new ConnectError(explainConnectError(error, new URL(this.url)), (error as { code?: string }).code);
    });
  }
}

/** Four connections per database: its checks overlap, and few cold backends start on a busy server. */
export function readOnlyPool(connectionString: string, timeoutMs: number, max = 4): Pool {
  const pool = new ExplainingPool(
    {
      ...nodePgConfig(connectionString),
      max,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      options: sessionOptions(timeoutMs),
      application_name: "recovery-verify",
    },
    connectionString,
  );
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
  await client.connect().catch((error: unknown) => {
    throw new ConnectError(explainConnectError(error, new URL(connectionString)), (error as { code?: string }).code);
  });
  return client;
}
