import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { StackFiles } from "./stack-files";

const REPO = join(__dirname, "..", "..");

/**
 * A copy of some of the project's files beside stack files of the test's own, for code that reads
 * the stack files next to itself (the loader's default root: `npm run plan`, the program). The
 * shared node_modules is linked, so `@pulumi/pulumi` resolves to the same module as the test's.
 */
export function projectCopy(paths: readonly string[], files: StackFiles): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "recovery-stacks-copy-"));
  for (const p of ["Pulumi.yaml", "scripts/lib", ...paths]) cpSync(join(REPO, p), join(root, p), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"));
  for (const [stack, doc] of Object.entries(files)) writeFileSync(join(root, `Pulumi.${stack}.yaml`), stringify(doc));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
