import { spawn } from "node:child_process";
import { join } from "node:path";

export interface ScriptResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as the one JSON object `--json` promises (undefined if it is not one). */
  readonly json: Record<string, unknown> | undefined;
}

const ROOT = join(__dirname, "..", "..");

/**
 * Runs `node --require tsx/cjs --require ./scripts/node20.ts scripts/<name>.ts ...args` exactly as
 * `npm run <name> -- ...args` does.
 */
export function runScript(
  name: string,
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    onStderr?: (text: string, kill: () => void) => void;
    /** Polled every 20 ms; when it returns true the script and its children are SIGKILLed. */
    killWhen?: () => boolean;
    /** The script's process, e.g. to send it SIGINT or SIGTERM once an event was seen. */
    onSpawn?: (child: import("node:child_process").ChildProcess) => void;
  } = {},
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", "--require", join(ROOT, "scripts", "node20.ts"), join(ROOT, "scripts", `${name}.ts`), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so a test can kill it with its children, like a pod being killed.
      detached: true,
    });
    options.onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    const kill = (): void => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    };
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      options.onStderr?.(stderr, kill);
    });
    const poll = options.killWhen
      ? setInterval(() => {
          if (options.killWhen!()) kill();
        }, 20)
      : undefined;
    child.once("error", reject);
    child.once("close", (code) => {
      if (poll) clearInterval(poll);
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}
