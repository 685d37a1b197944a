import { strict as assert } from "node:assert";
import { loadStack } from "../../stacks";
import { misspeltAwsStage } from "../../stacks/secret-stages";
import { repoStackFiles, writeStackFiles } from "../support/stack-files";

const NOW = new Date("2026-11-25T12:00:00Z");

describe("stacks: secret staging labels", () => {
  it("accepts AWS's own three labels as they are", () => {
    assert.deepEqual(["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"].map(misspeltAwsStage), [undefined, undefined, undefined]);
  });

  it("names the AWS label meant by a swapped, dropped, extra or wrong-case letter", () => {
    assert.deepEqual(
      ["AWSPREVIUOS", "AWSCURENT", "AWSPENDINGG", "awsprevious", "AwsCurrent", "AWS_PREVIOUS", "AWS-PENDING"].map(misspeltAwsStage),
      ["AWSPREVIOUS", "AWSCURRENT", "AWSPENDING", "AWSPREVIOUS", "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"],
    );
  });

  it("names the AWS label meant by the label without its AWS prefix", () => {
    assert.deepEqual(["previous", "CURRENT", "Pending"].map(misspeltAwsStage), ["AWSPREVIOUS", "AWSCURRENT", "AWSPENDING"]);
  });

  it("leaves custom labels alone, even ones that start with AWS", () => {
    assert.deepEqual(["pre-incident-2026-11-24", "known-good", "AWSBACKUP", "blue"].map(misspeltAwsStage), [undefined, undefined, undefined, undefined]);
  });

  it("restores a custom label and AWSPENDING when a stack asks for them", () => {
    const files = repoStackFiles();
    (files.recovery.config as Record<string, unknown>)["recovery:secrets"] = {
      jwt: { versionStage: "known-good" },
      sendgrid: { versionStage: "AWSPENDING" },
    };
    const { root, cleanup } = writeStackFiles(files);
    try {
      const config = loadStack("recovery", { root, now: NOW });
      assert.deepEqual(
        config.secrets.map((s) => [s.name, s.versionStage]),
        [
          ["jwt", "known-good"],
          ["stripe-secret-key", "AWSCURRENT"],
          ["stripe-webhook", "AWSCURRENT"],
          ["sendgrid", "AWSPENDING"],
        ],
      );
    } finally {
      cleanup();
    }
  });
});
