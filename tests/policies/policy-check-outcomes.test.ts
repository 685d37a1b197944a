import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { checkStackPolicies, renderPolicyCheck, type PolicyCheckResult } from "../../mocked-program/policy-check";
import { resourcePolicies, stackPolicies } from "../../policies/all";

/** `policy:check` says which policies held, not only which were violated. */
describe("policies: what policy:check reports held", function () {
  this.timeout(120_000);
  const PACK = [...resourcePolicies, ...stackPolicies].map((p) => p.name);
  let recovery: PolicyCheckResult;
  let drill: PolicyCheckResult;
  let violated: PolicyCheckResult;
  before(async () => {
    recovery = await checkStackPolicies("recovery");
    drill = await checkStackPolicies("drill");
    violated = await checkStackPolicies("recovery", {
      alsoRegister: () => {
        new aws.rds.Instance("rogue-db", {
          identifier: "lomash-orders-prod-recovery-2",
          instanceClass: "db.r6g.large",
          publiclyAccessible: true,
          storageEncrypted: true,
          deletionProtection: true,
          skipFinalSnapshot: false,
          finalSnapshotIdentifier: "rogue-final",
        });
      },
    });
  });

  it("lists every policy of the pack once, in the pack's order", () => {
    assert.deepEqual(recovery.policies.map((p) => p.policy), PACK);
  });

  it("reports every enabled policy of the recovery stack as held, with its level and what it holds", () => {
    assert.deepEqual(
      recovery.policies.filter((p) => p.status !== "held"),
      recovery.policies.filter((p) => p.level === "disabled"),
    );
    assert.deepEqual(recovery.policies.find((p) => p.policy === "restored-db-not-public"), {
      policy: "restored-db-not-public",
      description: "Restored RDS instances are private.",
      level: "mandatory",
      status: "held",
      violations: 0,
    });
  });

  it("reports a policy the drill's pack config turns off as disabled, not as held", () => {
    assert.deepEqual(drill.policies.find((p) => p.policy === "recovery-db-deletion-protection"), {
      policy: "recovery-db-deletion-protection",
      description: "Recovery databases are protected from deletion and keep a final snapshot.",
      level: "disabled",
      status: "disabled",
      violations: 0,
    });
  });

  it("reports the violated policy with its count while the others still held", () => {
    assert.deepEqual(
      violated.policies.filter((p) => p.status === "violated").map((p) => [p.policy, p.violations]),
      [["restored-db-not-public", 1]],
    );
    assert.equal(violated.policies.find((p) => p.policy === "restored-db-encrypted")?.status, "held");
  });

  it("prints a line per policy for people, the held ones with what they hold", () => {
    const text = renderPolicyCheck(drill);
    const held = drill.policies.filter((p) => p.status === "held").length;
    assert.match(text, new RegExp(`^Policies over stack drill: \\d+ resources checked, ${held} of ${PACK.length} policies held$`, "m"));
    assert.match(text, /^ {2}held {6}restored-db-not-public +mandatory {2}Restored RDS instances are private\.$/m);
    assert.match(text, /^ {2}disabled {2}recovery-db-deletion-protection +disabled {3}off in this stack's pack config$/m);
    assert.match(text, /\npassed: no mandatory policy violated \(0 advisory\)$/);
  });

  it("prints a violated policy as VIOLATED in the list, and its violations below", () => {
    const text = renderPolicyCheck(violated);
    assert.match(text, /^ {2}VIOLATED {2}restored-db-not-public +mandatory {2}1 violation \(below\)$/m);
    assert.match(
      text,
      /\n\nrestored-db-not-public \(mandatory\): 1 violation\n {2}rogue-db: restored databases must set publiclyAccessible: false; restore into the source's private subnet group\n\nFAILED: 1 mandatory violation$/,
    );
  });
});
