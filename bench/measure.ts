import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
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

/** CPU seconds (user + system) a process has used so far, from /proc; undefined off Linux. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
