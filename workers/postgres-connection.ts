import { Client } from "pg";
import { maskUrl } from "./mask-url";
import { UsageError } from "./errors";

/** Where a database is, as recorded in a manifest (never the password). */
export interface DatabaseIdentity {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

/** Parses a `postgresql://` URL; `argument` names the flag in the error. */
export function parseDatabaseUrl(argument: string, value: unknown): URL {
  if (typeof value !== "string" || value === "") {
    throw new UsageError(argument, "is required; give a connection URL like postgresql://user@host:5432/dbname");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(argument, `"${maskUrl(value)}" is not a connection URL; write it as postgresql://user@host:5432/dbname`);
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new UsageError(argument, `"${maskUrl(value)}" is not a postgresql:// URL; write it as postgresql://user@host:5432/dbname`);
  }
  if (url.pathname.replace(/^\//, "") === "") {
    throw new UsageError(argument, `"${maskUrl(value)}" names no database; add it after the port, e.g. postgresql://user@host:5432/dbname`);
  }
  return url;
}

export function identityOf(url: URL): DatabaseIdentity {
  return {
    host: url.hostname,
    port: url.port === "" ? 5432 : Number(url.port),
    database: decodeURIComponent(url.pathname.replace(/^\//, "")),
  };
}

/**
 * Arguments and environment for pg_dump/pg_restore: the password travels in PGPASSWORD, not on
 * the command line, where `ps` would show it to anyone on the host.
 */
export function libpqInvocation(url: URL): { dbnameArg: string; env: NodeJS.ProcessEnv } {
  const withoutPassword = new URL(url.toString());
  const password = decodeURIComponent(withoutPassword.password);
  withoutPassword.password = "";
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? "15" };
  if (password) env.PGPASSWORD = password;
  return { dbnameArg: `--dbname=${withoutPassword.toString()}`, env };
}

/** A connection with timeouts, so an unreachable server fails in seconds, not minutes. */
export async function connect(url: URL | string, queryTimeoutMs = 600_000): Promise<Client> {
  const client = new Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: 15_000,
    query_timeout: queryTimeoutMs,
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** The same server, another database (for CREATE DATABASE). */
export function withDatabase(url: URL, database: string): URL {
  const other = new URL(url.toString());
  other.pathname = `/${encodeURIComponent(database)}`;
  return other;
}
