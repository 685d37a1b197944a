import { otherRecoveries, type LoadOptions } from "../stacks";
import type { RecoveryConfig } from "../stacks/types";
import type { PackConfig } from "./run";

/**
 * The pack config of a restore stack, derived from its inventory so the policies know the
 * source names, the read-only buckets and the retention without anyone typing them twice.
 * Enforcement differs by mode through this config, never inside a policy.
 * (Used by `npm run policy:config` and the offline check; the pack itself never loads stacks.)
 */
export function packConfigFor(config: RecoveryConfig, gatewayDeployment: string, options: LoadOptions = {}): PackConfig {
  const drill = config.mode === "drill";
  const readOnlyBuckets = [
    ...new Set([
      ...config.databases.map((d) => d.source.dumps.bucket),
      ...config.buckets.flatMap((b) => [b.source.bucket, b.source.replica.bucket]),
    ]),
  ];
  return {
    "restored-db-not-public": "mandatory",
    "restored-db-encrypted": "mandatory",
    "restore-never-targets-source": { enforcementLevel: "mandatory", sourceNames: [...config.sourceNames] },
    "recovery-db-deletion-protection": drill ? "disabled" : "mandatory",
    "backups-are-read-only": { enforcementLevel: "mandatory", readOnlyBuckets, readOnlySnapshots: namedSnapshots(config) },
    "buckets-private": "mandatory",
    "credentials-are-secret": "mandatory",
    "services-have-probes": "mandatory",
    "gateway-last": { enforcementLevel: "mandatory", gatewayDeployment },
    "drill-isolated": drill
      ? {
          enforcementLevel: "mandatory",
          protectedNames: [
            ...config.sourceNames,
            ...otherRecoveries(config.stack, config.source, options.root, options.now).flatMap((r) => r.targetNames),
          ],
        }
      : "disabled",
    "restored-db-parameter-group": {
      enforcementLevel: "mandatory",
      parameterGroups: Object.fromEntries(
        config.databases.flatMap((d) => (d.configuration.parameterGroup === undefined ? [] : [[d.identifier, d.configuration.parameterGroup]])),
      ),
    },
    "restore-point-within-retention": {
      enforcementLevel: "mandatory",
      retentionDays: Object.fromEntries(
        config.databases.flatMap((d) => [d.source.identifier, ...(d.source.dbiResourceId ? [d.source.dbiResourceId] : [])].map((id) => [id, d.source.backupRetentionDays])),
      ),
    },
  };
}

/** The snapshots the stack restores from by name: read, never written (nor reused as a final snapshot). */
function namedSnapshots(config: RecoveryConfig): string[] {
  return [
    ...config.databases.filter((d) => d.method === "snapshot" && d.snapshot !== "latest").map((d) => d.snapshot),
    ...config.caches.flatMap((c) => (c.kind === "elasticache" && c.snapshot !== "latest" ? [c.snapshot] : [])),
  ];
}
