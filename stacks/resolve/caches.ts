import { DEFAULT_REDIS_IMAGE, redisVersionOfImage } from "../image-reference";
import type { Problem } from "../problems";
import type { Inventory } from "../schema";
import type { CacheRestore } from "../types";
import type { ResolveContext, Resolved } from "./context";

/** ElastiCache's limit on a replication group id. */
const MAX_CACHE_ID = 40;

/** One cache of the inventory as the restore stack restores it: each kind takes its own overrides only. */
export function resolveCache(source: Inventory["caches"][number], ctx: ResolveContext): Resolved<CacheRestore> {
  const o = ctx.stack.caches[source.name] ?? {};
  const path = ["caches", source.name];
  const estimateMinutes = source.estimateMinutes ?? ctx.estimates.cache;
  // A nodeType would be silently ignored by a StatefulSet, a volume size by ElastiCache.
  const foreign = (source.kind === "cluster" ? (["snapshot", "nodeType"] as const) : (["storageGb", "storageClassName"] as const)).filter((k) => o[k] !== undefined);
  const problems: Problem[] = foreign.map((key) => ({
    path: [...path, key],
    message:
      source.kind === "cluster"
        ? `${key} applies to an ElastiCache cache; "${source.name}" is of kind cluster (restored from its newest RDB into a StatefulSet), so remove it (its overrides are storageGb, storageClassName)`
        : `${key} applies to a cache of kind cluster; "${source.name}" is an ElastiCache cache, so remove it (its overrides are snapshot, nodeType)`,
  }));
  if (source.kind === "cluster") {
    const redisImage = source.redisImage ?? DEFAULT_REDIS_IMAGE;
    // checkInventory refused an image whose tag names no version, so this is always known.
    const redisVersion = source.redisVersion ?? redisVersionOfImage(redisImage) ?? "";
    return {
      value: {
        kind: "cluster",
        name: source.name,
        source,
        rdb: source.rdb,
        redisImage,
        redisVersion,
        storageGb: o.storageGb ?? source.storageGb,
        storageClassName: o.storageClassName,
        estimateMinutes,
      },
      problems,
    };
  }
  const replicationGroupId = `${source.replicationGroupId}-${ctx.suffix}`;
  if (replicationGroupId.length > MAX_CACHE_ID)
    problems.push({ path: ["suffix"], message: `"${replicationGroupId}" is longer than ElastiCache's ${MAX_CACHE_ID} characters; use a shorter suffix` });
  return {
    value: {
      kind: "elasticache",
      name: source.name,
      source,
      replicationGroupId,
      snapshot: o.snapshot ?? "latest",
      nodeType: o.nodeType ?? source.nodeType,
      parameterGroup: source.parameterGroup,
      estimateMinutes,
    },
    problems,
  };
}
