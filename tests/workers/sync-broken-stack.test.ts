import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createBucket } from "../support/bucket-state";
import { startMoto, type LocalAws } from "../support/moto";
import { projectCopy } from "../support/project-copy";
import { repoStackFiles } from "../support/stack-files";

/*
 * `npm run sync` reads the stack files only to refuse writing a production bucket, so it needs the
 * inventories and nothing else: a restore stack's broken file must not stop it in a disaster, and a
 * broken inventory, which it must read, is named.
 */
const REPO = join(__dirname, "..", "..");
const RECOVERY = readFileSync(join(REPO, "Pulumi.recovery.yaml"), "utf8");
const PROD = readFileSync(join(REPO, "Pulumi.prod.yaml"), "utf8");
// An unclosed quote: not YAML at all, the kind of typo an edit in a hurry makes.
const BROKEN_RECOVERY = RECOVERY.replace("recovery:restorePoint: latest", 'recovery:restorePoint: "latest');
const BROKEN_PROD = PROD.replace("recovery:mode: inventory", 'recovery:mode: "inventory');

describe("npm run sync beside a broken stack file", function () {
  this.timeout(120_000);
  let aws: LocalAws;
  let copy: { root: string; cleanup: () => void };

  /** `npm run sync -- …args` in the copy of the project, against moto. */
  function sync(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--require", "tsx/cjs", "--require", "./scripts/node20.ts", "scripts/sync.ts", ...args], {
        cwd: copy.root,
        env: { ...process.env, ...aws.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
  }
  const write = (stack: string, text: string) => writeFileSync(join(copy.root, `Pulumi.${stack}.yaml`), text);

  before(async () => {
    assert.notEqual(BROKEN_RECOVERY, RECOVERY);
    assert.notEqual(BROKEN_PROD, PROD);
    aws = await startMoto();
    const s3 = new S3Client({});
    await createBucket(s3, "media-replica-copy");
    await createBucket(s3, "media-restored");
    await s3.send(new PutObjectCommand({ Bucket: "media-replica-copy", Key: "img/a.jpg", Body: "a" }));
    s3.destroy();
    copy = projectCopy(["scripts", "stacks", "workers", "tsconfig.json"], repoStackFiles());
  });
  after(async () => {
    copy?.cleanup();
    await aws?.stop();
  });
  afterEach(() => {
    write("recovery", RECOVERY);
    write("prod", PROD);
  });

  it("syncs when Pulumi.recovery.yaml is not valid YAML", async () => {
    write("recovery", BROKEN_RECOVERY);
    const r = await sync(["--from", "s3://media-replica-copy", "--to", "s3://media-restored", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, true);
    assert.doesNotMatch(r.stderr, /Pulumi\.recovery\.yaml/);
  });

  it("still refuses a production bucket as --to, read from the inventory past the broken file", async () => {
    write("recovery", BROKEN_RECOVERY);
    const r = await sync(["--from", "s3://media-replica-copy", "--to", "s3://lomash-wood-media-prod-replica"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^usage: --to: s3:\/\/lomash-wood-media-prod-replica belongs to production's inventory/);
  });

  it("names the inventory file, in one line with exit 2, when the inventory it must read is broken", async () => {
    write("prod", BROKEN_PROD);
    const r = await sync(["--from", "s3://media-replica-copy", "--to", "s3://media-restored"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^usage: Pulumi\.prod\.yaml: is not valid YAML \(Missing closing "quote at line \d+, column \d+\); fix the syntax\n/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
