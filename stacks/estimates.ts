/**
 * Restore-time estimates in minutes, per kind of step. The restore kinds come from the
 * "Restore Time Estimates" table of the restore-procedures runbook (seed 004), taking the upper
 * bound of each range: an RTO estimate that plans for the good case is the one that gets missed.
 * The rest are this project's own defaults. Every value is overridable per stack
 * (`recovery:estimates`) and per resource (`estimateMinutes`).
 */
export const DEFAULT_ESTIMATES = {
  /** Creating the namespace and applying the Git-kept manifests. */
  clusterConfig: 5,
  /** Reading a secret version and writing it into Kubernetes. */
  secret: 2,
  /** "RDS PITR (single DB): 20–40 minutes". */
  pointInTime: 40,
  /** "RDS snapshot restore (single DB): 15–30 minutes". */
  snapshot: 30,
  /** "pg_dump restore (single DB, ~10GB): 10–20 minutes". */
  logical: 20,
  /** Running a service's pending migrations against the restored database. */
  migration: 5,
  /** "Redis RDB restore: 2–5 minutes". */
  cache: 5,
  /** "S3 bulk sync (< 100GB): 15–30 minutes". */
  bucketSync: 30,
  /** Pointing services at the replica bucket instead of copying it. */
  bucketPromote: 2,
  /** Rolling out one service and waiting for its readiness probe. */
  service: 5,
  /** The post-restore smoke tests through the gateway. */
  smoke: 5,
  /** Removing the traffic hold: the gateway's Ingress. */
  traffic: 3,
} as const;

export type EstimateKind = keyof typeof DEFAULT_ESTIMATES;
export const ESTIMATE_KINDS = Object.keys(DEFAULT_ESTIMATES) as EstimateKind[];

/** The kinds whose default is the upper bound of seed 004's "Restore Time Estimates" table. */
export const SEED_004_KINDS: ReadonlySet<EstimateKind> = new Set(["pointInTime", "snapshot", "logical", "cache", "bucketSync"]);
