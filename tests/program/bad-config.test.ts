import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../../stacks";
import { runProgram } from "../../offline/pulumi-mocks";

describe("the whole program with a bad stack config", () => {
  it("refuses a restore under the source database's own identifier before registering any resource", async () => {
    const config = readStackConfig("recovery");
    const databases = { ...(config["recovery:databases"] as Record<string, object>), orders: { identifier: "lomash-orders-prod" } };
    const run = await runProgram("recovery", { config: { ...config, "recovery:databases": databases }, catchError: true });
    assert.ok(run.error instanceof pulumi.RunError);
    assert.match(run.error.message, /recovery:databases\.orders\.identifier/);
    assert.match(run.error.message, /"lomash-orders-prod" is the source database's own identifier/);
    assert.deepEqual(run.resources, []);
  });

  it("refuses a drill that would promote production's replica bucket, before registering any resource", async () => {
    const config = readStackConfig("drill");
    const run = await runProgram("drill", { config: { ...config, "recovery:buckets": { media: { mode: "promote" } } }, catchError: true });
    assert.ok(run.error instanceof pulumi.RunError);
    assert.match(run.error.message, /recovery:buckets\.media\.mode/);
    assert.deepEqual(run.resources, []);
  });
});
