import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, chownSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port";

/** How a test wants its server; every field is optional and the default is a plain local server. */
export interface PostgresOptions {
  /** listen_addresses. Defaults to `["127.0.0.1"]`; `["127.0.0.1", "127.0.0.2"]` is one server under two addresses. */
  readonly listen?: readonly string[];
  /** ssl=on with this certificate and key (PEM files; copied into the data dir). Defaults to no TLS. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /**
   * pg_hba.conf's TCP lines, replacing the default `host all all 127.0.0.1/32 trust` (local
   * socket connections stay trusted). E.g. only `hostssl …` lines for a TLS-only server.
   */
  readonly hba?: readonly string[];
}

/** A throwaway PostgreSQL cluster: Debian's binaries, a temp dir, a free port on 127.0.0.1. */
export interface LocalPostgres {
  readonly port: number;
  readonly host: string;
  readonly binDir: string;
  /** The socket directory (for setup the TCP rules would refuse, e.g. on a TLS-only server). */
  readonly socketDir: string;
  /** `postgresql://postgres@127.0.0.1:PORT/<database>` (trust auth, no password). */
  url(database?: string): string;
  stop(): void;
}

/** Finds Debian's server binaries (initdb, pg_ctl); `PG_BIN` overrides. */
export function findPostgresBinDir(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, "initdb"))) return fromEnv;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (or PG_BIN): " +
        "install Debian's PostgreSQL with `apt-get install -y postgresql` (.ci/run does this)",
    );
  }
  return join(root, versions[0], "bin");
}

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0;

/** Runs a server binary, as the `postgres` user when we are root (initdb refuses root). */
function runAsServerUser(binary: string, args: string[]): void {
  if (isRoot()) {
    const quoted = [binary, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", quoted], { stdio: "pipe" });
  } else {
    execFileSync(binary, args, { stdio: "pipe" });
  }
}

/** Starts a new cluster; always pair with `stop()` in an `after` hook. */
export async function startPostgres(options: PostgresOptions = {}): Promise<LocalPostgres> {
  const binDir = findPostgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "recovery-pg-"));
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const dataDir = join(dir, "data");
  const port = await freePort();
  runAsServerUser(join(binDir, "initdb"), ["-D", dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
  const extra: string[] = [];
  if (options.tls) {
    // The server refuses a key others can read; it must belong to the server's user.
    for (const [from, name] of [[options.tls.certFile, "server.crt"], [options.tls.keyFile, "server.key"]] as const) {
      copyFileSync(from, join(dataDir, name));
      chmodSync(join(dataDir, name), 0o600);
      if (isRoot()) {
        const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
        chownSync(join(dataDir, name), uid, Number(execFileSync("id", ["-g", "postgres"]).toString().trim()));
      }
    }
    extra.push("-c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key");
  }
  if (options.hba) writeFileSync(join(dataDir, "pg_hba.conf"), ["local all all trust", ...options.hba, ""].join("\n"));
  const listen = (options.listen ?? ["127.0.0.1"]).join(",");
  runAsServerUser(join(binDir, "pg_ctl"), [
    "-D",
    dataDir,
    "-l",
    join(dir, "server.log"),
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=${listen} -c fsync=off -c full_page_writes=off ${extra.join(" ")}`.trim(),
    "-w",
    "start",
  ]);
  let stopped = false;
  return {
    port,
    host: "127.0.0.1",
    binDir,
    socketDir: dir,
    url: (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        runAsServerUser(join(binDir, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Creates a database with `createdb` from the same binaries. */
export function createDatabase(pg: LocalPostgres, name: string): string {
  const result = spawnSync(join(pg.binDir, "createdb"), ["-h", pg.host, "-p", String(pg.port), "-U", "postgres", name]);
  if (result.status !== 0) throw new Error(`createdb ${name} failed: ${result.stderr.toString()}`);
  return pg.url(name);
}
