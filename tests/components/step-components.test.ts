import { strict as assert } from "node:assert";
import { STEP_COMPONENTS } from "../../components/step-components";
import { STEP_KINDS } from "../../stacks/schema";

describe("the per-kind factories RecoveryEnvironment builds steps with (components/step-components.ts)", () => {
  it("has exactly one factory for every plan step kind the schema knows, and none for another", () => {
    assert.deepEqual(Object.keys(STEP_COMPONENTS).sort(), [...STEP_KINDS].sort());
  });
});
