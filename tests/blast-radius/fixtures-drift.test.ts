import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { previewFixtures, SECRET } from "../support/preview-fixtures";
import { mockSecretValue } from "../../mocked-program/pulumi-mocks";
import { FIXTURES } from "./helpers";

const REGENERATE = "run `npx tsx tests/fixtures/preview/generate.ts` and commit the result";

/** The fixtures are what the program registers under the mocks, never hand-edited. */
describe("blast-radius: the preview fixtures are the program's", () => {
  let generated: Map<string, string>;
  before(async () => {
    generated = await previewFixtures();
  });

  it("has a generated file for every fixture file in the folder, and no other", () => {
    const committed = readdirSync(FIXTURES).filter((f) => f !== "generate.ts").sort();
    assert.deepEqual(committed, [...generated.keys()].sort(), REGENERATE);
  });

  it("commits each fixture exactly as the program under the mocks produces it", () => {
    const drifted = [...generated].flatMap(([file, text]) => {
      const committed = readFileSync(join(FIXTURES, file), "utf8");
      if (committed === text) return [];
      // The first line that differs, not a 200 kB diff.
      const [a, b] = [committed.split("\n"), text.split("\n")];
      const line = a.findIndex((l, i) => l !== b[i]);
      return [`${file} line ${line + 1}: committed ${JSON.stringify(a[line] ?? "(end)")}, the program gives ${JSON.stringify(b[line] ?? "(end)")}`];
    });
    assert.deepEqual(drifted, [], `the fixtures drifted from the program; ${REGENERATE}`);
  });

  it("prints every secret input as the CLI does, never its value", () => {
    const all = [...generated.values()].join("\n");
    assert.ok(all.includes(`"password": "${SECRET}"`));
    assert.doesNotMatch(all, /mock-password-|postgresql:\/\/|rediss?:\/\/[^"]*@/);
    assert.ok(!all.includes(mockSecretValue("lomash-wood/production/jwt-secret", "AWSPREVIOUS")));
  });
});
