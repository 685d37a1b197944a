import * as assert from "node:assert/strict";
import { changesOf, judge, type Change } from "../../blast-radius/classify";
import type { PreviewStep, StepOp } from "../../blast-radius/parse";

const ENV = "recovery:environment:RecoveryEnvironment";
const SOURCE_NAMES = ["lomash-wood", "lomash-orders-prod", "lomash-wood-backups", "lomash-wood/production/jwt-secret"];

/** One step, compliant by default: a restored RDS instance under RestoredDatabase. */
function stepOf(op: StepOp, over: { type?: string; component?: string; name?: string; inputs?: Record<string, unknown>; oldInputs?: Record<string, unknown> } = {}): PreviewStep {
  const type = over.type ?? "aws:rds/instance:Instance";
  const chain = [ENV, over.component ?? "recovery:database:RestoredDatabase", type].join("$");
  const urn = `urn:pulumi:recovery::recovery-stacks::${chain}::${over.name ?? "database-orders-db"}`;
  const inputs = over.inputs ?? { identifier: "lomash-orders-prod-recovery" };
  return {
    op,
    urn,
    ...(op === "create" ? {} : { oldState: { urn, type, inputs: over.oldInputs ?? inputs } }),
    ...(op === "delete" ? {} : { newState: { urn, type, inputs } }),
  };
}

const judged = (steps: PreviewStep[], drill = false) => judge(changesOf(steps), { sourceNames: SOURCE_NAMES, drill });
const rules = (steps: PreviewStep[], drill = false) => judged(steps, drill).dangers.map((d) => d.rule);

describe("blast-radius: what is dangerous", () => {
  it("creating a restored database with its own identifier is not dangerous", () => {
    assert.deepEqual(rules([stepOf("create")]), []);
  });

  it("updating a stateful resource in place is not dangerous", () => {
    assert.deepEqual(rules([stepOf("update")]), []);
  });

  it("replacing a stateful resource is dangerous even when the preview gives no reason", () => {
    const { dangers } = judged([stepOf("replace")]);
    assert.equal(dangers.length, 1);
    assert.match(dangers[0].why, /; the preview does not say which property forces it$/);
  });

  it("takes the forcing property from detailedDiff when replaceReasons is absent", () => {
    const step = { ...stepOf("replace"), detailedDiff: { instanceClass: { kind: "update" }, "restoreToPointInTime.restoreTime": { kind: "update-replace" } } };
    assert.equal(changesOf([step])[0].replaceReasons[0], "restoreToPointInTime.restoreTime");
  });

  it("shows nested forcing values read from the old and new inputs", () => {
    const step = {
      ...stepOf("replace", {
        oldInputs: { identifier: "x-recovery", restoreToPointInTime: { restoreTime: "2026-11-24T14:30:00Z" } },
        inputs: { identifier: "x-recovery", restoreToPointInTime: { restoreTime: "2026-11-24T14:00:00Z" } },
      }),
      replaceReasons: ["restoreToPointInTime.restoreTime"],
    };
    assert.match(judged([step]).dangers[0].why, /forced by restoreToPointInTime\.restoreTime "2026-11-24T14:30:00Z" → "2026-11-24T14:00:00Z"$/);
  });

  it("folds create-replacement, replace and delete-replaced of one resource into one replace", () => {
    const steps = (["create-replacement", "replace", "delete-replaced"] as const).map((op) => ({ ...stepOf(op), replaceReasons: ["snapshotIdentifier"] }));
    const changes: Change[] = changesOf(steps);
    assert.deepEqual(changes.map((c) => [c.op, c.ops]), [["replace", ["create-replacement", "replace", "delete-replaced"]]]);
    assert.deepEqual(rules(steps), ["stateful-replace"]);
  });

  for (const [type, label] of [
    ["aws:rds/cluster:Cluster", "RDS cluster"],
    ["aws:elasticache/replicationGroup:ReplicationGroup", "ElastiCache group"],
    ["aws:s3/bucket:Bucket", "bucket"],
    ["aws:s3/bucketV2:BucketV2", "bucket"],
    ["aws:secretsmanager/secret:Secret", "secret"],
    ["kubernetes:core/v1:PersistentVolumeClaim", "persistent volume claim"],
    ["kubernetes:core/v1:PersistentVolume", "persistent volume"],
    ["kubernetes:core/v1:Namespace", "namespace"],
  ] as const)
    it(`deleting a ${type} is dangerous`, () => {
      const { dangers } = judged([stepOf("delete", { type, inputs: {} })]);
      assert.deepEqual(dangers.map((d) => d.rule), ["stateful-delete"]);
      assert.ok(dangers[0].why.startsWith(`${label} database-orders-db is deleted`), dangers[0].why);
    });

  it("deleting a stateless Deployment or Job is not dangerous", () => {
    assert.deepEqual(rules([stepOf("delete", { type: "kubernetes:apps/v1:Deployment" }), stepOf("delete", { type: "kubernetes:batch/v1:Job" })]), []);
  });

  it("a resource whose identifier is the source database's is touched, whatever the op", () => {
    for (const op of ["create", "update", "import"] as const)
      assert.deepEqual(rules([stepOf(op, { inputs: { identifier: "lomash-orders-prod" } })]), ["source-touched"], op);
  });

  it("a resource whose Pulumi name is a source name is touched", () => {
    const { dangers } = judged([stepOf("update", { type: "aws:s3/bucketPolicy:BucketPolicy", name: "lomash-wood-backups", inputs: {} })]);
    assert.equal(dangers[0].why, 'update touches a production resource named in the source inventory: its Pulumi name "lomash-wood-backups"; a recovery never writes to the source');
  });

  it("deploying into production's namespace is touching the source", () => {
    const step = stepOf("create", { type: "kubernetes:apps/v1:Deployment", component: "recovery:services:ServiceRedeployment", name: "service-auth-deployment", inputs: { metadata: { name: "auth", namespace: "lomash-wood" } } });
    assert.equal(judged([step]).dangers[0].why, 'create touches a production resource named in the source inventory: metadata.namespace "lomash-wood" (new state); a recovery never writes to the source');
  });

  it("writing a source secret's value is touching the source", () => {
    const step = stepOf("update", { type: "aws:secretsmanager/secretVersion:SecretVersion", component: "recovery:secrets:SecretVersions", name: "secret-jwt-version", inputs: { secretId: "lomash-wood/production/jwt-secret" } });
    assert.deepEqual(rules([step]), ["source-touched"]);
  });

  it("reading a source resource is not touching it", () => {
    assert.deepEqual(rules([stepOf("read", { inputs: { identifier: "lomash-orders-prod" } })]), []);
  });

  it("naming the source inside a restore input (where it restores from) is not touching it", () => {
    assert.deepEqual(rules([stepOf("create", { inputs: { identifier: "lomash-orders-prod-recovery", restoreToPointInTime: { sourceDbInstanceIdentifier: "lomash-orders-prod" } } })]), []);
  });

  it("in a drill, deleting its own stateful resources is the teardown, not a danger", () => {
    const { dangers, teardowns } = judged([stepOf("delete")], true);
    assert.deepEqual(dangers, []);
    assert.deepEqual(teardowns.map((t) => [t.name, t.stateful]), [["database-orders-db", "RDS instance"]]);
  });

  it("in a drill, replacing a stateful resource is still dangerous", () => {
    assert.deepEqual(rules([stepOf("replace")], true), ["stateful-replace"]);
  });

  it("in a drill, a teardown that would delete a production resource is still dangerous", () => {
    const step = stepOf("delete", { type: "aws:s3/bucketV2:BucketV2", component: "recovery:storage:ReplicaBucketSync", name: "bucket-media-bucket", inputs: { bucket: "lomash-wood-backups" } });
    const { dangers, teardowns } = judged([step], true);
    assert.deepEqual(dangers.map((d) => d.rule), ["source-touched"]);
    assert.equal(teardowns.length, 1);
  });

  it("names the plan step kind from the innermost recovery component in the URN chain", () => {
    const job = stepOf("create", { type: "kubernetes:batch/v1:Job", component: "recovery:database:LogicalRestore", name: "database-analytics-restore" });
    const provider: PreviewStep = { op: "create", urn: "urn:pulumi:recovery::recovery-stacks::pulumi:providers:aws::default_7_48_0" };
    assert.deepEqual(changesOf([job, provider]).map((c) => c.kind), ["database", undefined]);
  });
});
