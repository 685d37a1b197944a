import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/**
 * s3rver (with the gaps filled, see s3rver-main.ts) in child processes over one temp dir. Its store
 * is the filesystem and nothing else, so several processes serve the same buckets: one Node
 * process answers one request at a time on the CPU (~2-7 ms each here), and S3 does not.
 */
export interface BenchS3 {
  /** The first worker (for filling buckets without the proxy's delay). */
  readonly endpoint: string;
  /** Every worker, for the proxy to spread requests over. */
  readonly endpoints: readonly string[];
  readonly pids: readonly number[];
  /** Where s3rver keeps the buckets (one directory per bucket). */
  readonly directory: string;
  stop(): Promise<void>;
}

/** s3rver's default account: it checks the access key exists (signatures may mismatch behind the proxy). */
export const BENCH_CREDENTIALS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

async function startWorker(directory: string): Promise<{ child: ChildProcess; port: number }> {
  // s3rver encrypts its ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17 and
  // later) only has in its legacy provider: without it every listing past 1,000 keys answers 500.
  const args = ["--openssl-legacy-provider", "--require", "tsx/cjs", join(__dirname, "s3rver-main.ts"), directory];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /^ready (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, port };
}

export async function startBenchS3(workers = 3): Promise<BenchS3> {
  const directory = await mkdtemp(join(tmpdir(), "bench-s3rver-"));
  const started = await Promise.all(Array.from({ length: workers }, () => startWorker(directory)));
  const endpoints = started.map((w) => `http://127.0.0.1:${w.port}`);
  return {
    endpoint: endpoints[0],
    endpoints,
    pids: started.map((w) => w.child.pid!),
    directory,
    async stop() {
      await Promise.all(
        started.map(async ({ child }) => {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          await exited;
        }),
      );
      await rm(directory, { recursive: true, force: true });
    },
  };
}
