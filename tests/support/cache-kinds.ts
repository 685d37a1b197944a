import { projectCopy } from "./project-copy";
import { repoStackFiles, type StackFiles } from "./stack-files";

/**
 * The other cache kind: seed 004's sessions as an ElastiCache replication group (what the example
 * inventory had before it modelled seed 004's in-cluster Redis), with a custom parameter group.
 */
export const ELASTICACHE_SESSIONS = {
  name: "sessions",
  replicationGroupId: "lomash-wood-redis-prod",
  nodeType: "cache.r6g.large",
  numCacheClusters: 2,
  subnetGroup: "lomash-wood-cache-subnet",
  securityGroupIds: ["sg-0b2c3d4e5f6071829"],
  snapshotRetentionDays: 5,
  parameterGroup: "lomash-wood-redis7",
  tier: "non-critical",
} as const;

/** A second cache beside the example's, of the ElastiCache kind: a stack with both kinds. */
export const ELASTICACHE_RATE_LIMITS = {
  kind: "elasticache",
  name: "rate-limits",
  replicationGroupId: "lomash-wood-ratelimit-prod",
  nodeType: "cache.t4g.medium",
  subnetGroup: "lomash-wood-cache-subnet",
  securityGroupIds: ["sg-0b2c3d4e5f6071829"],
  snapshotRetentionDays: 1,
  parameterGroup: "lomash-wood-redis7",
} as const;

const caches = (files: StackFiles) => files.prod.config as Record<string, unknown>;

/** The repository's stack files with the sessions cache as ElastiCache (and the drill's override for that kind). */
export function elastiCacheStackFiles(files: StackFiles = repoStackFiles()): StackFiles {
  caches(files)["recovery:caches"] = [{ ...ELASTICACHE_SESSIONS }];
  (files.drill.config as Record<string, unknown>)["recovery:caches"] = { sessions: { nodeType: "cache.t4g.small" } };
  return files;
}

/** The repository's stack files with both kinds: the example's cluster cache and an ElastiCache group. */
export function bothCacheKindsStackFiles(files: StackFiles = repoStackFiles()): StackFiles {
  caches(files)["recovery:caches"] = [...(caches(files)["recovery:caches"] as object[]), { ...ELASTICACHE_RATE_LIMITS }];
  return files;
}

/** What the program needs to run from a copy (mocked-program/pulumi-mocks.ts runProgram's `root`). */
const PROGRAM_FILES = ["index.ts", "components", "stacks", "plan", "workers", "package.json", "k8s"];

/** A copy of the program beside `files`, for runProgram({ root }). */
export function programCopy(files: StackFiles): { root: string; cleanup: () => void } {
  return projectCopy(PROGRAM_FILES, files);
}
