import pLimit from "p-limit";
import type { RecoveryConfig } from "../stacks";
import { awsClients, couldNotCheck, type AwsClients } from "./aws";
import { checkBucket } from "./buckets";
import { checkCache } from "./caches";
import type { CheckContext } from "./context";
import { findUncovered, type UncoveredResource } from "./coverage";
import { checkDatabase } from "./databases";
import { coveredNames } from "./own-names";
import { unknown } from "./results";
import { checkSecret } from "./secrets";
import type { InventoryUpdate, ItemKind, ItemResult, ReadinessItem, ReadinessReport } from "./types";
import { judge, objectiveFor, summarize } from "./verdict";

export interface ReadinessOptions {
  readonly config: RecoveryConfig;
  /** The folder holding the stack files (for this project's other restore stacks). Defaults to the repository. */
  readonly root?: string;
  /** Defaults to the current time. */
  readonly now?: Date;
  /** Per AWS call. Defaults to 30 s. */
  readonly timeoutMs?: number;
  /** Items checked at once. Defaults to 16. */
  readonly concurrency?: number;
  /** Recent source objects looked up in each replica. Defaults to 20. */
  readonly sampleSize?: number;
  /** Warnings make the report not ready. Defaults to `false`. */
  readonly strict?: boolean;
  /** Clients to use instead of the SDK's defaults (tests). */
  readonly aws?: AwsClients;
  /** Called as each item is judged, and once when the coverage listing is done. */
  readonly onProgress?: (done: number, total: number, what: string) => void;
}

export interface ReadinessRun {
  readonly report: ReadinessReport;
  /** The uncovered resources with what the account said about them (for `--suggest`). */
  readonly uncoveredDetail: readonly UncoveredResource[];
  /** Inventory databases whose recorded configuration drifted from the account, in inventory order (for `--suggest`). */
  readonly inventoryUpdates: readonly InventoryUpdate[];
}

/**
 * An item's checks may take several calls, each retried (the dump lookup shares the restore
 * worker's patient retries): its whole check gets this many timeouts, so a silent endpoint
 * cannot hold a nightly run forever.
 */
const ITEM_DEADLINE_CALLS = 4;

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { name: "TimeoutError" })), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

interface Work {
  readonly kind: ItemKind;
  readonly name: string;
  readonly id: string;
  readonly tier: string | undefined;
  readonly check: () => Promise<ItemResult>;
}

/** Reads the account (only reads: Describe, List, Get, Head) and judges every inventory item. */
export async function runReadiness(options: ReadinessOptions): Promise<ReadinessRun> {
  const started = Date.now();
  const { config } = options;
  const now = options.now ?? new Date();
  const ctx: CheckContext = { config, now, aws: options.aws ?? awsClients(options.timeoutMs ?? 30_000), sampleSize: options.sampleSize ?? 20 };
  const work: Work[] = [
    ...config.databases.map((d): Work => ({ kind: "database", name: d.name, id: d.source.identifier, tier: d.source.tier, check: () => checkDatabase(d, ctx) })),
    ...config.caches.map((c): Work => ({ kind: "cache", name: c.name, id: c.kind === "elasticache" ? c.source.replicationGroupId : c.source.statefulSet, tier: c.source.tier, check: () => checkCache(c, ctx) })),
    ...config.buckets.map((b): Work => ({ kind: "bucket", name: b.name, id: b.source.bucket, tier: b.source.tier, check: () => checkBucket(b, ctx) })),
    ...config.secrets.map((s): Work => ({ kind: "secret", name: s.name, id: s.source.secretId, tier: s.source.tier, check: () => checkSecret(s, ctx) })),
  ];
  const total = work.length + 1;
  let done = 0;
  const limit = pLimit(options.concurrency ?? 16);
  const updates = new Map<string, InventoryUpdate>();
  const coverage = limit(() => findUncovered(ctx, coveredNames(config, options.root))).then((r) => {
    options.onProgress?.(++done, total, "coverage");
    return r;
  });
  const items: ReadinessItem[] = await Promise.all(
    work.map((w) =>
      limit(async () => {
        // A check that throws is one that could not answer, never one that passed.
        const result = await withDeadline(w.check(), ctx.aws.timeoutMs * ITEM_DEADLINE_CALLS).catch((error: unknown) =>
          unknown(w.id, couldNotCheck(`checking ${w.kind} ${w.id}`, error, ctx.aws.timeoutMs * ITEM_DEADLINE_CALLS)),
        );
        if (result.inventoryUpdate !== undefined) updates.set(w.name, result.inventoryUpdate);
        const item = judge(w.kind, w.name, w.id, objectiveFor(config, w.tier), result);
        options.onProgress?.(++done, total, `${w.kind}:${w.name} ${item.status}`);
        return item;
      }),
    ),
  );
  const { uncovered, problems } = await coverage;
  const report = summarize(
    { stack: config.stack, source: config.source, region: config.region, checkedAt: now.toISOString(), durationMs: Date.now() - started },
    items,
    uncovered.map(({ kind, id, region }) => ({ kind, id, region })),
    problems,
    options.strict ?? false,
  );
  const inventoryUpdates = config.databases.flatMap((d) => updates.get(d.name) ?? []);
  return { report, uncoveredDetail: uncovered, inventoryUpdates };
}
