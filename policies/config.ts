import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";

/**
 * The pack's parameters. They come from the pack's config (`--policy-pack-config`), generated per
 * stack from the inventory by `npm run policy:config`; a policy never branches on the stack name.
 */
export interface SourceNamesConfig {
  /** Every name production owns: identifiers, buckets, replicas, dump buckets, secrets, namespace. */
  readonly sourceNames?: string[];
}
export interface ReadOnlyConfig {
  /** Buckets that are only ever read: backups, dumps, replicas and the damaged sources. */
  readonly readOnlyBuckets?: string[];
  /** Snapshot identifiers that are only ever read. */
  readonly readOnlySnapshots: string[];
}
export interface RetentionConfig {
  /** Backup retention in days per source database identifier. */
  readonly retentionDays: Record<string, number>;
  /** "Now" as an ISO time; defaults to the time the policy runs. */
  readonly now?: string;
}
export interface ParameterGroupsConfig {
  /** The parameter group each restored database must name, by its new identifier (from the inventory). */
  readonly parameterGroups?: Record<string, string>;
}
export interface GatewayConfig {
  /** The Pulumi name of the gateway's Deployment. */
  readonly gatewayDeployment: string;
}
export interface IsolationConfig {
  /** Names the drill must not touch: production's and every recovery stack's. */
  readonly protectedNames?: string[];
}

const stringList = { type: "array", items: { type: "string" }, default: [] } as const;
/**
 * No default: these lists are what the policy checks against, and an empty default would let it
 * pass while checking nothing. Without them the policy reports that its config is missing.
 */
const requiredList = { type: "array", items: { type: "string" } } as const;

/** The violation a policy reports when its list is not in the pack config. */
export const missingConfig = (key: string): string =>
  `${key} is not in the pack config, so nothing could be checked; pass --policy-pack-config policies/config/<stack>.json (npm run policy:config writes it)`;

export const SCHEMAS: Record<string, PolicyConfigSchema> = {
  sourceNames: { properties: { sourceNames: requiredList } },
  readOnly: { properties: { readOnlyBuckets: requiredList, readOnlySnapshots: stringList } },
  retention: {
    properties: {
      retentionDays: { type: "object", additionalProperties: { type: "number" }, default: {} },
      now: { type: "string" },
    },
  },
  gateway: { properties: { gatewayDeployment: { type: "string", default: "" } } },
  isolation: { properties: { protectedNames: requiredList } },
  // No default, as for the lists above: an empty map would pass while checking nothing.
  parameterGroups: { properties: { parameterGroups: { type: "object", additionalProperties: { type: "string" } } } },
};

export type { EnforcementLevel };
