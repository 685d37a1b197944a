import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { runProgram, startMocks } from "../../mocked-program/pulumi-mocks";

/*
 * Pulumi keeps stack config in one process-wide store. A test that runs the program (which sets the
 * stack's config, `aws:region` among it) must leave nothing behind for the test after it: the
 * RestoredDatabase snapshot test failed when it ran after one, seeing the recovery stack's region.
 */
describe("program runs leave no shared state behind", function () {
  this.timeout(120_000);

  it("gives the program its stack's config while it runs", async () => {
    await runProgram("recovery");
    assert.equal(new pulumi.Config("aws").get("region"), "eu-west-2");
  });

  it("starts the next test's mocks with no stack config at all", async () => {
    await runProgram("recovery");
    await startMocks({ stack: "recovery" });
    assert.equal(new pulumi.Config("aws").get("region"), undefined);
    assert.equal(new pulumi.Config("recovery").get("suffix"), undefined);
  });
});
