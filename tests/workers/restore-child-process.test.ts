import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

/** Runs a snippet in a fresh node (tsx loader) and returns what it printed: listeners are process-wide state. */
function inFreshNode(code: string): string {
  const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", code], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe("workers/child-process.ts and Ctrl-C", function () {
  this.timeout(60_000);

  it("installs no SIGINT or SIGTERM handler when it is imported", () => {
    const out = inFreshNode(`
      const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
      require("./workers/child-process");
      require("./workers/restore");
      console.log(JSON.stringify([before, [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]]));`);
    assert.equal(out, "[[0,0],[0,0]]");
  });

  it("installs one handler of each while children run and removes them when the last one exits", () => {
    const out = inFreshNode(`
      const { start } = require("./workers/child-process");
      const count = () => process.listenerCount("SIGINT") + "/" + process.listenerCount("SIGTERM");
      const a = start("true", []);
      const b = start("true", []);
      const during = count();
      Promise.all([a.done, b.done]).then(() => console.log(JSON.stringify([during, count()])));`);
    assert.equal(out, '["1/1","0/0"]');
  });

  it("installs no handler while a command started with stopWithUs: false runs", () => {
    const out = inFreshNode(`
      const { start } = require("./workers/child-process");
      const a = start("true", [], { stopWithUs: false });
      const during = process.listenerCount("SIGINT") + "/" + process.listenerCount("SIGTERM");
      a.done.then(() => console.log(JSON.stringify(during)));`);
    assert.equal(out, '"0/0"');
  });

  it("says a command killed by its timeout timed out, with the timeout", () => {
    const out = inFreshNode(`
      const { runForOutput } = require("./workers/child-process");
      runForOutput("sleep", ["30"], { timeout: 50 }).catch((e) => console.log(JSON.stringify([e.message, e.outcome.timedOut, e.outcome.signal])));`);
    assert.equal(out, '["sleep timed out after 50 ms: ",true,"SIGTERM"]');
  });

  it("keeps what a failed command printed on stdout in its error", () => {
    const out = inFreshNode(`
      const { runForOutput } = require("./workers/child-process");
      runForOutput("sh", ["-c", "echo said-on-stdout; echo said-on-stderr >&2; exit 3"]).catch((e) => console.log(JSON.stringify([e.message, e.outcome.exitCode, e.outcome.stdout])));`);
    assert.equal(out, '["sh exited with 3: said-on-stderr",3,"said-on-stdout\\n"]');
  });

  it("removes its handler when a command cannot be started", () => {
    const out = inFreshNode(`
      const { start } = require("./workers/child-process");
      start("no-such-command-here", []).done.catch((e) => console.log(JSON.stringify([e.message, process.listenerCount("SIGINT")])));`);
    assert.equal(out, '["no-such-command-here could not be started: spawn no-such-command-here ENOENT",0]');
  });
});
