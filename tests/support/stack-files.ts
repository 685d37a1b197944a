import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { listStacks, readStackConfig } from "../../stacks/loader";

/** The repository's stack files as plain objects: `{ prod: {config: …}, recovery: …, drill: … }`. */
export type StackFiles = Record<string, { config: Record<string, unknown> }>;

/**
 * Every stack file of the repository, found and read by the loader itself (a new stack file is
 * in, a broken one fails here with the loader's message), as fresh objects a test may change.
 */
export function repoStackFiles(): StackFiles {
  return Object.fromEntries(listStacks().map((stack) => [stack, { config: readStackConfig(stack) }]));
}

/** Writes stack files into a new temp dir; returns it and a cleanup. */
export function writeStackFiles(files: StackFiles, raw: Record<string, string> = {}): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "recovery-stacks-"));
  writeFileSync(join(root, "Pulumi.yaml"), "name: recovery-stacks\nruntime: nodejs\n");
  for (const [stack, doc] of Object.entries(files)) writeFileSync(join(root, `Pulumi.${stack}.yaml`), stringify(doc));
  for (const [name, text] of Object.entries(raw)) writeFileSync(join(root, name), text);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
