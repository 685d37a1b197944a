import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port";

/** A throwaway redis-server (Debian's), on a free port on 127.0.0.1, with its own data dir. */
export interface LocalRedis {
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  /** redis-cli's connection arguments (port, password). */
  readonly cliArgs: readonly string[];
  /** One command through redis-cli; an error reply throws. */
  cli(args: readonly string[], db?: number): string;
  /** What the server printed (the load lines: keys loaded, expired). */
  log(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * Starts redis-server with `--dir` (a given data dir, to load its dump.rdb, or a new temp dir)
 * and DEBUG enabled for local clients (`DEBUG DIGEST` compares whole datasets). Resolves when the
 * server logs that it accepts connections; always pair with `stop()` in `after`.
 */
export async function startRedis(options: { dir?: string; password?: string } = {}): Promise<LocalRedis> {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "pipe" });
  } catch {
    throw new Error("redis-server not found: install Debian's with `apt-get install -y redis-server` (.ci/run does this)");
  }
  const port = await freePort();
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "recovery-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
    "--enable-debug-command", "local", "--logfile", ""];
  if (options.password) args.push("--requirepass", options.password);
  const child: ChildProcess = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not get ready in ${READY_TIMEOUT_MS} ms: ${output}`)), READY_TIMEOUT_MS);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready to accept connections/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready: ${output.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
  const auth = options.password ? ["-a", options.password, "--no-auth-warning"] : [];
  return {
    port,
    dir,
    cliArgs: ["-p", String(port), ...auth],
    url: options.password ? `redis://:${options.password}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    cli: (cmd, db) =>
      execFileSync("redis-cli", ["-p", String(port), ...auth, "-e", ...(db === undefined ? [] : ["-n", String(db)]), ...cmd], {
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      }).trim(),
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await exited;
      }
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The RESP encoding of one command, for `redis-cli --pipe` (a writer, not a parser). */
function resp(args: readonly (string | number)[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    const s = String(a);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

/** What `fillDataset` wrote, for assertions. */
export interface Dataset {
  readonly db0Keys: number;
  readonly db1Keys: number;
  readonly sessions: number;
  /** Keys with a TTL, by database, to compare their expiry times. */
  readonly ttlKeys: { readonly db: number; readonly key: string }[];
}

/**
 * Seed 004's kind of cache: sessions with TTLs, and every type RDB stores (strings, hashes, sets,
 * sorted sets, lists, streams), in db 0, plus carts with TTLs in db 1. `units` of each type.
 */
export function fillDataset(redis: LocalRedis, units: number): Dataset {
  const db0: string[] = [resp(["SELECT", 0])];
  const db1: string[] = [resp(["SELECT", 1])];
  const ttlKeys: { db: number; key: string }[] = [];
  const carts = Math.floor(units / 10);
  const streams = Math.floor(units / 10);
  for (let i = 0; i < units; i++) {
    db0.push(resp(["SET", `session:${i}`, JSON.stringify({ user: i, roles: ["customer"], csrf: `t${i * 7919}` }), "PX", 3_600_000 + i]));
    ttlKeys.push({ db: 0, key: `session:${i}` });
    db0.push(resp(["HSET", `user:${i}`, "name", `User ${i}`, "email", `u${i}@example.com`, "visits", i]));
    db0.push(resp(["SADD", `tags:${i}`, "kitchen", "oak", `t${i % 17}`]));
    db0.push(resp(["ZADD", `board:${i}`, 1, "a", i, "b", 2.5, "c"]));
    db0.push(resp(["RPUSH", `queue:${i}`, "x", "y", `z${i}`]));
    db0.push(resp(["SET", `counter:${i}`, i]));
  }
  for (let i = 0; i < streams; i++) db0.push(resp(["XADD", `events:${i}`, `${1700000000000 + i}-0`, "type", "login", "n", i]));
  db0.push(resp(["SET", "plainkey", "no prefix"]));
  for (let i = 0; i < carts; i++) {
    db1.push(resp(["SET", `cart:${i}`, `{"items":${i}}`, "EX", 7200]));
    ttlKeys.push({ db: 1, key: `cart:${i}` });
  }
  execFileSync("redis-cli", [...redis.cliArgs, "--pipe"], { input: [...db0, ...db1].join(""), stdio: ["pipe", "pipe", "pipe"] });
  return { db0Keys: units * 6 + streams + 1, db1Keys: carts, sessions: units, ttlKeys };
}

/** Absolute expiry (ms since the epoch) of each key, read with one Lua call per database. */
export function expiryTimes(redis: LocalRedis, keys: readonly { db: number; key: string }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const db of [...new Set(keys.map((k) => k.db))]) {
    const names = keys.filter((k) => k.db === db).map((k) => k.key);
    const script = "local r = {} for i, k in ipairs(KEYS) do r[i] = redis.call('PEXPIRETIME', k) end return cjson.encode(r)";
    const reply = JSON.parse(redis.cli(["EVAL", script, String(names.length), ...names], db)) as number[];
    names.forEach((k, i) => out.set(`${db}/${k}`, reply[i]));
  }
  return out;
}
