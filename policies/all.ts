import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  recoveryDbDeletionProtection,
  restoredDbEncrypted,
  restoredDbNotPublic,
  restoredDbParameterGroup,
  restorePointWithinRetention,
} from "./database";
import { credentialsAreSecret } from "./secrets";
import { gatewayLast, servicesHaveProbes } from "./services";
import { restoreNeverTargetsSource } from "./source";
import { drillIsolated } from "./stack";
import { backupsAreReadOnly, bucketsLogged, bucketsPrivate } from "./storage";

/** Every policy of the pack; shared by the CrossGuard pack (index.ts) and the offline check. */
export const resourcePolicies: ResourceValidationPolicy[] = [
  restoredDbNotPublic,
  restoredDbEncrypted,
  restoreNeverTargetsSource,
  recoveryDbDeletionProtection,
  backupsAreReadOnly,
  credentialsAreSecret,
  servicesHaveProbes,
  restorePointWithinRetention,
  restoredDbParameterGroup,
];

export const stackPolicies: StackValidationPolicy[] = [bucketsPrivate, bucketsLogged, gatewayLast, drillIsolated];

export const PACK_NAME = "recovery-guardrails";
