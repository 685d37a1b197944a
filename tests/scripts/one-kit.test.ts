import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * Issue 16: each small thing lives once, in the kit (scripts/lib/) or the one worker module.
 * These scan the sources, so a copy written back fails here with the file that holds it.
 */
const ROOT = join(__dirname, "..", "..");
const SKIP = new Set(["node_modules", ".git", "fixtures", "reports"]);

function sources(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") ? [relative(ROOT, path)] : [];
  });
}

/** Every `file:line` of the sources (but `except`) whose line matches `pattern`. */
function linesMatching(pattern: RegExp, except: readonly string[] = []): string[] {
  return sources()
    .filter((file) => !except.includes(file) && file !== "tests/scripts/one-kit.test.ts")
    .flatMap((file) =>
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}`] : [])),
    );
}

/** The lead rewrites these now (issue 17); their copies go when they land. */
describe("one kit: no copies of what scripts/lib and the workers hold once", () => {
  it("formats every thrown value's message through errorMessage (scripts/lib/errors.ts)", () => {
    const copies = /instanceof Error \? \w+\.message : String\(|as Error\)\.message/;
    assert.deepEqual(linesMatching(copies, ["scripts/lib/errors.ts"]), []);
  });

  it("formats bytes only in scripts/lib/bytes.ts", () => {
    assert.deepEqual(linesMatching(/\/ 1024 \/ 1024\)\.toFixed|\/ 2 \*\* (20|30)\)\.toFixed|v \/= 1024/, ["scripts/lib/bytes.ts"]), []);
  });

  it("pages S3 listings only through the SDK's paginators or workers/bucket-listing.ts's two-marker ones", () => {
    // A page loop reads the next page's token or markers; only the paginators do.
    assert.deepEqual(linesMatching(/\bNext(ContinuationToken|KeyMarker|UploadIdMarker|VersionIdMarker)\b/, ["workers/bucket-listing.ts"]), []);
  });

  it("aligns the text tables of plan, readiness, verify, blast-radius, policy:check, drill and the benches through scripts/lib/table.ts", () => {
    const renderers = ["readiness/render.ts", "plan/render.ts", "drill/cli.ts", "blast-radius/render.ts", "offline/policy-check.ts", "verification/report.ts", "bench/lib/cli.ts"];
    const others = sources().filter((f) => !renderers.includes(f));
    assert.deepEqual(linesMatching(/\.padEnd\(/, others), []);
  });

  it("runs the data plane's processes only through workers/child-process.ts", () => {
    const workers = sources().filter((f) => f.startsWith("workers/"));
    const outside = sources().filter((f) => !workers.includes(f));
    assert.deepEqual(linesMatching(/from "node:child_process"/, ["workers/child-process.ts", ...outside]), []);
  });
});
