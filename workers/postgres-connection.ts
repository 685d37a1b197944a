import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Client, type ClientConfig } from "pg";
import type { ConnectionOptions } from "node:tls";
import { isAmbiguousUrl, maskText, maskUrl, PERCENT_ENCODE_HINT, rememberSecret } from "./mask-url";
import { errorMessage, UsageError } from "./errors";

/** Where a database is, as recorded in a manifest (never the password). */
export interface DatabaseIdentity {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

/**
 * The TLS modes both halves of the tool read the same way. libpq (pg_dump, pg_restore, psql)
 * defines them; node-pg's own reading differs (it treats `require` as `verify-full`, and knows a
 * `no-verify` that libpq refuses), so node-pg's config is built here, never from the URL by pg.
 */
export type SslMode = "disable" | "require" | "verify-ca" | "verify-full";
const SSL_MODES: readonly SslMode[] = ["disable", "require", "verify-ca", "verify-full"];

/** What this module reads from a URL's query for TLS (or libpq's PGSSL* variables, as libpq does). */
export interface TlsSettings {
  readonly mode: SslMode;
  /** The CA bundle the server's certificate must chain to; undefined: none (only with require). */
  readonly rootCert?: string;
  readonly cert?: string;
  readonly key?: string;
}

const TLS_KEYS = new Set(["sslmode", "sslrootcert", "sslcert", "sslkey"]);

/** A connection URL that cannot be used as given; the message never holds the password. */
export class ConnectionUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionUrlError";
  }
}

const EXAMPLE = "postgresql://user@host:5432/dbname?sslmode=verify-full&sslrootcert=/path/to/ca.pem";

/** The userinfo of a URL string, cut at its last `@` (a raw `@` in the password is still inside). */
function rawPasswordOf(raw: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(.*)@/is.exec(raw);
  if (!m) return undefined;
  const colon = m[1].indexOf(":");
  return colon === -1 ? undefined : m[1].slice(colon + 1);
}

/** Parses a `postgresql://` URL; `argument` names the flag in the error. */
export function parseDatabaseUrl(argument: string, value: unknown): URL {
  if (typeof value !== "string" || value === "") {
    throw new UsageError(argument, `is required; give a connection URL like ${EXAMPLE}`);
  }
  // Before anything can print it: what may be a password, and its pieces between special
  // characters (a DNS error would show such a piece as a host name).
  const raw = rawPasswordOf(value);
  rememberSecret(raw);
  for (const piece of raw?.split(/[@:/#?]/) ?? []) if (piece.length >= 4) rememberSecret(piece);
  if (isAmbiguousUrl(value)) {
    throw new UsageError(argument, `"${maskUrl(value)}" cannot be read one way only (a raw @, #, ? or % after the user name); ${PERCENT_ENCODE_HINT}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(argument, `"${maskUrl(value)}" is not a connection URL; write it as ${EXAMPLE}, and ${PERCENT_ENCODE_HINT}`);
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new UsageError(argument, `"${maskUrl(value)}" is not a postgresql:// URL; write it as ${EXAMPLE}`);
  }
  if (url.hostname === "") {
    throw new UsageError(argument, `"${maskUrl(value)}" names no host; write it as ${EXAMPLE}`);
  }
  if (url.pathname.replace(/^\//, "") === "") {
    throw new UsageError(argument, `"${maskUrl(value)}" names no database; add it after the port, e.g. ${EXAMPLE}`);
  }
  try {
    rememberSecret(passwordOf(url));
    tlsSettings(url);
  } catch (error) {
    throw new UsageError(argument, errorMessage(error));
  }
  return url;
}

function decoded(text: string, what: string, url: URL): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConnectionUrlError(`${maskUrl(url.toString())}: the ${what} is not valid percent-encoding; ${PERCENT_ENCODE_HINT}`);
  }
}

function passwordOf(url: URL): string | undefined {
  const fromUserinfo = url.password === "" ? undefined : decoded(url.password, "password", url);
  return fromUserinfo ?? url.searchParams.get("password") ?? undefined;
}

export function identityOf(url: URL): DatabaseIdentity {
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? 5432 : Number(url.port),
    database: decodeURIComponent(url.pathname.replace(/^\//, "")),
  };
}

/**
 * The URL's TLS settings, with libpq's defaults: the URL first, then PGSSLMODE/PGSSLROOTCERT…,
 * then `~/.postgresql/root.crt` when that file exists. Without any sslmode: `disable`, since
 * libpq's own default (`prefer`, which falls back to plain text) is something node-pg cannot do.
 */
export function tlsSettings(url: URL, env: NodeJS.ProcessEnv = process.env): TlsSettings {
  const masked = maskUrl(url.toString());
  for (const key of url.searchParams.keys()) {
    if ((key.startsWith("ssl") && !TLS_KEYS.has(key)) || key === "uselibpqcompat") {
      throw new ConnectionUrlError(`${masked}: ${key} is not supported (node-pg and libpq read it differently); use sslmode and sslrootcert, e.g. ${EXAMPLE}`);
    }
  }
  const param = (key: string, envKey: string): string | undefined => {
    const value = url.searchParams.get(key) ?? env[envKey];
    return value === undefined || value === "" ? undefined : value;
  };
  const mode = param("sslmode", "PGSSLMODE") ?? "disable";
  if (mode === "no-verify") {
    throw new ConnectionUrlError(
      `${masked}: sslmode=no-verify is node-pg's alone; libpq (pg_dump, pg_restore) refuses it. Use sslmode=verify-full&sslrootcert=<CA bundle> ` +
        "(or sslmode=require: encrypted, the certificate not checked)",
    );
  }
  if (mode === "allow" || mode === "prefer") {
    throw new ConnectionUrlError(
      `${masked}: sslmode=${mode} falls back to an unencrypted connection in libpq but not in node-pg; ` +
        "say which one you mean: sslmode=verify-full&sslrootcert=<CA bundle>, sslmode=require, or sslmode=disable",
    );
  }
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new ConnectionUrlError(`${masked}: sslmode=${mode} is not a TLS mode; use one of ${SSL_MODES.join(", ")}`);
  }
  const sslMode = mode as SslMode;
  if (sslMode === "disable") return { mode: sslMode };
  const readable = (key: string, path: string): string => {
    if (path === "system") {
      throw new ConnectionUrlError(`${masked}: ${key}=system needs libpq 16 or later and node-pg does not know it; give the path of a CA bundle file`);
    }
    if (!existsSync(path)) {
      throw new ConnectionUrlError(`${masked}: ${key}=${path} does not exist; give the path of the file (for RDS, the CA bundle: see the README's TLS section)`);
    }
    return path;
  };
  const defaultRoot = join(homedir(), ".postgresql", "root.crt");
  const explicitRoot = param("sslrootcert", "PGSSLROOTCERT");
  const rootCert = explicitRoot !== undefined ? readable("sslrootcert", explicitRoot) : existsSync(defaultRoot) ? defaultRoot : undefined;
  if (rootCert === undefined && sslMode !== "require") {
    throw new ConnectionUrlError(`${masked}: sslmode=${sslMode} checks the server's certificate against a CA; add sslrootcert=<CA bundle file>, e.g. ${EXAMPLE}`);
  }
  const cert = param("sslcert", "PGSSLCERT");
  const key = param("sslkey", "PGSSLKEY");
  return {
    mode: sslMode,
    rootCert,
    cert: cert === undefined ? undefined : readable("sslcert", cert),
    key: key === undefined ? undefined : readable("sslkey", key),
  };
}

/** node-pg's TLS options for libpq's meaning of the mode. */
function nodeSsl(tls: TlsSettings): false | ConnectionOptions {
  if (tls.mode === "disable") return false;
  const files: ConnectionOptions = {
    ...(tls.cert ? { cert: readFileSync(tls.cert, "utf8") } : {}),
    ...(tls.key ? { key: readFileSync(tls.key, "utf8") } : {}),
  };
  // libpq's `require` with a root certificate behaves as verify-ca; without one, it only encrypts.
  if (tls.rootCert === undefined) return { ...files, rejectUnauthorized: false };
  const ca = readFileSync(tls.rootCert, "utf8");
  if (tls.mode === "verify-full") return { ...files, ca, rejectUnauthorized: true };
  return { ...files, ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
}

/** node-pg's config for a URL, read the way libpq reads it (see `libpqInvocation`). */
export function nodePgConfig(url: URL | string): ClientConfig {
  const parsed = typeof url === "string" ? parseUrlText(url) : url;
  const id = identityOf(parsed);
  const q = parsed.searchParams;
  const connectTimeout = q.get("connect_timeout");
  return {
    host: id.host,
    port: id.port,
    database: id.database,
    user: parsed.username === "" ? undefined : decoded(parsed.username, "user name", parsed),
    password: passwordOf(parsed),
    ssl: nodeSsl(tlsSettings(parsed)),
    ...(q.get("application_name") ? { application_name: q.get("application_name")! } : {}),
    ...(q.get("options") ? { options: q.get("options")! } : {}),
    ...(connectTimeout && Number(connectTimeout) > 0 ? { connectionTimeoutMillis: Number(connectTimeout) * 1000 } : {}),
  };
}

/** A URL that did not come through `parseDatabaseUrl` (stack outputs): the same checks, a plain error. */
function parseUrlText(text: string): URL {
  try {
    return parseDatabaseUrl("connection URL", text);
  } catch (error) {
    throw new ConnectionUrlError(errorMessage(error));
  }
}

/**
 * Arguments and environment for pg_dump/pg_restore: the password travels in PGPASSWORD, not on
 * the command line, where `ps` would show it to anyone on the host. The TLS settings are written
 * into the URL as resolved above, so libpq uses exactly the mode and CA file node-pg uses.
 */
export function libpqInvocation(url: URL): { dbnameArg: string; env: NodeJS.ProcessEnv } {
  const tls = tlsSettings(url);
  const password = passwordOf(url);
  const forLibpq = new URL(url.toString());
  forLibpq.password = "";
  forLibpq.searchParams.delete("password");
  for (const key of TLS_KEYS) forLibpq.searchParams.delete(key);
  forLibpq.searchParams.set("sslmode", tls.mode);
  if (tls.rootCert) forLibpq.searchParams.set("sslrootcert", tls.rootCert);
  if (tls.cert) forLibpq.searchParams.set("sslcert", tls.cert);
  if (tls.key) forLibpq.searchParams.set("sslkey", tls.key);
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? "15" };
  if (password) env.PGPASSWORD = password;
  return { dbnameArg: `--dbname=${forLibpq.toString()}`, env };
}

const CERT_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
]);

function tlsOnlyFix(): string {
  return (
    "the server accepts only TLS connections (pg_hba.conf has only hostssl lines; RDS for PostgreSQL 15 and later sets rds.force_ssl=1); " +
    "add ?sslmode=verify-full&sslrootcert=<CA bundle> to the URL (README: TLS)"
  );
}

function caFix(url: URL, reason: string): string {
  const root = tlsSettings(url).rootCert;
  return (
    `the server's certificate was refused (${reason}): it is not signed by a CA in sslrootcert=${root ?? "(none)"}; ` +
    "give the CA bundle that signed the server's certificate (for RDS: the README's TLS section)"
  );
}

/**
 * Node 24 ends certificate errors with "; if the root CA is installed locally, try running Node.js
 * with --use-system-ca". Here the CA comes from the URL's sslrootcert, never the system store, so
 * that advice would send an operator the wrong way: the same reason is given on every Node.
 */
function withoutSystemCaHint(message: string): string {
  return message.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca$/, "");
}

/** Why a node-pg connection failed, and the fix where one is known; never the password. */
export function explainConnectError(error: unknown, url: URL): string {
  const e = error as { code?: string; message?: string };
  const message = errorMessage(error);
  let explained = message;
  if (e.code === "28000" && /no encryption/.test(message)) explained = `${message}: ${tlsOnlyFix()}`;
  else if (/does not support SSL/i.test(message)) explained = `${message}: the server does not offer TLS; use sslmode=disable, or enable ssl on the server`;
  else if (e.code !== undefined && CERT_CODES.has(e.code)) explained = caFix(url, withoutSystemCaHint(message));
  else if (e.code === "ERR_TLS_CERT_ALTNAME_INVALID")
    explained = `the server's certificate does not name ${identityOf(url).host} (${message}); connect by a name the certificate carries`;
  return maskText(explained);
}

/** The same for libpq's words (pg_dump, pg_restore, psql), from a failed command's message. */
export function explainLibpqError(error: unknown, url: URL): Error {
  const message = errorMessage(error);
  let explained = message;
  if (/certificate verify failed/i.test(message)) explained = caFix(url, message);
  else if (/does not match host name/i.test(message))
    explained = `the server's certificate does not name ${identityOf(url).host} (${message}); connect by a name the certificate carries`;
  else if (/no encryption/.test(message)) explained = `${message}: ${tlsOnlyFix()}`;
  else if (/server does not support SSL/i.test(message)) explained = `${message}: the server does not offer TLS; use sslmode=disable`;
  return new Error(maskText(explained));
}

/** A failed connection with its driver code kept (`3D000`: no such database), message explained. */
export class ConnectError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "ConnectError";
  }
}

/** A connection with timeouts, so an unreachable server fails in seconds, not minutes. */
export async function connect(url: URL | string, queryTimeoutMs = 600_000): Promise<Client> {
  const parsed = typeof url === "string" ? new URL(url) : url;
  const client = new Client({
    connectionTimeoutMillis: 15_000,
    ...nodePgConfig(parsed),
    query_timeout: queryTimeoutMs,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new ConnectError(explainConnectError(error, parsed), (error as { code?: string }).code);
  }
  return client;
}

/** The same server, another database (for CREATE DATABASE). */
export function withDatabase(url: URL, database: string): URL {
  const other = new URL(url.toString());
  other.pathname = `/${encodeURIComponent(database)}`;
  return other;
}
