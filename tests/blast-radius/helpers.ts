import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePreview, type Preview } from "../../blast-radius/parse";
import { blastRadius, type BlastRadius } from "../../blast-radius/assess";
import { loadStack } from "../../stacks";

export const FIXTURES = join(__dirname, "..", "fixtures", "preview");
/** The fixtures' restore points are "latest"; a fixed now keeps the loader's time checks still. */
export const NOW = new Date("2026-11-25T03:00:00Z");

/** The path as a user would type it from the repository root: messages name it. */
export const fixturePath = (file: string): string => `tests/fixtures/preview/${file}`;

export function readFixture(file: string): Preview {
  return parsePreview(readFileSync(join(FIXTURES, file), "utf8"), fixturePath(file));
}

/** A fixture judged against its own stack's config, as `--from` does by default. */
export function reportOf(file: string, stack = "recovery"): BlastRadius {
  return blastRadius(readFixture(file), {
    preview: fixturePath(file),
    config: loadStack(stack, { now: NOW }),
    configSource: { from: "preview", stack },
  });
}
