import type { Inventory } from "../schema";

/** Every name the inventory owns: what a restore reads and never writes. */
export function sourceNamesOf(inv: Inventory): string[] {
  return [
    inv.cluster.namespace,
    ...inv.databases.flatMap((d) => [d.identifier, d.dumps.bucket]),
    ...inv.caches.flatMap((c) => (c.kind === "elasticache" ? [c.replicationGroupId] : [c.statefulSet, c.rdb.bucket])),
    ...inv.buckets.flatMap((b) => [b.bucket, b.replica.bucket]),
    // Production's log buckets: a restore logs into a log bucket of its own.
    ...new Set(inv.buckets.flatMap((b) => (b.logging ? [b.logging.targetBucket] : []))),
    ...inv.secrets.map((s) => s.secretId),
  ];
}
