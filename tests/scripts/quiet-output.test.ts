import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * No noise on the README's commands: the AWS SDK's Node-version warning and pg's SSL-mode warning
 * are printed by libraries on stderr, once per process, so each case runs in a process of its own
 * (a warning already printed by another test in this process would hide a new one).
 */
const REPO = join(__dirname, "..", "..");
const PRELOAD = "./scripts/node20.ts";
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);
const packageJson = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> };

const AWS_CLIENTS = `
  const { S3Client } = require("@aws-sdk/client-s3");
  const { RDSClient } = require("@aws-sdk/client-rds");
  const { SecretsManagerClient } = require("@aws-sdk/client-secrets-manager");
  const { ElastiCacheClient } = require("@aws-sdk/client-elasticache");
  for (const Client of [S3Client, RDSClient, SecretsManagerClient, ElastiCacheClient]) new Client({ region: "eu-west-2" });
`;

/** A node process started the way the npm scripts start theirs (or without the preload). */
function node(code: string, options: { preload?: boolean; env?: Record<string, string> } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.env?.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  const requires = options.preload === false ? ["--require", "tsx/cjs"] : ["--require", "tsx/cjs", "--require", PRELOAD];
  const r = spawnSync(process.execPath, [...requires, "-e", code], { cwd: REPO, env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("no noise on the README's commands", () => {
  it("starts every npm script that runs node or mocha with the Node 20 preload right after tsx", () => {
    const starters = Object.entries(packageJson.scripts).filter(([, command]) => /\b(node|mocha) /.test(command));
    assert.ok(starters.length >= 15, `found only ${starters.length} scripts`);
    for (const [name, command] of starters) {
      assert.match(command, /(^|&& )(node|mocha)( --no-config)? --require tsx\/cjs --require \.\/scripts\/node20\.ts /, `script ${name}: ${command}`);
    }
  });

  it("gives the test runner the same preload (.mocharc.json)", () => {
    const mocharc = JSON.parse(readFileSync(join(REPO, ".mocharc.json"), "utf8")) as { require: string[] };
    assert.deepEqual(mocharc.require, ["tsx/cjs", PRELOAD]);
  });

  it("prints nothing on stderr when a script's process builds every AWS SDK client", () => {
    const r = node(AWS_CLIENTS);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
  });

  it("leaves a setting the user gave for the SDK's warning as it was", () => {
    const r = node("process.stdout.write(String(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED))", {
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "false" },
    });
    assert.equal(r.stdout, "false");
  });

  it("sets nothing on Node 22 and later, where the SDK is silent by itself", () => {
    const r = node("process.stdout.write(String(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED))");
    assert.equal(r.stdout, NODE_MAJOR < 22 ? "true" : "undefined");
  });

  it("would print the SDK's warning on Node 20 without the preload, and not on Node 22 and later", () => {
    const r = node(AWS_CLIENTS, { preload: false });
    assert.equal(r.code, 0, r.stderr);
    if (NODE_MAJOR < 22) assert.match(r.stderr, /NodeVersionSupportWarning: The AWS SDK for JavaScript \(v3\)/);
    else assert.equal(r.stderr, "");
  });

  describe("pg's SSL-mode warning", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "quiet-pg-"));
      writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("is never printed for the modes the data plane accepts: their meaning is read by workers/postgres-connection.ts, not pg's URL parser", () => {
      const ca = join(dir, "ca.pem");
      const urls = ["require", "verify-ca", "verify-full", "disable"].map(
        (mode) => `postgresql://app:pw-1234@db.internal:5432/shop?sslmode=${mode}${mode.startsWith("verify") ? `&sslrootcert=${ca}` : ""}`,
      );
      const r = node(`
        const { Client } = require("pg");
        const { nodePgConfig } = require("./workers/postgres-connection");
        for (const url of ${JSON.stringify(urls)}) new Client(nodePgConfig(url));
      `);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
    });

    it("is what pg prints when its own parser reads sslmode=require (what the line above guards against)", () => {
      const r = node(`new (require("pg").Client)({ connectionString: "postgresql://db.internal/shop?sslmode=require" })`);
      assert.match(r.stderr, /SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca' are treated as aliases for 'verify-full'/);
    });
  });
});
