import { strict as assert } from "node:assert";
import {
  CliError,
  didYouMean,
  errorJson,
  errorMessage,
  EXIT,
  helpText,
  parseDuration,
  parseOptions,
  RefusedError,
  reportError,
  runCommand,
  UsageError,
  type CommandSpec,
} from "../../scripts/lib/cli";
import { ConfigError, loadStack, STACK_IS_INVENTORY } from "../../stacks";

const COMMAND = {
  usage: ["npm run example -- --stack <name> [options]"],
  description: "Does an example thing.",
  options: {
    stack: { type: "string", value: "<name>", help: "the stack", required: "name it, e.g. --stack recovery", example: "recovery" },
    "dry-run": { type: "boolean", help: "change nothing" },
    "source-url": { type: "string", multiple: true, value: "NAME=URL", help: "a source\nrepeatable" },
    json: { type: "boolean", help: "one JSON object" },
  },
  epilogue: "Exit: 0 ok, 2 bad usage.",
} as const satisfies CommandSpec;

/** The UsageError parseOptions throws for argv, as `{ code, message }`. */
function refusal(argv: string[]): { code: string; message: string } {
  try {
    parseOptions(COMMAND, argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.exitCode, EXIT.usage);
    return { code: error.code, message: error.message };
  }
  assert.fail(`${argv.join(" ")} was accepted`);
}

const collect = () => {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
};

describe("scripts/lib: the CLI kit", () => {
  describe("parseOptions", () => {
    it("returns the values of the table's flags", () => {
      const values = parseOptions(COMMAND, ["--stack", "drill", "--dry-run", "--source-url", "a=x", "--source-url=b=y"]);
      assert.deepEqual({ ...values }, { stack: "drill", "dry-run": true, "source-url": ["a=x", "b=y"] });
    });

    it("refuses a misspelt flag naming the closest one", () => {
      assert.deepEqual(refusal(["--stack", "x", "--dryrun"]), { code: "unknown-option", message: "--dryrun: unknown option; did you mean --dry-run? (see --help)" });
    });

    it("lists the flags when none is close to an unknown one", () => {
      assert.deepEqual(refusal(["--stack", "x", "--verbose"]), {
        code: "unknown-option",
        message: "--verbose: unknown option; use one of --stack, --dry-run, --source-url, --json, --help (see --help)",
      });
    });

    it("refuses an unknown short flag by name", () => {
      assert.equal(refusal(["-x"]).message, "-x: unknown option; use one of --stack, --dry-run, --source-url, --json, --help (see --help)");
    });

    it("refuses a string flag without a value, with its example", () => {
      assert.deepEqual(refusal(["--stack"]), { code: "missing-value", message: "--stack: needs a value, e.g. --stack recovery" });
      assert.deepEqual(refusal(["--stack", "--json"]), { code: "missing-value", message: "--stack: needs a value, e.g. --stack recovery" });
      assert.deepEqual(refusal(["--stack="]), { code: "missing-value", message: "--stack: needs a value, e.g. --stack recovery" });
    });

    it("says a negative number is negative rather than an unknown flag", () => {
      assert.deepEqual(refusal(["--stack", "-3"]), { code: "bad-number", message: '--stack: "-3" is negative; give a positive number' });
    });

    it("refuses a value given to a boolean flag", () => {
      assert.deepEqual(refusal(["--stack", "x", "--json=yes"]), { code: "unexpected-value", message: "--json: takes no value; write --json alone" });
    });

    it("refuses a single-valued flag given twice", () => {
      assert.deepEqual(refusal(["--stack", "a", "--stack", "b"]), { code: "repeated-option", message: "--stack: given more than once; give it once" });
    });

    it("refuses a stray argument", () => {
      assert.deepEqual(refusal(["--stack", "a", "drill"]), {
        code: "unexpected-argument",
        message: "drill: unexpected argument; every value goes after its flag (see --help)",
      });
    });

    it("refuses a missing required flag with its fix", () => {
      assert.deepEqual(refusal([]), { code: "missing-option", message: "--stack: required; name it, e.g. --stack recovery" });
    });

    it("lets --help through without the required flags", () => {
      assert.equal(parseOptions(COMMAND, ["--help"]).help, true);
      assert.equal(parseOptions(COMMAND, ["-h"]).help, true);
    });
  });

  it("prints --help from the option table: usage, description, aligned options, epilogue", () => {
    assert.equal(
      helpText(COMMAND),
      [
        "Usage: npm run example -- --stack <name> [options]",
        "",
        "Does an example thing.",
        "",
        "Options:",
        "  --stack <name>         the stack",
        "  --dry-run              change nothing",
        "  --source-url NAME=URL  a source",
        "                         repeatable",
        "  --json                 one JSON object",
        "  --help                 this text",
        "",
        "Exit: 0 ok, 2 bad usage.",
        "",
      ].join("\n"),
    );
  });

  it("guesses only close names", () => {
    assert.equal(didYouMean("markdwon", ["json", "markdown"]), "markdown");
    assert.equal(didYouMean("verbose", ["json", "markdown"]), undefined);
  });

  describe("parseDuration", () => {
    it("reads a bare number as seconds, the same for every command", () => {
      assert.equal(parseDuration("--timeout", "30", 1), 30_000);
    });

    it("reads ms, s, m and h", () => {
      assert.deepEqual(
        ["500ms", "30s", "5m", "90m", "2h", "1.5s"].map((v) => parseDuration("--timeout", v, 1)),
        [500, 30_000, 300_000, 5_400_000, 7_200_000, 1_500],
      );
    });

    it("keeps the default when the flag is absent", () => {
      assert.equal(parseDuration("--timeout", undefined, 30_000), 30_000);
    });

    it("refuses zero and words, naming the flag", () => {
      for (const value of ["0", "0s", "soon", "5 min", "-1s"])
        assert.throws(() => parseDuration("--timeout", value, 1), { code: "bad-duration", message: `--timeout ${value}: not a duration; use e.g. 30s, 500ms or 2m` });
    });
  });

  describe("errors", () => {
    it("gives bad usage exit 2 and a refusal exit 1, each with a code", () => {
      const usage = new UsageError("--to", "is required", { code: "missing-option" });
      assert.deepEqual([usage.message, usage.code, usage.exitCode], ["--to: is required", "missing-option", 2]);
      const refused = new RefusedError("--from: fails its checksum", { partial: true });
      assert.deepEqual([refused.code, refused.exitCode, refused.record], ["refused", 1, { partial: true }]);
    });

    it("makes bad config a UsageError whose problems carry the loader's code", () => {
      assert.throws(
        () => loadStack("prod"),
        (error: unknown) => error instanceof ConfigError && error instanceof CliError && error.exitCode === 2 && error.problems[0].code === STACK_IS_INVENTORY,
      );
    });

    it("writes one JSON error shape: { error: { code, message, ...details } }", () => {
      assert.deepEqual(errorJson(new UsageError("--x: bad", { code: "bad-x", details: { flag: "--x" } })), {
        error: { code: "bad-x", message: "--x: bad", flag: "--x" },
      });
      assert.deepEqual(errorJson(new Error("boom")), { error: { code: "failed", message: "boom" } });
    });

    it("adds the HTTP status to an AWS SDK error that has no message of its own", () => {
      assert.equal(errorMessage(Object.assign(new Error(""), { name: "UnknownError", $metadata: { httpStatusCode: 412 } })), "UnknownError (HTTP 412)");
      assert.equal(errorMessage("plain"), "plain");
    });

    it("reports an unexpected failure as one line with exit 1 and no stack", () => {
      const { out, io } = collect();
      const code = reportError(new Error("socket hang up"), io, false);
      assert.deepEqual([code, out.stdout, out.stderr], [1, "", "error: socket hang up\n"]);
    });
  });

  describe("runCommand", () => {
    it("answers --help with the generated text and exit 0", async () => {
      const { out, io } = collect();
      assert.equal(await runCommand(COMMAND, ["--help"], io, async () => 7), 0);
      assert.equal(out.stdout, helpText(COMMAND));
    });

    it("under --json answers a problem with exactly one JSON object and one line on stderr", async () => {
      const { out, io } = collect();
      const code = await runCommand(COMMAND, ["--stack", "x", "--json"], io, async () => {
        throw new UsageError("--stack x: no such stack", { code: "no-such-stack" });
      }, { label: () => "example: ", jsonFields: () => ({ ok: false }) });
      assert.equal(code, 2);
      assert.deepEqual(JSON.parse(out.stdout), { ok: false, error: { code: "no-such-stack", message: "--stack x: no such stack" } });
      assert.equal(out.stderr, "example: --stack x: no such stack\n");
    });

    it("returns the body's exit code", async () => {
      const { io } = collect();
      assert.equal(await runCommand(COMMAND, ["--stack", "x"], io, async () => 3), 3);
    });
  });
});
