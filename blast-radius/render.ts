import type { StepOp } from "./parse";
import type { BlastRadius, AssessedChange } from "./assess";
import { tableLines } from "../scripts/lib/table";

/** The ops a reviewer reads first; the rest follow in the engine's order. */
const MARKS: Partial<Record<StepOp, string>> = {
  create: "+",
  update: "~",
  replace: "+-",
  delete: "-",
  import: "=",
  read: ">",
  same: " ",
};
const LISTED_ORDER: readonly StepOp[] = ["delete", "replace", "update", "create", "import", "import-replacement", "read", "read-replacement", "refresh", "discard", "discard-replaced", "remove-pending-replace", "delete-replaced", "create-replacement"];

export function exitCode(radius: BlastRadius): 0 | 4 {
  return radius.verdict === "danger" ? 4 : 0;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function sourceLine(radius: BlastRadius): string {
  const c = radius.config;
  if (c.from === "--stack") return `source names and plan: stack ${c.stack} (from --stack)`;
  if (c.from === "preview") return `source names and plan: stack ${c.stack} (the preview's stack; Pulumi.${c.stack}.yaml)`;
  return `source names NOT checked and no time estimate: ${c.reason}`;
}

function timeLine(radius: BlastRadius): string {
  const e = radius.estimate;
  if (!e) return "time: unknown without a stack config (pass --stack)";
  if (e.steps.length === 0) return `time: nothing to restore (a full rebuild is ${e.planRtoMinutes} min)`;
  return (
    `time: creates ${plural(e.steps.length, "plan step")}, about ${e.estimatedRtoMinutes} min ` +
    `(critical path ${e.criticalPath.join(" → ")}; ${e.sequentialMinutes} min one after another); ` +
    `a full rebuild is ${e.planRtoMinutes} min, the objective ${e.objectiveRtoMinutes} min`
  );
}

function verdictLine(radius: BlastRadius): string {
  if (radius.verdict === "danger") return `DANGER: ${plural(radius.dangers.length, "risk")}; review before anyone runs \`pulumi up\` (exit 4)`;
  const deletes = radius.teardowns.length > 0 ? "no stateful resource replaced, deleted only by the drill's own teardown" : "nothing stateful replaced or deleted";
  const source = radius.config.from === "none" ? "source names NOT checked" : "nothing of the source touched";
  return `no danger: ${deletes}, ${source} (exit 0)`;
}

/** Columns: the ops present, in the engine's order. */
function opColumns(radius: BlastRadius): StepOp[] {
  return Object.keys(radius.counts) as StepOp[];
}

function reasonOf(c: AssessedChange): string {
  if (c.replaceReasons.length > 0) return `replaced for ${c.replaceReasons.join(", ")}`;
  if (c.diffReasons.length > 0) return `changes ${c.diffReasons.join(", ")}`;
  return "";
}

function groupedChanges(radius: BlastRadius): Array<[StepOp, AssessedChange[]]> {
  const groups: Array<[StepOp, AssessedChange[]]> = [];
  for (const op of LISTED_ORDER) {
    const rows = radius.changes.filter((c) => c.op === op);
    if (rows.length > 0) groups.push([op, rows]);
  }
  return groups;
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, right: (i: number) => boolean): string[] {
  const columns = header.map((_, i) => ({ align: right(i) ? ("right" as const) : ("left" as const) }));
  return tableLines([header, ...rows], { columns, indent: "  ", trimEnd: true });
}

function kindRows(radius: BlastRadius): { header: string[]; rows: string[][] } {
  const ops = opColumns(radius);
  const rows = radius.byKind.map((k) => [k.kind, ...ops.map((op) => String(k.counts[op] ?? 0))]);
  rows.push(["total", ...ops.map((op) => String(radius.counts[op] ?? 0))]);
  return { header: ["kind", ...ops], rows };
}

/** The short form for people at a terminal. */
export function renderText(radius: BlastRadius): string {
  const out: string[] = [];
  out.push(`Blast radius of stack ${radius.stack ?? "(unknown)"}: ${radius.preview}`);
  out.push(sourceLine(radius));
  out.push("");
  if (radius.dangers.length > 0) {
    out.push(`DANGER (${radius.dangers.length})`);
    for (const d of radius.dangers) out.push(`  ! ${d.op} ${d.type} ${d.name}`, `      ${d.why}`);
    out.push("");
  }
  if (radius.teardowns.length > 0) {
    out.push(`Drill teardown: ${plural(radius.teardowns.length, "stateful resource")} deleted, as a drill must (not a danger)`);
    for (const t of radius.teardowns) out.push(`  - ${t.stateful} ${t.name}`);
    out.push("");
  }
  const { header, rows } = kindRows(radius);
  out.push(...table(header, rows, (i) => i > 0));
  out.push("");
  for (const [op, changes] of groupedChanges(radius)) {
    out.push(`${op} (${changes.length})`);
    const lines = changes.map((c) => [
      `${MARKS[c.op] ?? "*"} ${c.label}`,
      c.type,
      c.step ?? "",
      [c.stateful ? `stateful: ${c.stateful}` : "", reasonOf(c)].filter(Boolean).join("; "),
    ]);
    out.push(...table(["resource", "type", "plan step", ""], lines, () => false).slice(1));
  }
  if (radius.changes.length === 0) out.push("no changes: every resource is as the preview found it");
  out.push("");
  out.push(timeLine(radius));
  out.push(verdictLine(radius));
  return out.join("\n") + "\n";
}

function md(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** For a pull-request comment: verdict first, the risks, then counts, time, and the full list folded. */
export function renderMarkdown(radius: BlastRadius): string {
  const out: string[] = [];
  const head = radius.verdict === "danger" ? `DANGER: ${plural(radius.dangers.length, "risk")}` : "no danger";
  out.push(`### Blast radius of ${code(radius.stack ?? "(unknown)")}: ${head}`, "");
  if (radius.dangers.length > 0) {
    out.push("| | op | resource | type | why |", "|---|---|---|---|---|");
    for (const d of radius.dangers) out.push(`| :warning: | ${d.op} | ${code(d.name)} | ${code(d.type)} | ${md(d.why)} |`);
    out.push("");
  }
  if (radius.teardowns.length > 0)
    out.push(
      `Drill teardown: ${plural(radius.teardowns.length, "stateful resource")} deleted, as a drill must (not a danger): ${radius.teardowns.map((t) => code(t.name)).join(", ")}.`,
      "",
    );
  const { header, rows } = kindRows(radius);
  out.push(`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  for (const r of rows) out.push(`| ${r[0] === "total" ? "**total**" : r[0]} | ${r.slice(1).join(" | ")} |`);
  out.push("");
  out.push(`**${md(timeLine(radius).replace(/^time: /, "Time: "))}**`, "");
  out.push(`${md(sourceLine(radius).replace(/^s/, "S"))}. Preview: ${code(radius.preview)}.`, "");
  if (radius.changes.length > 0) {
    out.push(`<details><summary>${plural(radius.changes.length, "change")}</summary>`, "");
    out.push("| op | resource | type | plan step | note |", "|---|---|---|---|---|");
    for (const [, changes] of groupedChanges(radius))
      for (const c of changes)
        out.push(
          `| ${c.op} | ${code(c.label)} | ${code(c.type)} | ${c.step ? code(c.step) : ""} | ${md([c.stateful ? `stateful: ${c.stateful}` : "", reasonOf(c)].filter(Boolean).join("; "))} |`,
        );
    out.push("", "</details>", "");
  } else out.push("No changes: every resource is as the preview found it.", "");
  return out.join("\n");
}

/** The machine form: everything the assessment knows, plus the exit code it implies. */
export function renderJson(radius: BlastRadius): string {
  return JSON.stringify({ ...radius, exitCode: exitCode(radius) }, null, 2) + "\n";
}
