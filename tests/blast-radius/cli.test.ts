import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCli, USAGE } from "../../blast-radius/cli";
import { NO_PULUMI } from "../../blast-radius/live";
import { fixturePath } from "./helpers";

const REPO = join(__dirname, "..", "..");
const TSX = require.resolve("tsx/cli");

/** The real command in a child process: what CI sees, exit code included. */
function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [TSX, "scripts/blast-radius.ts", ...args], { cwd: REPO, env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** runCli reads --from relative to the working directory, as a user's shell would. */
async function cli(args: string[]) {
  const cwd = process.cwd();
  process.chdir(REPO);
  try {
    return await runCli(args);
  } finally {
    process.chdir(cwd);
  }
}

describe("blast-radius: the command", () => {
  describe("through the real entry point", () => {
    it("exits 0 on a clean rebuild and prints the verdict last", () => {
      const r = run(["--from", fixturePath("rebuild.json")]);
      assert.equal(r.stderr, "");
      assert.equal(r.code, 0);
      assert.ok(r.stdout.endsWith("no danger: nothing stateful replaced or deleted, nothing of the source touched (exit 0)\n"));
    });

    it("exits 4 on the replaced database, with exactly one JSON object under --json", () => {
      const r = run(["--from", fixturePath("replace-database.json"), "--json"]);
      assert.equal(r.code, 4);
      const doc = JSON.parse(r.stdout) as { verdict: string; exitCode: number; dangers: unknown[] };
      assert.deepEqual([doc.verdict, doc.exitCode, doc.dangers.length], ["danger", 4, 1]);
    });

    it("exits 2 on a file that is not JSON, with one line and no stack trace", () => {
      const r = run(["--from", fixturePath("not-json.txt")]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.equal(
        r.stderr,
        'blast-radius: tests/fixtures/preview/not-json.txt: is not JSON (it starts with "Previewing update (recovery)"); save the output of `pulumi preview --json --stack <name>` unchanged and pass that file, not its log or error text\n',
      );
    });

    it("exits 2 with one clear message when the pulumi CLI is not on PATH", () => {
      const empty = mkdtempSync(join(tmpdir(), "no-pulumi-"));
      try {
        // Only node's own folder on PATH: whatever else the machine has, no pulumi.
        const r = run(["--stack", "recovery"], { ...process.env, PATH: `${empty}:${dirname(process.execPath)}` });
        assert.equal(r.code, 2);
        assert.equal(r.stderr, `blast-radius: ${NO_PULUMI}\n`);
        assert.equal(NO_PULUMI, "the pulumi CLI was not found; install it (https://www.pulumi.com/docs/install/) or pass a saved preview with --from preview.json");
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
    });

    it("with --stack alone, runs `pulumi preview --json` for that stack and judges what it prints", () => {
      const bin = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
      try {
        // A stand-in CLI: records its arguments, prints a saved preview, exits as the real one does.
        const argsFile = join(bin, "args");
        writeFileSync(
          join(bin, "pulumi"),
          `#!/bin/sh\necho "$@" > ${JSON.stringify(argsFile)}\ncat ${JSON.stringify(join(REPO, fixturePath("replace-database.json")))}\n`,
          { mode: 0o755 },
        );
        const r = run(["--stack", "recovery", "--json"], { ...process.env, PATH: `${bin}:/usr/bin:/bin:${dirname(process.execPath)}` });
        assert.equal(r.code, 4);
        const doc = JSON.parse(r.stdout) as { preview: string; config: unknown; dangers: Array<{ name: string }> };
        assert.equal(doc.preview, "pulumi preview --stack recovery");
        assert.deepEqual(doc.config, { from: "--stack", stack: "recovery" });
        assert.deepEqual(doc.dangers.map((d) => d.name), ["database-orders-db"]);
        assert.equal(readFileSync(argsFile, "utf8"), "preview --json --non-interactive --stack recovery\n");
      } finally {
        rmSync(bin, { recursive: true, force: true });
      }
    });

    it("with --stack alone, says why when pulumi preview prints no JSON at all", () => {
      const bin = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
      try {
        writeFileSync(join(bin, "pulumi"), "#!/bin/sh\necho \"error: no stack named 'recovery' found\" >&2\nexit 255\n", { mode: 0o755 });
        const r = run(["--stack", "recovery"], { ...process.env, PATH: `${bin}:/usr/bin:/bin:${dirname(process.execPath)}` });
        assert.equal(r.code, 2);
        assert.equal(r.stderr, "blast-radius: pulumi preview --stack recovery failed: error: no stack named 'recovery' found\n");
      } finally {
        rmSync(bin, { recursive: true, force: true });
      }
    });

    it("refuses --stack prod with the loader's message and exit 2", () => {
      const r = run(["--stack", "prod", "--from", fixturePath("rebuild.json")]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "blast-radius: Pulumi.prod.yaml: prod is the source inventory, not something to restore; use a restore stack: --stack drill, --stack recovery\n");
    });
  });

  describe("in process", () => {
    it("prints the usage with --help and exits 0", async () => {
      assert.deepEqual(await cli(["--help"]), { code: 0, stdout: USAGE, stderr: "" });
    });

    it("asks for --stack or --from when given neither", async () => {
      const r = await cli([]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "blast-radius: give --stack <name> to preview a restore stack, or --from <preview.json> to judge a saved `pulumi preview --json` output\n");
    });

    it("names an unknown flag and the flags it knows", async () => {
      const r = await cli(["--from", fixturePath("rebuild.json"), "--markdwon"]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "blast-radius: --markdwon: unknown option; did you mean --markdown? (see --help)\n");
    });

    it("refuses --stack without a value, with an example", async () => {
      const r = await cli(["--stack", "--json"]);
      assert.equal(r.code, 2);
      assert.deepEqual(JSON.parse(r.stdout).error, { code: "missing-value", message: "--stack: needs a value, e.g. --stack recovery", flag: "--stack" });
    });

    it("refuses --from given twice", async () => {
      const r = await cli(["--from", "a.json", "--from", "b.json"]);
      assert.equal(r.stderr, "blast-radius: --from: given more than once; give it once\n");
    });

    it("refuses --json with --markdown", async () => {
      const r = await cli(["--from", fixturePath("rebuild.json"), "--json", "--markdown"]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "blast-radius: --json and --markdown: choose one output\n");
    });

    it("answers bad input under --json with one JSON object too", async () => {
      const r = await cli(["--from", fixturePath("missing-steps.json"), "--json"]);
      assert.equal(r.code, 2);
      const doc = JSON.parse(r.stdout) as { error: { code: string; message: string }; exitCode: number };
      assert.equal(doc.exitCode, 2);
      assert.equal(doc.error.code, "bad-preview");
      assert.ok(doc.error.message.startsWith("tests/fixtures/preview/missing-steps.json: steps: is missing;"));
    });

    it("answers bad input under --markdown with a comment that says so, for CI to post", async () => {
      const r = await cli(["--from", fixturePath("truncated.json"), "--markdown"]);
      assert.equal(r.code, 2);
      assert.equal(
        r.stdout,
        "### Blast radius: the preview could not be judged\n\n```\ntests/fixtures/preview/truncated.json: ends before its JSON does (the file is truncated: was the preview interrupted, or the output cut?); save the output of `pulumi preview --json --stack <name>` unchanged and pass that file\n```\n",
      );
    });

    it("says which file is missing", async () => {
      const r = await cli(["--from", "preview.json"]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "blast-radius: --from preview.json: no such file; save one with `pulumi preview --json --stack <name> > preview.json`\n");
    });

    it("refuses a --stack that is not the preview's stack", async () => {
      const r = await cli(["--from", fixturePath("drill-teardown.json"), "--stack", "recovery"]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'blast-radius: --stack recovery: the preview is of stack "drill"; pass --stack drill, or the preview of recovery\n');
    });

    it("takes the source names from --stack when given, and says so", async () => {
      const r = await cli(["--from", fixturePath("update-source.json"), "--stack", "recovery"]);
      assert.equal(r.code, 4);
      assert.equal(r.stdout.split("\n")[1], "source names and plan: stack recovery (from --stack)");
    });

    it("takes the source names from the preview's stack otherwise, and says so", async () => {
      const r = await cli(["--from", fixturePath("update-source.json")]);
      assert.equal(r.code, 4);
      assert.equal(r.stdout.split("\n")[1], "source names and plan: stack recovery (the preview's stack; Pulumi.recovery.yaml)");
    });

    it("judges a preview of a stack with no file here without source names, and says so", async () => {
      const dir = mkdtempSync(join(tmpdir(), "blast-"));
      try {
        const urn = "urn:pulumi:staging::recovery-stacks::aws:s3/bucketV2:BucketV2::lomash-wood-media-prod";
        const file = join(dir, "staging.json");
        writeFileSync(file, JSON.stringify({ steps: [{ op: "update", urn }] }));
        const r = await cli(["--from", file]);
        assert.equal(r.code, 0);
        assert.equal(r.stdout.split("\n")[1], 'source names NOT checked and no time estimate: there is no Pulumi.staging.yaml for the preview\'s stack "staging"; pass --stack <name>');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("writes Markdown with --markdown", async () => {
      const r = await cli(["--from", fixturePath("delete-bucket.json"), "--markdown"]);
      assert.equal(r.code, 4);
      assert.equal(r.stdout.split("\n")[0], "### Blast radius of `recovery`: DANGER: 2 risks");
    });
  });
});
