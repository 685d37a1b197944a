import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const DIR = join(__dirname, "..", "..", "components");
const files = readdirSync(DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts");
const text = (f: string): string => readFileSync(join(DIR, f), "utf8");
const componentCount = (f: string): number => (text(f).match(/extends pulumi\.ComponentResource\b/g) ?? []).length;

describe("the components folder's layout", () => {
  it("holds in each file one ComponentResource, or says that the file is not a component", () => {
    const unclear = files.filter((f) => {
      const n = componentCount(f);
      const says = text(f).includes("Not a component itself.");
      return !((n === 1 && !says) || (n === 0 && says));
    });
    assert.deepEqual(unclear, []);
  });

  it("has no file named for nothing in particular (shared, utils, helpers, common, misc)", () => {
    assert.deepEqual(
      files.filter((f) => /^(shared|utils?|helpers?|common|misc)\.ts$/.test(f)),
      [],
    );
  });
});
