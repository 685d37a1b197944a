import type { StepKind } from "../plan/types";
import { labelName, propertyAt, stepKindOfType, writtenNames } from "../components/names";
import { parseUrn, type PreviewStep, type ResourceState, type StepOp } from "./parse";

/**
 * The rules: what is stateful, which ops put it at risk, what counts as touching production.
 * Kept as data so a reviewer can check the list against the inventory in one glance.
 */

/**
 * Resources whose replacement or deletion loses data or cuts off what holds data: a replaced
 * RDS instance is a second restore (and the first one's writes are gone), a deleted namespace
 * takes every Secret, volume and Job in it along.
 */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  "aws:rds/instance:Instance": "RDS instance",
  "aws:rds/cluster:Cluster": "RDS cluster",
  "aws:elasticache/replicationGroup:ReplicationGroup": "ElastiCache group",
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "aws:secretsmanager/secret:Secret": "secret",
  "aws:secretsmanager/secretVersion:SecretVersion": "secret version",
  "kubernetes:core/v1:Secret": "Kubernetes secret",
  "kubernetes:core/v1:PersistentVolume": "persistent volume",
  "kubernetes:core/v1:PersistentVolumeClaim": "persistent volume claim",
  "kubernetes:core/v1:Namespace": "namespace",
};

/** Ops that change something in the world (or take ownership of it, like import). */
const WRITING_OPS: ReadonlySet<StepOp> = new Set<StepOp>([
  "create",
  "update",
  "replace",
  "create-replacement",
  "delete-replaced",
  "delete",
  "import",
  "import-replacement",
]);

/**
 * One resource's change. The CLI may list a replacement as three steps
 * (create-replacement, replace, delete-replaced, with `--show-replacement-steps`); they are one change.
 */
export interface Change {
  readonly urn: string;
  /** The op people read: `replace` for any of the replacement steps. */
  readonly op: StepOp;
  /** Every op the preview listed for this URN, in order. */
  readonly ops: readonly StepOp[];
  readonly type: string;
  readonly name: string;
  /** The plan step kind of the innermost recovery component above (or at) this resource. */
  readonly kind: StepKind | undefined;
  /** The label when the type is stateful (`RDS instance`), else undefined. */
  readonly stateful: string | undefined;
  /** Property paths forcing a replacement (replaceReasons, else detailedDiff's `*-replace` kinds). */
  readonly replaceReasons: readonly string[];
  readonly diffReasons: readonly string[];
  readonly detailedDiff: Readonly<Record<string, string>>;
  readonly oldState: ResourceState | undefined;
  readonly newState: ResourceState | undefined;
}

const REPLACE_OPS: ReadonlySet<StepOp> = new Set<StepOp>(["replace", "create-replacement", "delete-replaced"]);

function principalOp(ops: readonly StepOp[]): StepOp {
  if (ops.some((o) => REPLACE_OPS.has(o))) return "replace";
  if (ops.includes("import-replacement")) return "import-replacement";
  return ops[0];
}

function kindOf(typeChain: readonly string[]): StepKind | undefined {
  for (let i = typeChain.length - 1; i >= 0; i--) {
    const kind = stepKindOfType(typeChain[i]);
    if (kind) return kind;
  }
  return undefined;
}

/** Folds the preview's steps into one change per resource, in the preview's order. */
export function changesOf(steps: readonly PreviewStep[]): Change[] {
  const byUrn = new Map<string, PreviewStep[]>();
  for (const s of steps) byUrn.set(s.urn, [...(byUrn.get(s.urn) ?? []), s]);
  return [...byUrn.entries()].map(([urn, group]) => {
    const parsed = parseUrn(urn)!;
    const ops = group.map((s) => s.op);
    const detailedDiff: Record<string, string> = {};
    for (const s of group) for (const [k, v] of Object.entries(s.detailedDiff ?? {})) detailedDiff[k] = v.kind;
    const declared = unique(group.flatMap((s) => s.replaceReasons ?? []));
    const replaceReasons = declared.length > 0 ? declared : Object.keys(detailedDiff).filter((k) => detailedDiff[k].endsWith("-replace"));
    const last = <K extends "oldState" | "newState">(key: K) => group.map((s) => s[key]).filter((x) => x !== undefined).pop();
    return {
      urn,
      op: principalOp(ops),
      ops,
      type: parsed.type,
      name: parsed.name,
      kind: kindOf(parsed.typeChain),
      stateful: STATEFUL_TYPES[parsed.type],
      replaceReasons: principalOp(ops) === "replace" ? replaceReasons : [],
      diffReasons: unique(group.flatMap((s) => s.diffReasons ?? [])),
      detailedDiff,
      oldState: last("oldState"),
      newState: last("newState"),
    };
  });
}

/**
 * The real-world names a change's old and new states take or write into (names.ts's table for
 * its type), `[key, value]`, inputs before outputs.
 */
export function physicalNames(change: Change): Array<{ key: string; value: string; state: "old" | "new" }> {
  const out: Array<{ key: string; value: string; state: "old" | "new" }> = [];
  const seen = new Set<string>();
  for (const [state, s] of [["new", change.newState], ["old", change.oldState]] as const) {
    for (const bag of [s?.inputs, s?.outputs]) {
      for (const [key, value] of writtenNames(change.type, bag)) {
        const id = `${state}/${key}/${value}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ key, value, state });
      }
    }
  }
  return out;
}

/** The name people know a resource by: its physical name when it has one, else the Pulumi name. */
export function displayName(change: Change): string {
  const own = [change.newState, change.oldState].flatMap((s) => [s?.inputs, s?.outputs]).map((bag) => labelName(change.type, bag)).find((n) => n !== undefined);
  return own && own !== change.name ? `${change.name} (${own})` : change.name;
}

export type DangerRule = "stateful-replace" | "stateful-delete" | "source-touched";

export interface Danger {
  readonly urn: string;
  readonly name: string;
  readonly type: string;
  readonly op: StepOp;
  readonly rule: DangerRule;
  /** One sentence: what is at risk and what forces it. */
  readonly why: string;
}

/** A stateful delete in a drill stack: by design (a drill always destroys what it created). */
export interface Teardown {
  readonly urn: string;
  readonly name: string;
  readonly type: string;
  readonly stateful: string;
}

export interface Judgement {
  readonly dangers: readonly Danger[];
  readonly teardowns: readonly Teardown[];
}

export interface JudgeOptions {
  /** Every name production owns (`config.sourceNames`); empty when no stack config was found. */
  readonly sourceNames: readonly string[];
  /** A drill stack's own stateful deletes are its teardown, not a danger. */
  readonly drill: boolean;
}

function showValue(v: unknown): string | undefined {
  if (v === undefined) return "(unset)";
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return JSON.stringify(v);
  return undefined;
}

/** `snapshotIdentifier "rds:a" → "rds:b"`: the forcing property, with its values when they are plain. */
function describeReason(change: Change, path: string): string {
  const kind = change.detailedDiff[path];
  const before = showValue(propertyAt(change.oldState?.inputs, path));
  const after = showValue(propertyAt(change.newState?.inputs, path));
  const values = before !== undefined && after !== undefined && before !== after ? ` ${before} → ${after}` : "";
  return `${path}${values}${kind ? ` (${kind})` : ""}`;
}

export function judge(changes: readonly Change[], options: JudgeOptions): Judgement {
  const sources = new Set(options.sourceNames);
  const dangers: Danger[] = [];
  const teardowns: Teardown[] = [];
  for (const c of changes) {
    const base = { urn: c.urn, name: c.name, type: c.type, op: c.op };
    if (c.stateful && c.op === "replace") {
      const forced =
        c.replaceReasons.length > 0
          ? `forced by ${c.replaceReasons.map((r) => describeReason(c, r)).join(", ")}`
          : "the preview does not say which property forces it";
      dangers.push({ ...base, rule: "stateful-replace", why: `${c.stateful} ${displayName(c)} is replaced: the old one is deleted with everything written to it, a new one is created from scratch; ${forced}` });
    } else if (c.stateful && c.op === "delete") {
      if (options.drill) teardowns.push({ urn: c.urn, name: c.name, type: c.type, stateful: c.stateful });
      else dangers.push({ ...base, rule: "stateful-delete", why: `${c.stateful} ${displayName(c)} is deleted, with what it holds; it is no longer in the program` });
    }
    if (WRITING_OPS.has(c.op)) {
      const states = new Map<string, Set<string>>();
      for (const p of physicalNames(c).filter((p) => sources.has(p.value))) {
        const id = `${p.key} "${p.value}"`;
        states.set(id, (states.get(id) ?? new Set()).add(p.state));
      }
      const hits = [
        ...(sources.has(c.name) ? [`its Pulumi name "${c.name}"`] : []),
        ...[...states].map(([id, s]) => `${id} (${s.size === 2 ? "old and new" : [...s][0]} state)`),
      ];
      if (hits.length > 0)
        dangers.push({ ...base, rule: "source-touched", why: `${c.op} touches a production resource named in the source inventory: ${unique(hits).join(", ")}; a recovery never writes to the source` });
    }
  }
  return { dangers, teardowns };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
