import { linkSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { runForOutput, start } from "./child-process";
import { keyspaceOf, parseInfo } from "./redis-connection";

/** Keys in one database of an RDB, as a Redis loading it sees them. */
export interface DatabaseCounts {
  readonly db: number;
  readonly keys: number;
  /** Keys with a TTL. */
  readonly expires: number;
  /** Keys per prefix (up to and including the first `:`; `""` for keys without one), largest first. */
  readonly prefixes: Record<string, number>;
  /** Keys under prefixes beyond the largest MAX_PREFIXES, so the prefixes still add up to `keys`. */
  readonly otherPrefixKeys: number;
}

export const MAX_PREFIXES = 100;

const LOAD_TIMEOUT_MS = 10 * 60_000;

// One pass of SCAN inside the scratch server, binary-safe, counted where the keys are; the
// result is one JSON string, so no key name ever goes through redis-cli's line output.
const COUNT_PREFIXES = `
local counts = {}
local cursor = "0"
repeat
  local reply = redis.call("SCAN", cursor, "COUNT", 1000)
  cursor = reply[1]
  for _, key in ipairs(reply[2]) do
    local at = string.find(key, ":", 1, true)
    local prefix = at and string.sub(key, 1, at) or ""
    counts[prefix] = (counts[prefix] or 0) + 1
  end
until cursor == "0"
return cjson.encode(counts)
`;

/**
 * Counts keys per database and per prefix by loading the RDB into a throwaway `redis-server`
 * (unix socket only, no TCP port, nothing saved). The counts are exactly what a restored Redis
 * loads (keys already expired are dropped at load, as they will be there), and a file that
 * loads here is proven loadable before the backup is called good.
 */
export async function countKeysInRdb(rdbPath: string): Promise<DatabaseCounts[]> {
  // Beside the file, so the link is on the same filesystem and the RDB is not copied.
  const scratch = mkdtempSync(join(dirname(rdbPath), "redis-count-"));
  const socket = join(scratch, "redis.sock");
  try {
    try {
      linkSync(rdbPath, join(scratch, "dump.rdb"));
    } catch {
      copyFileSync(rdbPath, join(scratch, "dump.rdb"));
    }
    const server = start(
      "redis-server",
      ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--dir", scratch, "--dbfilename", "dump.rdb",
        "--save", "", "--appendonly", "no", "--activerehashing", "no", "--logfile", ""],
      { stdio: ["ignore", "pipe", "pipe"], timeout: LOAD_TIMEOUT_MS },
    );
    try {
      await readyOrExit(server);
      const cli = (args: string[]) => runForOutput("redis-cli", ["-s", socket, "-e", ...args], { timeout: LOAD_TIMEOUT_MS });
      const keyspace = keyspaceOf(parseInfo(await cli(["INFO", "keyspace"])));
      const out: DatabaseCounts[] = [];
      for (const { db, keys, expires } of keyspace) {
        const counted = JSON.parse(await cli(["-n", String(db), "EVAL", COUNT_PREFIXES, "0"])) as Record<string, number>;
        const sorted = Object.entries(counted).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
        const kept = sorted.slice(0, MAX_PREFIXES);
        const other = sorted.slice(MAX_PREFIXES).reduce((sum, [, n]) => sum + n, 0);
        const total = sorted.reduce((sum, [, n]) => sum + n, 0);
        if (total !== keys) throw new Error(`counting db${db} found ${total} keys but the server holds ${keys}`);
        out.push({ db, keys, expires, prefixes: Object.fromEntries(kept), otherPrefixKeys: other });
      }
      await cli(["SHUTDOWN", "NOSAVE"]).catch(() => undefined);
      return out;
    } finally {
      server.child.kill("SIGKILL");
      await server.done.catch(() => undefined);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Resolves when the server logs that it accepts connections; rejects with its log if it exits. */
function readyOrExit(server: ReturnType<typeof start>): Promise<void> {
  return new Promise((resolve, reject) => {
    const log: string[] = [];
    server.child.stdout!.setEncoding("utf8");
    server.child.stdout!.on("data", (chunk: string) => {
      log.push(chunk);
      if (/ready to accept connections/i.test(log.join(""))) resolve();
    });
    server.done.then(
      () => reject(new Error(`redis-server exited while loading the RDB: ${lastLines(log)}`)),
      (error: Error) => reject(new Error(`redis-server could not load the RDB: ${lastLines(log) || error.message}`)),
    );
  });
}

function lastLines(log: string[]): string {
  return log.join("").trim().split("\n").slice(-3).map((l) => l.replace(/^\d+:[A-Z] [^*#-]*[*#-] /, "")).join(" | ");
}
