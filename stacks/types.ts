import type { BucketPolicy, CorsRule, LifecycleRule, Ownership } from "./bucket-settings";
import type { EstimateKind } from "./estimates";
import type {
  BucketInventory,
  ClusterCacheInventory,
  DatabaseInventory,
  ElastiCacheInventory,
  Inventory,
  RestoreMethod,
  SecretInventory,
  ServiceInventory,
  SmokeTest,
} from "./schema";

/**
 * Production's configuration of a database that a restore does not carry over by itself, as the
 * inventory records it and a restore stack may override it (docs/components.md, "What a restore
 * carries over from production"). Absent: the inventory records none, and AWS's default applies.
 */
export interface DatabaseConfiguration {
  /** The DB parameter group; without one, RDS attaches the engine's default (`default.postgres15`). */
  readonly parameterGroup?: string;
  readonly optionGroup?: string;
  /** e.g. `rds-ca-rsa2048-g1`. */
  readonly caCertificateIdentifier?: string;
  /** CloudWatch Logs exports (`postgresql`, `upgrade`); empty: none. */
  readonly logExports: readonly string[];
  /** Enhanced monitoring; absent: off. */
  readonly monitoring?: { readonly intervalSeconds: number; readonly roleArn?: string };
  /** Performance Insights; absent: off. */
  readonly performanceInsights?: { readonly enabled: boolean; readonly retentionDays?: number; readonly kmsKeyId?: string };
  readonly iamAuth: boolean;
}

/** A database to restore: its source in production and the new resource that replaces it. */
export interface DatabaseRestore {
  readonly name: string;
  readonly source: DatabaseInventory;
  /** The new identifier; never the source's. */
  readonly identifier: string;
  readonly method: RestoreMethod;
  /** point-in-time: `latest` (latest restorable time) or an ISO time. */
  readonly restoreTime: string;
  /** snapshot: a snapshot identifier, or `latest` for the newest snapshot of the source. */
  readonly snapshot: string;
  readonly instanceClass: string;
  readonly multiAz: boolean;
  readonly rotatePassword: boolean;
  readonly estimateMinutes: number;
  /** logical: the deliberate re-run number of the restore Job; undefined: it runs once. */
  readonly restoreRun?: number;
  /** What the restored instance is configured with: the inventory's, with the stack's overrides. */
  readonly configuration: DatabaseConfiguration;
}

/** A cache to restore, by kind: an ElastiCache group from a snapshot, or a Redis StatefulSet from an RDB. */
export type CacheRestore = ElastiCacheRestore | ClusterCacheRestore;

export interface ElastiCacheRestore {
  readonly kind: "elasticache";
  readonly name: string;
  readonly source: ElastiCacheInventory;
  readonly replicationGroupId: string;
  /** A snapshot name, or `latest` for the newest snapshot of the source group. */
  readonly snapshot: string;
  readonly nodeType: string;
  /** Production's cache parameter group, given to the restored group; absent: the engine's default. */
  readonly parameterGroup?: string;
  readonly estimateMinutes: number;
}

export interface ClusterCacheRestore {
  readonly kind: "cluster";
  readonly name: string;
  readonly source: ClusterCacheInventory;
  /** The RDB backups the init container restores the newest of (read only). */
  readonly rdb: { readonly bucket: string; readonly prefix: string };
  /** The Redis image of the restored StatefulSet: the inventory's, or DEFAULT_REDIS_IMAGE. */
  readonly redisImage: string;
  /** The `major.minor` that image runs: the inventory's, or the image tag's. */
  readonly redisVersion: string;
  readonly storageGb: number;
  /** Absent: the cluster's default storage class. */
  readonly storageClassName?: string;
  readonly estimateMinutes: number;
}

export interface BucketRestore {
  readonly name: string;
  readonly source: BucketInventory;
  /** `promote`: services use the replica (read-only to us). `rebuild`: a new bucket filled from it. */
  readonly mode: "promote" | "rebuild";
  /** The bucket services use after the restore. */
  readonly bucket: string;
  readonly estimateMinutes: number;
  /** The inventory marks the bucket public: its policy may grant public access. */
  readonly public: boolean;
  /** rebuild: production's policy, the source bucket's name rewritten to the rebuilt one's. */
  readonly policy?: BucketPolicy;
  /** rebuild: production's CORS rules. */
  readonly cors?: readonly CorsRule[];
  /** rebuild: production's lifecycle rules. */
  readonly lifecycle?: readonly LifecycleRule[];
  /** rebuild: production's object ownership. */
  readonly ownership?: Ownership;
  /** rebuild: the log bucket this stack creates for the access logs, and the prefix in it. */
  readonly logging?: { readonly targetBucket: string; readonly targetPrefix: string };
}

export interface SecretRestore {
  readonly name: string;
  readonly source: SecretInventory;
  /**
   * Which version to restore: a staging label (`AWSCURRENT` by default: the value production
   * runs now; `AWSPREVIOUS` only for a secret overwritten or rotated wrongly) or a version id.
   */
  readonly versionStage?: string;
  readonly versionId?: string;
  /** When set, the restored value is written as the current version of this new secret. */
  readonly recoverySecretId?: string;
  readonly estimateMinutes: number;
}

export interface ServiceRestore extends Omit<ServiceInventory, "estimateMinutes" | "migrations"> {
  readonly estimateMinutes: number;
  readonly migrations?: { readonly database: string; readonly command: readonly string[]; readonly estimateMinutes: number };
}

/** A validated restore stack joined with the inventory it restores: everything the plan and program need. */
export interface RecoveryConfig {
  readonly stack: string;
  readonly mode: "recovery" | "drill";
  readonly source: string;
  readonly region: string;
  readonly objectives: { readonly rtoMinutes: number; readonly rpoMinutes: number };
  /** The inventory's tiers by name (seed 001's when it defines none); an item without `tier` has `objectives`. */
  readonly tiers: Readonly<Record<string, { readonly rtoMinutes: number; readonly rpoMinutes: number }>>;
  /** The inventory's `recovery:coverage` rules, for readiness's look at what it does not cover. */
  readonly coverage: Inventory["coverage"];
  readonly suffix: string;
  readonly restorePoint: string;
  readonly failureTime?: string;
  readonly deletionProtection: boolean;
  readonly trafficCutover: boolean;
  /** This project's image for the in-cluster Jobs (restore, sync, smoke); undefined means the components' default. */
  readonly workerImage?: string;
  readonly estimates: Readonly<Record<EstimateKind, number>>;
  /** The stack's overrides of how long `pulumi up` waits (Go durations); absent: the components' defaults. */
  readonly timeouts: {
    readonly database: { readonly create?: string; readonly update?: string; readonly delete?: string };
    readonly traffic: { readonly create?: string };
  };
  readonly cluster: {
    readonly sourceNamespace: string;
    readonly namespace: string;
    readonly manifests: string;
    readonly estimateMinutes: number;
  };
  readonly databases: readonly DatabaseRestore[];
  readonly caches: readonly CacheRestore[];
  readonly buckets: readonly BucketRestore[];
  readonly secrets: readonly SecretRestore[];
  readonly services: readonly ServiceRestore[];
  readonly smoke: readonly SmokeTest[];
  /** Every name the source inventory owns (identifiers, buckets, replicas, dump buckets, secrets, namespace). */
  readonly sourceNames: readonly string[];
  /** Every name this stack creates or writes. */
  readonly targetNames: readonly string[];
}
