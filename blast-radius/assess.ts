/**
 * A preview assessed: every change classified, the dangers judged, the time estimated against the
 * plan. What `npm run blast-radius` prints (render.ts) and exits by.
 */
import { COMPONENT_TYPES } from "../components/names";
import { buildPlan } from "../plan";
import type { RecoveryConfig } from "../stacks/types";
import { changesOf, displayName, judge, type Danger, type Teardown } from "./classify";
import { estimate, stepOf, type Estimate } from "./estimate";
import { previewStack, STEP_OPS, type Preview, type StepOp } from "./parse";

/** Where the source names (and the plan) came from, said in the output so nobody assumes. */
export type ConfigSource =
  | { readonly from: "--stack"; readonly stack: string }
  | { readonly from: "preview"; readonly stack: string }
  | { readonly from: "none"; readonly reason: string };

export interface AssessedChange {
  readonly op: StepOp;
  readonly type: string;
  readonly name: string;
  /** `name (physical name)` when they differ. */
  readonly label: string;
  /** The plan step kind, or `stack`, `provider`, `environment`, `other` for what no step owns. */
  readonly kind: string;
  readonly step: string | undefined;
  readonly stateful: string | undefined;
  readonly replaceReasons: readonly string[];
  readonly diffReasons: readonly string[];
  readonly urn: string;
}

export interface BlastRadius {
  /** The stack the preview is of (from its URNs). */
  readonly stack: string | undefined;
  /** The file, or `pulumi preview --stack X` when run live. */
  readonly preview: string;
  readonly config: ConfigSource;
  readonly verdict: "danger" | "clean";
  /** Resources per op (a replacement counted once), every op present in the preview. */
  readonly counts: Readonly<Partial<Record<StepOp, number>>>;
  readonly byKind: ReadonlyArray<{ readonly kind: string; readonly counts: Readonly<Partial<Record<StepOp, number>>> }>;
  /** Every change except `same`, in the preview's order. */
  readonly changes: readonly AssessedChange[];
  readonly dangers: readonly Danger[];
  readonly teardowns: readonly Teardown[];
  /** Undefined without a stack config: the plan is what gives the minutes. */
  readonly estimate: Estimate | undefined;
}

export interface AssessOptions {
  readonly preview: string;
  readonly config: RecoveryConfig | undefined;
  readonly configSource: ConfigSource;
}

const OTHER_KINDS: Readonly<Record<string, string>> = {
  "pulumi:pulumi:Stack": "stack",
  [COMPONENT_TYPES.RecoveryEnvironment]: "environment",
};

export function blastRadius(preview: Preview, options: AssessOptions): BlastRadius {
  const changes = changesOf(preview.steps);
  const plan = options.config ? buildPlan(options.config) : undefined;
  const { dangers, teardowns } = judge(changes, {
    sourceNames: options.config?.sourceNames ?? [],
    drill: options.config?.mode === "drill",
  });

  const counts: Partial<Record<StepOp, number>> = {};
  const kinds = new Map<string, Partial<Record<StepOp, number>>>();
  const rows: AssessedChange[] = [];
  for (const c of changes) {
    counts[c.op] = (counts[c.op] ?? 0) + 1;
    const kind = c.kind ?? OTHER_KINDS[c.type] ?? (c.type.startsWith("pulumi:providers:") ? "provider" : "other");
    const k = kinds.get(kind) ?? {};
    k[c.op] = (k[c.op] ?? 0) + 1;
    kinds.set(kind, k);
    if (c.op === "same") continue;
    rows.push({
      op: c.op,
      type: c.type,
      name: c.name,
      label: displayName(c),
      kind,
      step: plan ? stepOf(c, plan) : undefined,
      stateful: c.stateful,
      replaceReasons: c.replaceReasons,
      diffReasons: c.diffReasons,
      urn: c.urn,
    });
  }
  return {
    stack: previewStack(preview),
    preview: options.preview,
    config: options.configSource,
    verdict: dangers.length > 0 ? "danger" : "clean",
    counts: ordered(counts),
    byKind: [...kinds.entries()].map(([kind, c]) => ({ kind, counts: ordered(c) })),
    changes: rows,
    dangers,
    teardowns,
    estimate: plan ? estimate(changes, plan) : undefined,
  };
}

function ordered(counts: Partial<Record<StepOp, number>>): Partial<Record<StepOp, number>> {
  const out: Partial<Record<StepOp, number>> = {};
  for (const op of STEP_OPS) if (counts[op] !== undefined) out[op] = counts[op];
  return out;
}
