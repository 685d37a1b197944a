import { z } from "zod";
import { parseUrn } from "../components/names";
import { errorMessage, UsageError } from "../scripts/lib/errors";

/**
 * Reads the document `pulumi preview --json` prints (the CLI's `PreviewDigest`:
 * `{config, steps, diagnostics, duration, changeSummary}`). Every mistake is reported with the
 * file and the path inside it, because in a disaster the person reading the message did not
 * write the file and has no time to debug our parser.
 */

/** Every step op the engine emits (`deploy.StepOp`), in the order people think about them. */
export const STEP_OPS = [
  "create",
  "update",
  "replace",
  "create-replacement",
  "delete-replaced",
  "delete",
  "same",
  "read",
  "read-replacement",
  "refresh",
  "import",
  "import-replacement",
  "discard",
  "discard-replaced",
  "remove-pending-replace",
] as const;
export type StepOp = (typeof STEP_OPS)[number];

// One URN parser for blast-radius and the drill's timing: components/names.ts.
export { parseUrn, type Urn } from "../components/names";

const urn = z.string().refine((s) => parseUrn(s) !== undefined, { error: "URN" });
const props = z.record(z.string(), z.unknown());

/** `apitype.ResourceV3`, only the fields we read; the rest passes through untouched. */
const resourceState = z.looseObject({
  urn,
  type: z.string().min(1),
  custom: z.boolean().optional(),
  id: z.string().optional(),
  parent: z.string().optional(),
  protect: z.boolean().optional(),
  inputs: props.optional(),
  outputs: props.optional(),
});

const propertyDiff = z.looseObject({ kind: z.string(), inputDiff: z.boolean().optional() });

const step = z.looseObject({
  op: z.enum(STEP_OPS),
  urn,
  provider: z.string().optional(),
  oldState: resourceState.optional(),
  newState: resourceState.optional(),
  diffReasons: z.array(z.string()).optional(),
  replaceReasons: z.array(z.string()).optional(),
  // The CLI writes `null` here when the provider computed no detailed diff.
  detailedDiff: z.record(z.string(), propertyDiff).nullable().optional(),
});

const diagnostic = z.looseObject({
  urn: z.string().optional(),
  message: z.string().optional(),
  severity: z.string().optional(),
});

export const previewSchema = z.looseObject({
  config: z.record(z.string(), z.unknown()).optional(),
  steps: z.array(step),
  diagnostics: z.array(diagnostic).optional(),
  duration: z.number().optional(),
  changeSummary: z.record(z.string(), z.number()).optional(),
});

export type ResourceState = z.infer<typeof resourceState>;
export type PreviewStep = z.infer<typeof step>;
export type Preview = z.infer<typeof previewSchema>;

/** A preview file we cannot judge; the message is the whole user-facing text. */
export class PreviewError extends UsageError {
  constructor(message: string) {
    super(message, { code: "bad-preview" });
    this.name = "PreviewError";
  }
}

const SAVE_IT = "save the output of `pulumi preview --json --stack <name>` unchanged and pass that file";

/** `["steps", 3, "op"]` → `steps[3].op`. */
function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : `${out ? "." : ""}${String(part)}`;
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return JSON.stringify(value);
}

function issueMessage(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  const at = jsonPath(issue.path);
  if (issue.path[0] === "steps" && issue.path.length === 1 && input === undefined)
    return `steps: is missing; every \`pulumi preview --json\` output lists steps (at least the stack itself), so this is another command's output or an edited file; ${SAVE_IT}`;
  if (input === undefined) return `${at}: is missing; a preview step always has it, ${SAVE_IT}`;
  if (issue.path[issue.path.length - 1] === "op" && issue.code === "invalid_value")
    return `${at}: ${describe(input)} is not a Pulumi step op; expected one of ${STEP_OPS.join(", ")}`;
  if (issue.message === "URN")
    return `${at}: ${describe(input)} is not a Pulumi URN; expected urn:pulumi:<stack>::<project>::<type>::<name>`;
  if (issue.code === "invalid_type")
    return `${at}: expected ${issue.expected === "array" ? "a list" : issue.expected === "object" || issue.expected === "record" ? "an object" : `a ${issue.expected}`}, got ${describe(input)}; ${SAVE_IT}`;
  return `${at}: ${issue.message}; ${SAVE_IT}`;
}

/** Why `JSON.parse` failed, said so that someone who only sees the file can fix it. */
function notJson(text: string, error: unknown): string {
  const trimmed = text.trim();
  if (trimmed === "") return `is empty; ${SAVE_IT}`;
  if (!trimmed.startsWith("{")) {
    const firstLine = trimmed.split("\n")[0];
    const shown = firstLine.length > 60 ? `${firstLine.slice(0, 60)}…` : firstLine;
    return `is not JSON (it starts with ${JSON.stringify(shown)}); ${SAVE_IT}, not its log or error text`;
  }
  const message = errorMessage(error);
  const position = /at position (\d+)/.exec(message);
  // A cut-off file fails at its very end (mid-string or mid-object), whatever V8 calls it.
  if (/Unexpected end of JSON input|Unterminated string/.test(message) || (position && Number(position[1]) >= text.trimEnd().length))
    return `ends before its JSON does (the file is truncated: was the preview interrupted, or the output cut?); ${SAVE_IT}`;
  if (position) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return `is not valid JSON at line ${line}, column ${column}; ${SAVE_IT}`;
  }
  return `is not valid JSON; ${SAVE_IT}`;
}

/**
 * Parses the text of a saved preview. `label` names the file in messages (the path as the
 * user typed it). A preview that itself failed is refused: its step list is incomplete, and a
 * blast radius judged on part of the changes would say "safe" about what it never saw.
 */
export function parsePreview(text: string, label: string): Preview {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new PreviewError(`${label}: ${notJson(text, error)}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw new PreviewError(`${label}: is ${describe(doc)}, not a preview object; ${SAVE_IT}`);
  const parsed = previewSchema.safeParse(doc, { reportInput: true });
  if (!parsed.success) {
    // The first few problems are enough to show what kind of file this is.
    const lines = parsed.error.issues.slice(0, 5).map((i) => `${label}: ${issueMessage(i)}`);
    const more = parsed.error.issues.length - lines.length;
    if (more > 0) lines.push(`${label}: … and ${more} more problem${more === 1 ? "" : "s"}`);
    throw new PreviewError(lines.join("\n"));
  }
  const failed = (parsed.data.diagnostics ?? []).filter((d) => d.severity === "error");
  if (failed.length > 0) {
    const first = (failed[0].message ?? "").trim().split("\n")[0];
    throw new PreviewError(
      `${label}: the preview itself failed (${failed.length} error${failed.length === 1 ? "" : "s"}, first: ${JSON.stringify(first)}); its steps are incomplete, fix the error and preview again`,
    );
  }
  const stacks = new Set(parsed.data.steps.map((s) => parseUrn(s.urn)!.stack));
  if (stacks.size > 1)
    throw new PreviewError(`${label}: steps come from several stacks (${[...stacks].join(", ")}); a preview is of one stack, ${SAVE_IT}`);
  return parsed.data;
}

/** The stack a preview is of (every URN carries it), if it has any step. */
export function previewStack(preview: Preview): string | undefined {
  return preview.steps.length > 0 ? parseUrn(preview.steps[0].urn)?.stack : undefined;
}
