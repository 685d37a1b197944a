import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { join } from "node:path";

const REPO = join(__dirname, "..", "..");

/** Every entry point (`npm run <name>` runs `node --require tsx/cjs scripts/<file>.ts`) and how it labels a refusal. */
const COMMANDS: readonly { readonly name: string; readonly file: string; readonly label: string }[] = [
  { name: "plan", file: "plan", label: "" },
  { name: "blast-radius", file: "blast-radius", label: "blast-radius: " },
  { name: "drill", file: "drill", label: "drill: " },
  { name: "verify", file: "verify", label: "verify: " },
  { name: "readiness", file: "readiness", label: "" },
  { name: "policy:check", file: "policy-check", label: "" },
  { name: "policy:config", file: "policy-config", label: "" },
  { name: "backup", file: "backup", label: "usage: " },
  { name: "restore", file: "restore", label: "usage: " },
  { name: "sync", file: "sync", label: "usage: " },
  { name: "backup:redis", file: "backup-redis", label: "usage: " },
  { name: "restore:redis", file: "restore-redis", label: "usage: " },
];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The command as npm runs it. With `closeStdout`, the reading end of its stdout is closed before
 * it has started, so every write it makes there meets a closed pipe (EPIPE).
 */
function run(file: string, args: readonly string[], closeStdout = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", join(REPO, "scripts", `${file}.ts`), ...args], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    if (closeStdout) child.stdout.destroy();
    else child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The shell's `cmd | head -c1`, with the command's own exit code (not head's). */
function pipedToHead(file: string, args: readonly string[]): Promise<Run> {
  const command = [process.execPath, "--require", "tsx/cjs", join(REPO, "scripts", `${file}.ts`), ...args].map((a) => `'${a}'`).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `${command} | head -c1 >/dev/null; exit "\${PIPESTATUS[0]}"`], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout: "", stderr }));
  });
}

describe("every command: bad flags, --help and a closed pipe", function () {
  this.timeout(120_000);

  for (const { name, file, label } of COMMANDS) {
    it(`npm run ${name} refuses a misspelt flag with exit 2 and one line naming it and the closest flag`, async () => {
      const r = await run(file, ["--hepl"]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, `${label}--hepl: unknown option; did you mean --help? (see --help)\n`);
      assert.equal(r.stdout, "");
    });

    it(`npm run ${name} --help prints its usage and exits 0`, async () => {
      const r = await run(file, ["--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.startsWith(`Usage: npm run ${name}`), r.stdout);
      assert.match(r.stdout, /^ {2}--help +this text$/m);
      assert.equal(r.stderr, "");
    });

    it(`npm run ${name} --help into a closed pipe ends quietly with exit 0`, async () => {
      const r = await run(file, ["--help"], true);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
    });
  }

  it("a closed pipe keeps the command's own exit code: plan --check still exits 3, quietly", async () => {
    const r = await run("plan", ["--stack", "recovery", "--check", "--json"], true);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr, "");
  });

  it("npm run plan -- --json | head -c1 ends quietly with the plan's exit code", async () => {
    const r = await pipedToHead("plan", ["--stack", "recovery", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
  });

  it("a closed pipe under blast-radius keeps its DANGER exit code 4, quietly", async () => {
    const r = await run("blast-radius", ["--from", "tests/fixtures/preview/replace-database.json", "--json"], true);
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stderr, "");
  });
});
