import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
  RESTORED_VERSION_ANNOTATION,
  SecretVersions,
  validateSecretVersionsArgs,
} from "../../components/secret-versions";
import { PROJECT, Recording, promiseOf, type RecordedResource } from "../../mocked-program/pulumi-mocks";
import { changedPaths, uncoveredPaths } from "../support/pinned-paths";
import { secretArgs } from "./fixtures";

const K8S_SECRET = "kubernetes:core/v1:Secret";
const SM_SECRET = "aws:secretsmanager/secret:Secret";
const SM_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const RECOVERY = { recoverySecretId: "lomash-wood/production/jwt-secret-recovery" };

interface Production {
  /** The version id Secrets Manager answers for the requested stage on this run. */
  readonly current: string;
  /** What the engine's state holds for the Kubernetes Secret's annotation (an earlier up's), if anything. */
  readonly keptVersion?: string;
}

/** Pulumi's mocks as production answers on one run: the lookup gives `current`; the state may be older. */
async function run(production: Production, args = secretArgs()): Promise<{ rec: Recording; secret: SecretVersions }> {
  const rec = new Recording();
  await pulumi.runtime.setMocks(
    {
      call: (a) => ({ ...a.inputs, versionId: production.current, secretString: `jwt-signing-key@${production.current}` }),
      newResource: (a) => {
        const state = { ...(a.inputs as Record<string, unknown>) };
        if (a.type === K8S_SECRET && production.keptVersion !== undefined)
          state.metadata = { ...(state.metadata as object), annotations: { [RESTORED_VERSION_ANNOTATION]: production.keptVersion } };
        return { id: `${a.name}-id`, state };
      },
    },
    PROJECT,
    "recovery",
    false,
  );
  rec.install();
  recordDeleteBeforeReplace();
  const secret = new SecretVersions("secret-jwt", args);
  await rec.settle();
  return { rec, secret };
}

const byName = (rec: Recording, r: RecordedResource): RecordedResource => rec.one(r.type, r.name);

/** The deleteBeforeReplace option of each registration, by resource name (the Recording keeps no such field). */
const deleteBeforeReplace = new Map<string, boolean>();
function recordDeleteBeforeReplace(): void {
  type Request = { getName(): string; getDeletebeforereplace(): boolean };
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: Request, cb: unknown): void };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    deleteBeforeReplace.set(req.getName(), req.getDeletebeforereplace());
    register(req, cb);
  };
}

describe("SecretVersions: resolved once", () => {
  let warnings: string[] = [];
  const warn = console.warn;
  beforeEach(() => {
    warnings = [];
    console.warn = (...parts: unknown[]) => void warnings.push(parts.map(String).join(" "));
  });
  afterEach(() => {
    console.warn = warn;
  });

  it("pins the Kubernetes Secret's data and its restored-version annotation", async () => {
    const { rec } = await run({ current: "v1" });
    assert.deepEqual(rec.one(K8S_SECRET, "secret-jwt-k8s").ignoreChanges, [
      "stringData",
      "data",
      'metadata.annotations["recovery/secret-version-id"]',
    ]);
  });

  it("deletes the Kubernetes Secret before creating it again when a re-restore replaces it", async () => {
    await run({ current: "v1" });
    assert.equal(deleteBeforeReplace.get("secret-jwt-k8s"), true);
  });

  it("pins the recovery secret's description and written value", async () => {
    const { rec } = await run({ current: "v1" }, secretArgs(RECOVERY));
    assert.deepEqual(rec.one(SM_SECRET, "secret-jwt-recovery-secret").ignoreChanges, ["description"]);
    assert.deepEqual(rec.one(SM_VERSION, "secret-jwt-recovery-version").ignoreChanges, ["secretString"]);
  });

  it("changes no input outside ignoreChanges when a second up's lookup answers a rotated version", async () => {
    const first = await run({ current: "v1" }, secretArgs(RECOVERY));
    const second = await run({ current: "v2", keptVersion: "v1" }, secretArgs(RECOVERY));
    const custom = first.rec.resources.filter((r) => r.custom).sort((a, b) => a.type.localeCompare(b.type));
    assert.deepEqual(custom.map((r) => r.type), [SM_SECRET, SM_VERSION, K8S_SECRET]);
    const changed = custom.map((r) => [r.type, changedPaths(r.inputs, byName(second.rec, r).inputs)]);
    // The lookup did answer differently, in exactly these places …
    assert.deepEqual(changed, [
      [SM_SECRET, ["description"]],
      [SM_VERSION, ["secretString"]],
      [K8S_SECRET, ['metadata.annotations["recovery/secret-version-id"]', "stringData.JWT_SECRET"]],
    ]);
    // … and every one of them is left as the first up made it.
    assert.deepEqual(
      custom.map((r) => uncoveredPaths(changedPaths(r.inputs, byName(second.rec, r).inputs), byName(second.rec, r).ignoreChanges)),
      [[], [], []],
    );
  });

  it("reports the version the Kubernetes Secret holds, not the one this run's lookup answered", async () => {
    const { secret } = await run({ current: "v2", keptVersion: "v1" });
    assert.equal(await promiseOf(secret.restoredVersionId), "v1");
  });

  it("warns that a newer version is being kept back, with the command that restores it on purpose", async () => {
    const { rec } = await run({ current: "v2", keptVersion: "v1" });
    const urn = rec.one(K8S_SECRET, "secret-jwt-k8s").urn;
    assert.deepEqual(warnings, [
      `warning: [runtime] lomash-wood/production/jwt-secret: keeping version v1, restored by the first pulumi up; AWSCURRENT is now version v2. To restore that one on purpose: pulumi up --replace '${urn}'`,
    ]);
  });

  it("names the recovery secret's version too when it would have to be restored again", async () => {
    const { rec } = await run({ current: "v2", keptVersion: "v1" }, secretArgs(RECOVERY));
    const urns = [rec.one(K8S_SECRET, "secret-jwt-k8s").urn, rec.one(SM_VERSION, "secret-jwt-recovery-version").urn];
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0].endsWith(`pulumi up --replace '${urns[0]}' --replace '${urns[1]}'`), warnings[0]);
  });

  it("warns about nothing when the lookup still answers the restored version", async () => {
    const { secret } = await run({ current: "v1", keptVersion: "v1" });
    assert.equal(await promiseOf(secret.restoredVersionId), "v1");
    assert.deepEqual(warnings, []);
  });
});

describe("SecretVersions: the stage asked for", () => {
  it("refuses a misspelt AWS stage with the label meant", () => {
    assert.deepEqual(validateSecretVersionsArgs(secretArgs({ versionStage: "AWSPREVIUOS" })), [
      'versionStage: "AWSPREVIUOS" looks like a misspelt AWS staging label; did you mean "AWSPREVIOUS"? (labels are case-sensitive; AWS\'s own are AWSCURRENT, AWSPREVIOUS, AWSPENDING)',
    ]);
  });

  it("accepts a custom staging label", () => {
    assert.deepEqual(validateSecretVersionsArgs(secretArgs({ versionStage: "known-good" })), []);
  });

  it("reads the previous version when asked for it", async () => {
    const { rec } = await run({ current: "v0" }, secretArgs({ versionStage: "AWSPREVIOUS" }));
    assert.deepEqual(rec.invokes, [
      { token: "aws:secretsmanager/getSecretVersion:getSecretVersion", args: { secretId: "lomash-wood/production/jwt-secret", versionStage: "AWSPREVIOUS" } },
    ]);
  });
});
