import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { WORKER_COMMANDS, workerBundle } from "../../components/worker-command";

const REPO = join(__dirname, "..", "..");
const run = promisify(execFile);

/** What a Job runs (components/worker-command.ts) must be the same program as `npm run <name>`. */
describe("the worker bundles a Job runs (npm run build:workers)", function () {
  this.timeout(180_000);

  before(async () => {
    const built = await run(process.execPath, ["--require", "tsx/cjs", join(REPO, "scripts", "build-workers.ts")], { cwd: REPO });
    assert.equal(built.stdout.trim(), `built ${WORKER_COMMANDS.map(workerBundle).join(", ")}`);
  });

  for (const name of WORKER_COMMANDS) {
    it(`dist/${name}.js answers --help exactly as scripts/${name}.ts does`, async () => {
      const [bundled, source] = await Promise.all([
        run(process.execPath, [join(REPO, workerBundle(name)), "--help"], { cwd: REPO }),
        run(process.execPath, ["--require", "tsx/cjs", "--require", "./scripts/node20.ts", join(REPO, "scripts", `${name}.ts`), "--help"], { cwd: REPO }),
      ]);
      assert.match(bundled.stdout, /^Usage: npm run /);
      assert.equal(bundled.stdout, source.stdout);
    });
  }

  it("refuses a misspelt flag in the bundle with the kit's one line and exit 2", async () => {
    const refused = await run(process.execPath, [join(REPO, workerBundle("restore")), "--form", "s3://b/p"], { cwd: REPO }).then(
      () => assert.fail("the bundle accepted --form"),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.match(refused.stderr, /--form.*--from/);
  });
});
