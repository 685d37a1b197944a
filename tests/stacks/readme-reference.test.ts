import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inventorySchema, restoreStackSchema } from "../../stacks/schema";
import { allKeyPaths } from "../../stacks/schema-walk";

const README = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");

/** The `recovery:…` keys in the first column of the README's table under `heading`. */
function documentedKeys(heading: string): string[] {
  const start = README.indexOf(heading);
  assert.ok(start >= 0, `README has no "${heading}" section`);
  const rest = README.slice(start + heading.length);
  const end = rest.search(/\n#{2,3} /);
  const section = end >= 0 ? rest.slice(0, end) : rest;
  return [...section.matchAll(/^\| `recovery:([^`]+)` \|/gm)].map((m) => m[1]);
}

describe("README: the config reference is in step with the schema", () => {
  for (const [heading, schema] of [
    ["### The inventory (`Pulumi.prod.yaml`)", inventorySchema],
    ["### A restore stack (`Pulumi.recovery.yaml`, `Pulumi.drill.yaml`)", restoreStackSchema],
  ] as const) {
    it(`documents every key of ${heading.replace(/^### /, "")}, and no key the schema lacks`, () => {
      const documented = documentedKeys(heading);
      const keys = allKeyPaths(schema);
      assert.deepEqual(keys.filter((k) => !documented.includes(k)), [], "undocumented keys");
      assert.deepEqual(documented.filter((k) => !keys.includes(k)), [], "documented keys the schema does not have");
    });
  }
});
