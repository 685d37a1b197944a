import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";

const REPO = join(__dirname, "..", "..");

/** The repository's stack files as plain objects: `{ prod: {config: …}, recovery: …, drill: … }`. */
export type StackFiles = Record<string, { config: Record<string, unknown> }>;

export function repoStackFiles(): StackFiles {
  const files: StackFiles = {};
  for (const stack of ["prod", "recovery", "drill"]) {
    files[stack] = parse(readFileSync(join(REPO, `Pulumi.${stack}.yaml`), "utf8"));
  }
  return files;
}

/** Writes stack files into a new temp dir; returns it and a cleanup. */
export function writeStackFiles(files: StackFiles, raw: Record<string, string> = {}): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "recovery-stacks-"));
  writeFileSync(join(root, "Pulumi.yaml"), "name: recovery-stacks\nruntime: nodejs\n");
  for (const [stack, doc] of Object.entries(files)) writeFileSync(join(root, `Pulumi.${stack}.yaml`), stringify(doc));
  for (const [name, text] of Object.entries(raw)) writeFileSync(join(root, name), text);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
