import type { ResourceValidationPolicy } from "@pulumi/policy";
import { missingConfig, SCHEMAS, type ParameterGroupsConfig, type RetentionConfig } from "./config";
import { TYPES } from "./resources";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Invariant 2: a restored database is never reachable from the internet. */
export const restoredDbNotPublic: ResourceValidationPolicy = {
  name: "restored-db-not-public",
  description: "Restored RDS instances are private.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.rdsInstance) return;
    if (args.props.publiclyAccessible !== false)
      reportViolation("restored databases must set publiclyAccessible: false; restore into the source's private subnet group");
  },
};

/** Invariant 2: restored data is encrypted at rest (and Redis in transit too). */
export const restoredDbEncrypted: ResourceValidationPolicy = {
  name: "restored-db-encrypted",
  description: "Restored RDS instances and ElastiCache groups are encrypted.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === TYPES.rdsInstance && args.props.storageEncrypted !== true)
      reportViolation("restored databases must set storageEncrypted: true (with the source's KMS key)");
    if (args.type === TYPES.cacheGroup) {
      if (args.props.atRestEncryptionEnabled !== true)
        reportViolation("restored caches must set atRestEncryptionEnabled: true");
      if (args.props.transitEncryptionEnabled !== true)
        reportViolation("restored caches must set transitEncryptionEnabled: true");
    }
  },
};

/**
 * Invariant 2, recovery stacks: a restored production database survives a stray `pulumi destroy`
 * and leaves a named final snapshot if it is ever deleted. Drills disable this policy in their
 * pack config (they must be destroyable).
 */
export const recoveryDbDeletionProtection: ResourceValidationPolicy = {
  name: "recovery-db-deletion-protection",
  description: "Recovery databases are protected from deletion and keep a final snapshot.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.rdsInstance) return;
    if (args.props.deletionProtection !== true)
      reportViolation("recovery databases must set deletionProtection: true");
    if (args.props.skipFinalSnapshot === true || typeof args.props.finalSnapshotIdentifier !== "string")
      reportViolation("recovery databases must keep a final snapshot: skipFinalSnapshot: false and a finalSnapshotIdentifier");
  },
};

/** A point-in-time restore can only reach back as far as the source's backup retention. */
export const restorePointWithinRetention: ResourceValidationPolicy = {
  name: "restore-point-within-retention",
  description: "A point-in-time restore targets a time inside the source's backup retention.",
  enforcementLevel: "mandatory",
  configSchema: SCHEMAS.retention,
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.rdsInstance) return;
    const pitr = args.props.restoreToPointInTime as
      | { sourceDbInstanceIdentifier?: string; sourceDbiResourceId?: string; restoreTime?: string; useLatestRestorableTime?: boolean }
      | undefined;
    if (!pitr || pitr.useLatestRestorableTime === true || pitr.restoreTime === undefined) return;
    const { retentionDays, now } = args.getConfig<RetentionConfig>();
    // A restore of a deleted instance names its DbiResourceId; the pack config keys both.
    const source = pitr.sourceDbInstanceIdentifier ?? pitr.sourceDbiResourceId ?? "(unnamed)";
    const days = retentionDays[source];
    if (days === undefined) {
      reportViolation(`restore source ${source} has no backup retention in the pack config; add it to retentionDays`);
      return;
    }
    const at = Date.parse(pitr.restoreTime);
    const nowMs = now ? Date.parse(now) : Date.now();
    if (Number.isNaN(at)) reportViolation(`restoreTime ${pitr.restoreTime} is not an ISO time; use e.g. 2026-02-18T14:30:00Z`);
    else if (at > nowMs) reportViolation(`restoreTime ${pitr.restoreTime} is in the future; use a time before now or useLatestRestorableTime`);
    else if (at < nowMs - days * DAY_MS)
      reportViolation(
        `restoreTime ${pitr.restoreTime} is older than ${source}'s ${days}-day backup retention; pick a later time or restore from a snapshot`,
      );
  },
};

/**
 * Issue 19: a point-in-time or snapshot restore attaches the engine's default parameter group
 * unless one is named (RestoreDBInstanceToPointInTime: "if you do not specify DBParameterGroupName,
 * the default DBParameterGroup for the specified DB engine is used"), and production's settings
 * (shared_preload_libraries, rds.force_ssl, logging) are lost without a word. The pack config
 * names, per restored identifier, the group the inventory records (npm run policy:config).
 */
export const restoredDbParameterGroup: ResourceValidationPolicy = {
  name: "restored-db-parameter-group",
  description: "A restored database names the parameter group the inventory records for it.",
  enforcementLevel: "mandatory",
  configSchema: SCHEMAS.parameterGroups,
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.rdsInstance) return;
    const { parameterGroups } = args.getConfig<ParameterGroupsConfig>();
    if (parameterGroups === undefined) {
      reportViolation(missingConfig("parameterGroups"));
      return;
    }
    const identifier = args.props.identifier;
    const wanted = typeof identifier === "string" ? parameterGroups[identifier] : undefined;
    if (wanted === undefined) return;
    const named = args.props.parameterGroupName;
    if (named === undefined || named === null || named === "")
      reportViolation(
        `restored database ${String(identifier)} names no parameter group, so RDS attaches the engine's default and production's settings are lost; set parameterGroupName: ${wanted} (recovery:databases[].parameterGroup in the inventory)`,
      );
    else if (named !== wanted)
      reportViolation(
        `restored database ${String(identifier)} names parameter group ${String(named)}, but the inventory records ${wanted}; set parameterGroupName: ${wanted}, or name the copy in recovery:databases.<name>.parameterGroup`,
      );
  },
};
