import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./free-port";

/** A `moto_server` on 127.0.0.1 answering S3, Secrets Manager and RDS. */
export interface LocalAws {
  readonly endpoint: string;
  /** Environment for child processes (scripts, `aws`): endpoint, region and dummy credentials. */
  readonly env: Record<string, string>;
  /** The server's process id (benchmarks read its CPU time). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

async function waitUntilAnswering(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode} before answering`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${READY_TIMEOUT_MS} ms`);
}

/**
 * Starts moto_server and points this process's AWS SDK at it through `AWS_ENDPOINT_URL`
 * (the SDK v3 honours it by itself), so tests run exactly the code users run.
 */
export async function startMoto(): Promise<LocalAws> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  try {
    child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  } catch (error) {
    throw new Error(`moto_server could not be started (${String(error)}); it comes with this machine kind`);
  }
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (e) => reject(new Error(`moto_server could not be started: ${e.message}`))),
  );
  await Promise.race([waitUntilAnswering(endpoint, child), spawnError]);
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: "eu-west-2",
    AWS_DEFAULT_REGION: "eu-west-2",
  };
  const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return {
    endpoint,
    env,
    pid: child.pid,
    async stop() {
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
