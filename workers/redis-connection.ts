import { ProcessError, runForOutput } from "./child-process";
import { UsageError } from "./errors";
import { maskUrl } from "./mask-url";

/**
 * Redis is reached through `redis-cli` (redis-tools), the client Redis itself ships: the same
 * binary an SRE runs by hand in seed 004 Restore 2A, and the one that can take an RDB over the
 * replication protocol (`--rdb`), which no npm client does.
 */

/** Where a Redis is, as recorded in a manifest (never the password). */
export interface RedisIdentity {
  readonly host: string;
  readonly port: number;
}

/** Every redis-cli call gets a deadline: a hung connection fails instead of stalling a Job. */
export const REDIS_CLI_TIMEOUT_MS = 30_000;

/** Parses `redis://[user[:password]@]host[:port][/db]` (or `rediss://` for TLS). */
export function parseRedisUrl(argument: string, value: unknown): URL {
  const example = "redis://host:6379 (or rediss://user@host:6380 for TLS)";
  if (typeof value !== "string" || value === "") {
    throw new UsageError(argument, `is required; give a Redis URL like ${example}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(argument, `"${maskUrl(value)}" is not a URL; write it as ${example}`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new UsageError(argument, `"${maskUrl(value)}" is not a redis:// URL; write it as ${example}`);
  }
  if (url.hostname === "") {
    throw new UsageError(argument, `"${maskUrl(value)}" names no host; write it as ${example}`);
  }
  const db = url.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) {
    throw new UsageError(argument, `"${maskUrl(value)}" has "${db}" as its database; give a number (redis://host:6379/0) or none`);
  }
  return url;
}

export function redisIdentityOf(url: URL): RedisIdentity {
  return { host: url.hostname, port: url.port === "" ? 6379 : Number(url.port) };
}

/**
 * redis-cli arguments and environment for a URL. The password travels in REDISCLI_AUTH, not on
 * the command line, where `ps` would show it to anyone on the host (invariant 4).
 */
export function redisCliInvocation(url: URL): { args: string[]; env: NodeJS.ProcessEnv } {
  const { host, port } = redisIdentityOf(url);
  const args = ["-h", host, "-p", String(port), "--no-auth-warning"];
  if (url.username !== "") args.push("--user", decodeURIComponent(url.username));
  if (url.protocol === "rediss:") args.push("--tls");
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.REDISCLI_AUTH;
  if (url.password !== "") env.REDISCLI_AUTH = decodeURIComponent(url.password);
  return { args, env };
}

/**
 * redis-cli with a URL's connection, returning stdout. It does not stop with us on a signal:
 * verify runs it inside the drill, whose own Ctrl-C handling (a second SIGINT still destroys)
 * must stay in charge, and a read-only command with a deadline leaves nothing behind.
 */
export async function redisCli(url: URL, command: readonly string[], db?: number): Promise<string> {
  const { args, env } = redisCliInvocation(url);
  const dbArgs = db === undefined ? [] : ["-n", String(db)];
  try {
    return await runForOutput("redis-cli", [...args, ...dbArgs, ...command], { env, timeout: REDIS_CLI_TIMEOUT_MS, stopWithUs: false });
  } catch (error) {
    if (!(error instanceof ProcessError)) throw error;
    const { exitCode, timedOut, stderr, stdout, startError } = error.outcome;
    const said = [...stderr, ...stdout.split("\n")].map((l) => l.trim()).find((l) => l !== "") ?? error.message;
    const why = timedOut
      ? `timed out after ${REDIS_CLI_TIMEOUT_MS} ms`
      : startError !== undefined
        ? `exited with ${startError.code}: ${startError.message}`
        : `exited with ${exitCode}: ${said}`;
    throw new Error(`${maskUrl(url.toString())}: redis-cli ${why}`);
  }
}

/** One command (`-e`: an error reply is a non-zero exit, not a printed line). */
export function redisCommand(url: URL, command: readonly string[], db?: number): Promise<string> {
  return redisCli(url, ["-e", ...command], db);
}

/** `INFO <section>` as key → value (the documented `field:value` lines). */
export async function redisInfo(url: URL, section: string): Promise<Map<string, string>> {
  return parseInfo(await redisCommand(url, ["INFO", section]));
}

export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/** `db0:keys=3,expires=1,avg_ttl=0` lines of `INFO keyspace`, as numbers per database. */
export function keyspaceOf(info: Map<string, string>): { db: number; keys: number; expires: number }[] {
  const out: { db: number; keys: number; expires: number }[] = [];
  for (const [field, value] of info) {
    const m = /^db(\d+)$/.exec(field);
    if (!m) continue;
    const stats = new Map(value.split(",").map((kv) => kv.split("=") as [string, string]));
    out.push({ db: Number(m[1]), keys: Number(stats.get("keys") ?? 0), expires: Number(stats.get("expires") ?? 0) });
  }
  return out.sort((a, b) => a.db - b.db);
}
