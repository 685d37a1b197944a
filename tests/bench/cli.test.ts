import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { benchArgs, helpText, wholeNumber } from "../../bench/lib/cli";

const ROOT = join(__dirname, "..", "..");
const FLAGS = {
  rounds: { type: "string", description: "timed rounds", default: "15" },
  million: { type: "boolean", description: "also 1,000,000 services" },
} as const;

/** A bench started as `npm run bench:plan` starts it, with `args`. */
function bench(args: string[]) {
  const entry = ["--require", "tsx/cjs", join(ROOT, "bench/plan.ts")];
  return spawnSync(process.execPath, [...entry, ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("bench/lib/cli: a bench's flags", () => {
  it("prints --help from the flag table, with each default", () => {
    assert.equal(
      helpText("npm run bench:plan", "Plan growth.", FLAGS),
      [
        "Usage: npm run bench:plan [-- flags]",
        "Plan growth.",
        "",
        "  --rounds VALUE       timed rounds (default 15)",
        "  --million            also 1,000,000 services",
        "  --help               this text",
        "",
      ].join("\n"),
    );
  });

  it("parses the flags of the table", () => {
    assert.deepEqual({ ...benchArgs("b", "s", FLAGS, ["--rounds", "4", "--million"]) }, {
      rounds: "4",
      million: true,
    });
  });

  it("takes the fallback for a whole-number flag not given, and the value when given", () => {
    const given = [undefined, "4"].map((v) => wholeNumber("b", "rounds", v, 15, 1));
    assert.deepEqual(given, [15, 4]);
  });

  it("refuses --rounds 0 with exit 2, naming the flag, before measuring anything", () => {
    const run = bench(["--rounds", "0"]);
    assert.deepEqual(
      { status: run.status, stderr: run.stderr, stdout: run.stdout },
      {
        status: 2,
        stderr:
          'npm run bench:plan: --rounds must be a whole number ≥ 1, got "0". ' +
          "Run `npm run bench:plan -- --help` for the flags.\n",
        stdout: "",
      },
    );
  });

  it("refuses an unknown flag with exit 2 and no stack trace", () => {
    const run = bench(["--round", "3"]);
    assert.deepEqual(
      { status: run.status, stderr: run.stderr },
      {
        status: 2,
        stderr:
          "npm run bench:plan: Unknown option '--round'. " +
          "Run `npm run bench:plan -- --help` for the flags.\n",
      },
    );
  });
});
