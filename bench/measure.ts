import { spawn } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(__dirname, "..");
/** How `npm run <script>` starts a TypeScript entry point: one node process with tsx's loader. */
export function script(path: string, args: readonly string[]): [string, string[]] {
  return [process.execPath, ["--require", "tsx/cjs", join(ROOT, path), ...args]];
}

/** Runs a command to completion (argument array, no shell), returning wall time in ms. */
export function timed(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ ms: number; stdout: string; stderr: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ ms, stdout, stderr });
    });
  });
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
