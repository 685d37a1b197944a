import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../../stacks";
import { join } from "node:path";
import { runProgram } from "../../mocked-program/pulumi-mocks";
import { projectCopy } from "../support/project-copy";
import { repoStackFiles } from "../support/stack-files";

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

  it("refuses a service that depends on the gateway (a cycle through its wait for every other service) before registering any resource", async () => {
    // The program reads the inventory beside itself: run a copy of it next to a changed Pulumi.prod.yaml.
    const files = repoStackFiles();
    (files.prod.config["recovery:services"] as { dependsOn: string[] }[])[2].dependsOn[1] = "service:api-gateway";
    const copy = projectCopy(["index.ts", "package.json", "components", "stacks", "plan", "mocked-program", "k8s", "workers"], files);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mocks = require(join(copy.root, "mocked-program", "pulumi-mocks.ts")) as typeof import("../../mocked-program/pulumi-mocks");
      const run = await mocks.runProgram("recovery", { catchError: true });
      assert.ok(run.error instanceof pulumi.RunError);
      assert.equal(
        run.error.message,
        'Pulumi.prod.yaml: recovery:services[2].dependsOn[1]: dependency cycle service:customer → service:api-gateway → service:customer (the gateway waits for every other service); remove "service:api-gateway": a service reaches the others directly, never through the gateway',
      );
      assert.deepEqual(run.resources, []);
    } finally {
      copy.cleanup();
    }
  });

  it("refuses a drill that would promote production's replica bucket, before registering any resource", async () => {
    const config = readStackConfig("drill");
    const run = await runProgram("drill", { config: { ...config, "recovery:buckets": { media: { mode: "promote" } } }, catchError: true });
    assert.ok(run.error instanceof pulumi.RunError);
    assert.match(run.error.message, /recovery:buckets\.media\.mode/);
    assert.deepEqual(run.resources, []);
  });
});
