import { createHash } from "node:crypto";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Client } from "pg";
import { z } from "zod";
import { errorMessage } from "./errors";

/**
 * What tells one PostgreSQL server (and one database on it) from another, as far as the role we
 * connect as may read it. Recorded in the manifest at backup time and read from the target before
 * a restore (design invariant 1: a restore never writes over the database it was taken from).
 */
export const serverIdentitySchema = z.object({
  /** pg_control_system().system_identifier; null when the role may not run it (then `systemIdentifierError`). */
  systemIdentifier: z.string().nullable(),
  systemIdentifierError: z.string().optional(),
  /** The URL's host as this machine resolved it (DNS), and the port. */
  resolvedAddresses: z.array(z.string()),
  port: z.number().int(),
  /** inet_server_addr()/inet_server_port(): the server's side of the connection (null over a socket). */
  serverAddress: z.string().nullable(),
  serverPort: z.number().int().nullable(),
  /** pg_postmaster_start_time(), to the microsecond: no two servers share one. */
  postmasterStartTime: z.string().nullable(),
  /**
   * current_setting('data_directory'), null without pg_read_all_settings. Recorded for the
   * operator, not compared: every Debian or RDS server uses the same path.
   */
  dataDirectory: z.string().nullable(),
  /** The database's own facts; null when it does not exist (yet). */
  database: z
    .object({
      name: z.string(),
      oid: z.number().int(),
      /** sha256 of the database row's oid and xmin and every user table's oid and name. */
      catalogFingerprint: z.string(),
      tables: z.number().int(),
    })
    .nullable(),
});

export type ServerIdentity = z.infer<typeof serverIdentitySchema>;

/** A query that may be refused (permissions, a pooler): its value, or the server's reason. */
async function optional<T>(client: Client, sql: string, pick: (row: Record<string, unknown>) => T): Promise<{ value: T | null; error?: string }> {
  try {
    const { rows } = await client.query(sql);
    return { value: rows[0] === undefined ? null : pick(rows[0] as Record<string, unknown>) };
  } catch (error) {
    return { value: null, error: errorMessage(error) };
  }
}

/** Every address the host name resolves to here; an IP literal is its own. */
export async function resolveHost(host: string): Promise<string[]> {
  if (isIP(host) !== 0) return [host];
  try {
    return [...new Set((await lookup(host, { all: true })).map((a) => a.address))].sort();
  } catch {
    return [];
  }
}

/**
 * Reads the identity over `client`. Must run outside a transaction: each query stands alone,
 * so one refused (a role without the privilege) does not abort the others.
 */
export async function probeIdentity(client: Client, host: string, port: number, withDatabase: boolean): Promise<ServerIdentity> {
  const sysid = await optional(client, "SELECT system_identifier::text AS id FROM pg_control_system()", (r) => String(r.id));
  const server = await optional(client, "SELECT host(inet_server_addr()) AS a, inet_server_port() AS p, pg_postmaster_start_time() AS t", (r) => r);
  const dataDir = await optional(client, "SELECT current_setting('data_directory') AS d", (r) => String(r.d));
  let database: ServerIdentity["database"] = null;
  if (withDatabase) {
    const { rows } = await client.query<{ name: string; oid: string; xmin: string; tables: string[] }>(
      `SELECT d.datname AS name, d.oid::text AS oid, d.xmin::text AS xmin,
              ARRAY(SELECT c.oid::text || ':' || n.nspname || '.' || c.relname
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind IN ('r', 'p')
                       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                       AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
                     ORDER BY c.oid) AS tables
         FROM pg_database d WHERE d.datname = current_database()`,
    );
    const row = rows[0];
    const fingerprint = createHash("sha256").update([row.oid, row.xmin, ...row.tables].join("\n")).digest("hex");
    database = { name: row.name, oid: Number(row.oid), catalogFingerprint: fingerprint, tables: row.tables.length };
  }
  const s = server.value;
  return {
    systemIdentifier: sysid.value,
    ...(sysid.error === undefined ? {} : { systemIdentifierError: sysid.error }),
    resolvedAddresses: await resolveHost(host),
    port,
    serverAddress: s?.a === null || s?.a === undefined ? null : String(s.a),
    serverPort: s?.p === null || s?.p === undefined ? null : Number(s.p),
    postmasterStartTime: s?.t instanceof Date ? s.t.toISOString() : null,
    dataDirectory: dataDir.value,
    database,
  };
}

/** 127.0.0.0/8 and ::1 are all this machine: one server listens on every one of them. */
function machineKey(address: string): string {
  if (address === "::1" || /^127\./.test(address) || /^::ffff:127\./.test(address)) return "loopback";
  return address.replace(/^::ffff:/, "");
}

export interface IdentityVerdict {
  readonly same: boolean;
  /** What matched (the reason for a refusal). */
  readonly matched: readonly string[];
  /** Everything compared, and what could not be (for the message). */
  readonly compared: readonly string[];
}

/**
 * Same server? The system identifier decides when both sides have one. Otherwise any one strong
 * match means "the same": an address and port (loopback counts as one machine), the server's own
 * address and port, its start time, or the database's oid with its catalog fingerprint.
 */
export function compareIdentity(source: Partial<ServerIdentity> & { host: string; port: number }, target: ServerIdentity): IdentityVerdict {
  if (source.systemIdentifier && target.systemIdentifier) {
    const same = source.systemIdentifier === target.systemIdentifier;
    return {
      same,
      matched: same ? [`the same system identifier ${target.systemIdentifier}`] : [],
      compared: ["system identifier"],
    };
  }
  const unreadable = [
    source.systemIdentifier ? undefined : "the dump's manifest",
    target.systemIdentifier ? undefined : `the target${target.systemIdentifierError ? ` (${target.systemIdentifierError})` : ""}`,
  ].filter((x): x is string => x !== undefined);
  const compared = [`system identifier: not readable on ${unreadable.join(" and ")}`];
  const matched: string[] = [];

  const sourceAddresses = source.resolvedAddresses ?? [source.host];
  compared.push("resolved address and port");
  const sourceMachines = new Set(sourceAddresses.map(machineKey));
  const shared = target.resolvedAddresses.find((a) => sourceMachines.has(machineKey(a)));
  if (shared !== undefined && target.port === source.port) matched.push(`address ${shared} port ${target.port} (the dump's: ${sourceAddresses.join(", ")} port ${source.port})`);

  if (source.serverAddress !== undefined) {
    compared.push("the server's own address and port (inet_server_addr/port)");
    if (source.serverAddress !== null && target.serverAddress === source.serverAddress && target.serverPort === source.serverPort)
      matched.push(`the server's own address ${target.serverAddress}:${target.serverPort}`);
  }
  if (source.postmasterStartTime !== undefined) {
    compared.push("server start time");
    if (source.postmasterStartTime !== null && target.postmasterStartTime === source.postmasterStartTime)
      matched.push(`the server start time ${target.postmasterStartTime}`);
  }
  if (source.database !== undefined) {
    compared.push("database oid and catalog fingerprint");
    const s = source.database;
    const t = target.database;
    if (s !== null && t !== null && s.tables > 0 && s.oid === t.oid && s.catalogFingerprint === t.catalogFingerprint)
      matched.push(`database oid ${t.oid} with the same ${t.tables} tables (catalog fingerprint ${t.catalogFingerprint.slice(0, 12)})`);
  }
  return { same: matched.length > 0, matched, compared };
}
