import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { benchArgs, helpText, wholeNumber } from "../../bench/lib/cli";

const ROOT = join(__dirname, "..", "..");
const FLAGS = {
  rounds: { type: "string", description: "timed rounds", default: "15" },
  million: { type: "boolean", description: "also 1,000,000 services" },
} as const;

/** A bench started as `npm run bench:<name>` starts it, with `args`. */
function bench(args: string[], name = "plan") {
  const entry = ["--require", "tsx/cjs", join(ROOT, `bench/${name}.ts`)];
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

  for (const name of ["sync", "restore"]) {
    it(`bench:${name} prints --help from the bench kit's flag table and exits 0`, () => {
      const run = bench(["--help"], name);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^Usage: npm run bench:${name} \\[-- flags\\]\n`));
      assert.match(run.stdout, /\n {2}--rounds VALUE {7}interleaved rounds \(default 3\)\n/);
    });

    it(`bench:${name} refuses an unknown flag with exit 2 and no stack trace`, () => {
      const run = bench(["--round", "3"], name);
      assert.deepEqual(
        { status: run.status, stderr: run.stderr },
        { status: 2, stderr: `npm run bench:${name}: Unknown option '--round'. Run \`npm run bench:${name} -- --help\` for the flags.\n` },
      );
    });
  }

  it("bench:sync refuses a latency profile it does not have, naming the ones it has", () => {
    const run = bench(["--latency", "mars"], "sync");
    assert.deepEqual(
      { status: run.status, stderr: run.stderr },
      {
        status: 2,
        stderr: 'npm run bench:sync: --latency "mars" is not one of same-region, cross-region, none. Run `npm run bench:sync -- --help` for the flags.\n',
      },
    );
  });
});
