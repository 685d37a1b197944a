import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

/**
 * Runs `scripts/<name>.ts` with `args` in a fresh node and says, as it exits, whether the AWS SDK
 * or pg was loaded: runWorker's loader is what requires them, after --help and the flags.
 */
function loadedBy(name: string, args: readonly string[]): { status: number | null; heavy: string[] } {
  const code = `
    process.argv = [process.argv[0], ${JSON.stringify(`scripts/${name}.ts`)}, ...${JSON.stringify(args)}];
    process.stdout.write = () => true;
    process.on("exit", () => {
      const heavy = Object.keys(require.cache).filter((k) => /node_modules\\/(@aws-sdk\\/client-s3|pg)\\//.test(k));
      process.stderr.write("\\nHEAVY " + JSON.stringify([...new Set(heavy.map((k) => k.includes("client-s3") ? "@aws-sdk/client-s3" : "pg"))].sort()) + "\\n");
    });
    require("./scripts/${name}.ts");`;
  const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "--require", "./scripts/node20.ts", "-e", code], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  const line = r.stderr.split("\n").find((l) => l.startsWith("HEAVY "));
  assert.ok(line, r.stderr);
  return { status: r.status, heavy: JSON.parse(line.slice("HEAVY ".length)) as string[] };
}

describe("runWorker's loader: the data-plane scripts require the SDK and pg only when they run", function () {
  this.timeout(120_000);

  for (const name of ["backup", "restore", "backup-redis", "restore-redis", "sync"]) {
    it(`scripts/${name}.ts --help loads neither the AWS SDK nor pg`, () => {
      assert.deepEqual(loadedBy(name, ["--help"]), { status: 0, heavy: [] });
    });
  }

  it("a bad flag is refused before anything is loaded", () => {
    assert.deepEqual(loadedBy("backup", ["--jsn"]), { status: 2, heavy: [] });
  });

  it("a run that gets past its flags has what the loader required", () => {
    // --database is checked first, by the loaded workers: the S3 client and pg are in by then.
    assert.deepEqual(loadedBy("backup", ["--database", "not-a-url", "--to", "s3://bucket/prefix"]), { status: 2, heavy: ["@aws-sdk/client-s3", "pg"] });
  });
});
