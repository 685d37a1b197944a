import { rewritePolicy } from "./bucket-settings";
import { databaseConfigurationProblems } from "./database-configuration";
import { DEFAULT_ESTIMATES, type EstimateKind } from "./estimates";
import { DEFAULT_REDIS_IMAGE, redisVersionOfImage } from "./image-reference";
import { keyPath, type ConfigProblem } from "./problems";
import { AWS_STAGES, DEFAULT_SECRET_STAGE, misspeltAwsStage } from "./secret-stages";
import type { Inventory, RestoreStack } from "./schema";
import type {
  BucketRestore,
  CacheRestore,
  DatabaseRestore,
  RecoveryConfig,
  SecretRestore,
  ServiceRestore,
} from "./types";

type Problem = Omit<ConfigProblem, "file">;

const DAY_MS = 24 * 60 * 60 * 1000;
/** AWS name limits: RDS identifiers and S3 buckets 63 characters, ElastiCache groups 40. */
const MAX_RDS_ID = 63;
const MAX_BUCKET = 63;
const MAX_CACHE_ID = 40;

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

function checkRestoreTime(time: string, path: PropertyKey[], retentionDays: number, now: Date): Problem[] {
  if (time === "latest") return [];
  const at = Date.parse(time);
  if (at > now.getTime())
    return [{ key: keyPath(path), message: `${time} is in the future; use "latest" or a time before now (${now.toISOString()})` }];
  const oldest = now.getTime() - retentionDays * DAY_MS;
  if (at < oldest)
    return [
      {
        key: keyPath(path),
        message: `${time} is older than the ${retentionDays}-day backup retention (oldest restorable ${new Date(oldest).toISOString()}); pick a later time or restore from a snapshot`,
      },
    ];
  return [];
}

function unknownOverrides(stack: RestoreStack, inv: Inventory): Problem[] {
  const problems: Problem[] = [];
  for (const list of ["databases", "caches", "buckets", "secrets"] as const) {
    const known = new Set(inv[list].map((x) => x.name));
    for (const name of Object.keys(stack[list])) {
      if (!known.has(name))
        problems.push({
          key: keyPath([list, name]),
          message: `there is no ${list.slice(0, -1)} named "${name}" in the source inventory; use one of ${[...known].join(", ") || "(none)"}`,
        });
    }
  }
  return problems;
}

/** Joins a validated restore stack with its inventory, and checks what needs both. */
export function resolveRestoreStack(
  stackName: string,
  stack: RestoreStack,
  inv: Inventory,
  now: Date,
): { config: RecoveryConfig; problems: Problem[] } {
  const problems: Problem[] = unknownOverrides(stack, inv);
  const estimates = { ...DEFAULT_ESTIMATES, ...stripUndefined(inv.estimates) } as Record<EstimateKind, number>;
  const suffix = stack.suffix;
  const sourceNames = sourceNamesOf(inv);
  const sourceSet = new Set(sourceNames);

  if (stack.mode === "drill" && stack.deletionProtection)
    problems.push({ key: keyPath(["deletionProtection"]), message: "a drill must be destroyable; set it to false" });
  if (stack.mode === "recovery" && !stack.deletionProtection)
    problems.push({ key: keyPath(["deletionProtection"]), message: "restored databases in a recovery stack are protected from deletion; set it to true" });
  if (stack.mode === "drill" && stack.trafficCutover)
    problems.push({ key: keyPath(["trafficCutover"]), message: "a drill never takes production traffic; set it to false" });
  problems.push(...checkRestoreTime(stack.restorePoint, ["restorePoint"], Math.min(...inv.databases.map((d) => d.backupRetentionDays), Infinity), now));

  const namespace = stack.namespace ?? `${inv.cluster.namespace}-${suffix}`;
  if (namespace === inv.cluster.namespace)
    problems.push({
      key: keyPath([stack.namespace ? "namespace" : "suffix"]),
      message: `namespace "${namespace}" is production's own; use a namespace of its own, like "${inv.cluster.namespace}-${suffix}"`,
    });

  const databases: DatabaseRestore[] = inv.databases.map((source) => {
    const o = stack.databases[source.name] ?? {};
    const path = ["databases", source.name];
    const method = o.method ?? (o.snapshot !== undefined ? "snapshot" : "point-in-time");
    const identifier = o.identifier ?? `${source.identifier}-${suffix}`;
    if (identifier === source.identifier)
      problems.push({ key: keyPath([...path, "identifier"]), message: `"${identifier}" is the source database's own identifier; a restore always gets a new one, like "${source.identifier}-${suffix}"` });
    else if (sourceSet.has(identifier))
      problems.push({ key: keyPath([...path, "identifier"]), message: `"${identifier}" is a production resource's name; choose a new identifier` });
    if (identifier.length > MAX_RDS_ID || !/^[a-z][a-z0-9-]*$/.test(identifier) || identifier.includes("--") || identifier.endsWith("-"))
      problems.push({ key: keyPath(o.identifier ? [...path, "identifier"] : ["suffix"]), message: `"${identifier}" is not a valid RDS identifier (lowercase letters, digits, single hyphens, at most ${MAX_RDS_ID} characters); shorten or fix it` });
    if (o.time !== undefined && method !== "point-in-time")
      problems.push({ key: keyPath([...path, "time"]), message: `a time only applies to method point-in-time (this database uses ${method}); remove it or set method: point-in-time` });
    if (o.snapshot !== undefined && method !== "snapshot")
      problems.push({ key: keyPath([...path, "snapshot"]), message: `a snapshot only applies to method snapshot (this database uses ${method}); remove it or set method: snapshot` });
    const restoreTime = o.time ?? stack.restorePoint;
    if (method === "point-in-time" && o.time !== undefined)
      problems.push(...checkRestoreTime(o.time, [...path, "time"], source.backupRetentionDays, now));
    if (o.restoreRun !== undefined && method !== "logical")
      problems.push({ key: keyPath([...path, "restoreRun"]), message: `restoreRun re-runs a pg_dump restore Job and only applies to method logical (this database uses ${method}); remove it` });
    problems.push(...databaseConfigurationProblems(o, path));
    const estimateKind = method === "point-in-time" ? "pointInTime" : method;
    return {
      name: source.name,
      source,
      identifier,
      method,
      restoreTime,
      snapshot: o.snapshot ?? "latest",
      instanceClass: o.instanceClass ?? source.instanceClass,
      multiAz: o.multiAz ?? source.multiAz,
      // A restore keeps the source's master password, which this project does not hold: without a
      // new one, DATABASE_URL has no password and no service can log in.
      rotatePassword: o.rotatePassword ?? true,
      estimateMinutes: source.estimateMinutes ?? estimates[estimateKind],
      restoreRun: o.restoreRun,
      configuration: {
        parameterGroup: o.parameterGroup ?? source.parameterGroup,
        optionGroup: o.optionGroup ?? source.optionGroup,
        caCertificateIdentifier: source.caCertificateIdentifier,
        logExports: source.logExports ?? [],
        monitoring: o.monitoring ?? source.monitoring,
        performanceInsights: o.performanceInsights ?? source.performanceInsights,
        iamAuth: source.iamAuth ?? false,
      },
    };
  });
  problems.push(...checkCreateTimeout(stack.timeouts?.database.create, databases));

  const caches: CacheRestore[] = inv.caches.map((source): CacheRestore => {
    const o = stack.caches[source.name] ?? {};
    const path = ["caches", source.name];
    const estimateMinutes = source.estimateMinutes ?? estimates.cache;
    // Each kind's overrides only: a nodeType would be silently ignored by a StatefulSet, a volume size by ElastiCache.
    const foreign = (source.kind === "cluster" ? (["snapshot", "nodeType"] as const) : (["storageGb", "storageClassName"] as const)).filter((k) => o[k] !== undefined);
    for (const key of foreign)
      problems.push({
        key: keyPath([...path, key]),
        message:
          source.kind === "cluster"
            ? `${key} applies to an ElastiCache cache; "${source.name}" is of kind cluster (restored from its newest RDB into a StatefulSet), so remove it (its overrides are storageGb, storageClassName)`
            : `${key} applies to a cache of kind cluster; "${source.name}" is an ElastiCache cache, so remove it (its overrides are snapshot, nodeType)`,
      });
    if (source.kind === "cluster") {
      const redisImage = source.redisImage ?? DEFAULT_REDIS_IMAGE;
      // checkInventory refused an image whose tag names no version, so this is always known.
      const redisVersion = source.redisVersion ?? redisVersionOfImage(redisImage) ?? "";
      return {
        kind: "cluster",
        name: source.name,
        source,
        rdb: source.rdb,
        redisImage,
        redisVersion,
        storageGb: o.storageGb ?? source.storageGb,
        storageClassName: o.storageClassName,
        estimateMinutes,
      };
    }
    const replicationGroupId = `${source.replicationGroupId}-${suffix}`;
    if (replicationGroupId.length > MAX_CACHE_ID)
      problems.push({ key: keyPath(["suffix"]), message: `"${replicationGroupId}" is longer than ElastiCache's ${MAX_CACHE_ID} characters; use a shorter suffix` });
    return {
      kind: "elasticache",
      name: source.name,
      source,
      replicationGroupId,
      snapshot: o.snapshot ?? "latest",
      nodeType: o.nodeType ?? source.nodeType,
      parameterGroup: source.parameterGroup,
      estimateMinutes,
    };
  });

  const buckets: BucketRestore[] = inv.buckets.map((source) => {
    const o = stack.buckets[source.name] ?? {};
    const path = ["buckets", source.name];
    const mode = o.mode ?? "rebuild";
    if (mode === "promote" && stack.mode === "drill")
      problems.push({ key: keyPath([...path, "mode"]), message: "a drill never points services at production's replica (they would write to it); use mode: rebuild" });
    if (mode === "promote" && o.bucket !== undefined)
      problems.push({ key: keyPath([...path, "bucket"]), message: "a promoted bucket is the replica itself; remove bucket or set mode: rebuild" });
    const bucket = mode === "promote" ? source.replica.bucket : o.bucket ?? `${source.bucket}-${suffix}`;
    if (mode === "rebuild") {
      if (bucket === source.bucket || bucket === source.replica.bucket)
        problems.push({
          key: keyPath([...path, "bucket"]),
          message: `"${bucket}" is the ${bucket === source.bucket ? "source" : "replica"} bucket; a rebuild writes a new bucket, like "${source.bucket}-${suffix}"`,
        });
      else if (sourceSet.has(bucket))
        problems.push({ key: keyPath([...path, "bucket"]), message: `"${bucket}" is a production bucket; choose a new name` });
      if (bucket.length > MAX_BUCKET)
        problems.push({ key: keyPath(o.bucket ? [...path, "bucket"] : ["suffix"]), message: `"${bucket}" is longer than S3's ${MAX_BUCKET} characters; shorten it` });
    }
    const estimateKind = mode === "promote" ? "bucketPromote" : "bucketSync";
    const settings = mode === "rebuild" ? bucketSettings(source, bucket, o.logging, path, suffix, sourceSet, problems) : {};
    return { name: source.name, source, mode, bucket, estimateMinutes: source.estimateMinutes ?? estimates[estimateKind], public: source.public ?? false, ...settings };
  });

  problems.push(...sharedLogBuckets(buckets, stack));

  const secrets: SecretRestore[] = inv.secrets.map((source) => {
    const o = stack.secrets[source.name] ?? {};
    if (o.versionId !== undefined && o.versionStage !== undefined)
      problems.push({ key: keyPath(["secrets", source.name, "versionId"]), message: "give either versionId or versionStage, not both" });
    // A misspelt stage would only fail at `pulumi up`, in the middle of a recovery.
    const meant = o.versionStage === undefined ? undefined : misspeltAwsStage(o.versionStage);
    if (meant !== undefined)
      problems.push({
        key: keyPath(["secrets", source.name, "versionStage"]),
        message: `"${o.versionStage}" looks like a misspelt AWS staging label; did you mean "${meant}"? (labels are case-sensitive; AWS's own are ${AWS_STAGES.join(", ")})`,
      });
    return {
      name: source.name,
      source,
      versionStage: o.versionId === undefined ? o.versionStage ?? DEFAULT_SECRET_STAGE : undefined,
      versionId: o.versionId,
      recoverySecretId: o.writeRecoverySecret ? `${source.secretId}-${suffix}` : undefined,
      estimateMinutes: source.estimateMinutes ?? estimates.secret,
    };
  });

  const services: ServiceRestore[] = inv.services.map((s) => ({
    ...s,
    estimateMinutes: s.estimateMinutes ?? estimates.service,
    migrations: s.migrations && {
      database: s.migrations.database,
      command: s.migrations.command,
      estimateMinutes: s.migrations.estimateMinutes ?? estimates.migration,
    },
  }));

  const targetNames = [
    namespace,
    ...databases.map((d) => d.identifier),
    // A cluster cache's StatefulSet lives in the namespace above, named by the step.
    ...caches.flatMap((c) => (c.kind === "elasticache" ? [c.replicationGroupId] : [])),
    ...buckets.filter((b) => b.mode === "rebuild").map((b) => b.bucket),
    ...buckets.flatMap((b) => (b.logging ? [b.logging.targetBucket] : [])),
    ...secrets.flatMap((s) => (s.recoverySecretId ? [s.recoverySecretId] : [])),
  ];

  const config: RecoveryConfig = {
    stack: stackName,
    mode: stack.mode,
    source: stack.source,
    region: inv.region,
    objectives: inv.objectives,
    tiers: inv.tiers,
    coverage: inv.coverage,
    suffix,
    restorePoint: stack.restorePoint,
    failureTime: stack.failureTime,
    deletionProtection: stack.deletionProtection,
    trafficCutover: stack.trafficCutover,
    workerImage: stack.workerImage,
    estimates,
    timeouts: stack.timeouts ?? { database: {}, traffic: {} },
    cluster: {
      sourceNamespace: inv.cluster.namespace,
      namespace,
      manifests: inv.cluster.manifests,
      estimateMinutes: inv.cluster.estimateMinutes ?? estimates.clusterConfig,
    },
    databases,
    caches,
    buckets,
    secrets,
    services,
    smoke: inv.smoke,
    sourceNames,
    targetNames,
  };
  return { config, problems };
}

/** Each rebuilt bucket creates its own log bucket: two naming one would create it twice. */
function sharedLogBuckets(buckets: readonly BucketRestore[], stack: RestoreStack): Problem[] {
  const owners = new Map<string, string>();
  const problems: Problem[] = [];
  for (const b of buckets) {
    const target = b.logging?.targetBucket;
    if (target === undefined) continue;
    const other = owners.get(target) ?? buckets.find((x) => x.bucket === target)?.name;
    if (other !== undefined)
      problems.push({
        key: keyPath(stack.buckets[b.name]?.logging?.targetBucket !== undefined ? ["buckets", b.name, "logging", "targetBucket"] : ["suffix"]),
        message: `"${target}" is also ${owners.has(target) ? `the log bucket of bucket "${other}"` : `the rebuilt bucket "${other}"`}; each rebuilt bucket gets a log bucket of its own, like "${b.bucket}-logs"`,
      });
    else owners.set(target, b.name);
  }
  return problems;
}

type BucketOverride = NonNullable<RestoreStack["buckets"][string]>;

/**
 * What a rebuilt bucket carries over from production: the policy with the source's name
 * rewritten, CORS, lifecycle, ownership, and access logging into a new log bucket of its own
 * (production's log bucket only accepts logs from production's buckets, and a drill never
 * writes into production).
 */
function bucketSettings(
  source: Inventory["buckets"][number],
  bucket: string,
  override: BucketOverride["logging"],
  path: PropertyKey[],
  suffix: string,
  sourceSet: ReadonlySet<string>,
  problems: Problem[],
): Pick<BucketRestore, "policy" | "cors" | "lifecycle" | "ownership" | "logging"> {
  if (override !== undefined && source.logging === undefined)
    problems.push({
      key: keyPath([...path, "logging"]),
      message: `production does not log bucket ${source.bucket} (the inventory's recovery:buckets entry "${source.name}" has no logging); add it there or remove this override`,
    });
  let logging: BucketRestore["logging"];
  if (source.logging !== undefined) {
    const targetBucket = override?.targetBucket ?? `${bucket}-logs`;
    const key = keyPath(override?.targetBucket !== undefined ? [...path, "logging", "targetBucket"] : ["suffix"]);
    if (targetBucket === source.logging.targetBucket || sourceSet.has(targetBucket))
      problems.push({ key, message: `"${targetBucket}" is a production bucket; a restore writes its access logs to a log bucket of its own, like "${bucket}-logs"` });
    else if (targetBucket === bucket)
      problems.push({ key, message: `"${targetBucket}" is the rebuilt bucket itself; its logs go to a separate log bucket, like "${bucket}-logs"` });
    if (targetBucket.length > MAX_BUCKET)
      problems.push({ key, message: `"${targetBucket}" is longer than S3's ${MAX_BUCKET} characters; shorten it` });
    logging = { targetBucket, targetPrefix: override?.targetPrefix ?? source.logging.targetPrefix };
  }
  return {
    policy: source.policy && rewritePolicy(source.policy, source.bucket, bucket),
    cors: source.cors,
    lifecycle: source.lifecycle,
    ownership: source.ownership,
    logging,
  };
}

/** A create timeout shorter than a restore's own estimate fails the restore it waits for. */
function checkCreateTimeout(create: string | undefined, databases: readonly DatabaseRestore[]): Problem[] {
  if (create === undefined || databases.length === 0) return [];
  const minutes = Number(create.slice(0, -1)) * ({ s: 1 / 60, m: 1, h: 60 } as Record<string, number>)[create.slice(-1)];
  const slowest = [...databases].sort((a, b) => b.estimateMinutes - a.estimateMinutes)[0];
  if (minutes >= slowest.estimateMinutes) return [];
  return [
    {
      key: keyPath(["timeouts", "database", "create"]),
      message: `${create} is shorter than database "${slowest.name}"'s ${slowest.estimateMinutes}-minute estimate; a create that times out leaves the instance in AWS but not in state, so give it the estimate with margin (the default is 4h)`,
    },
  ];
}

/** A drill must not share a name with what a recovery stack of the same source creates. */
export function checkDrillIsolation(drill: RecoveryConfig, recoveries: readonly RecoveryConfig[]): Problem[] {
  const problems: Problem[] = [];
  for (const recovery of recoveries) {
    if (drill.cluster.namespace === recovery.cluster.namespace)
      problems.push({
        key: keyPath(["namespace"]),
        message: `namespace "${drill.cluster.namespace}" is also the ${recovery.stack} stack's; a drill uses a namespace of its own`,
      });
    if (drill.suffix === recovery.suffix)
      problems.push({
        key: keyPath(["suffix"]),
        message: `suffix "${drill.suffix}" is also the ${recovery.stack} stack's, so the drill would reuse its names; use another suffix, like "drill"`,
      });
    else {
      const theirs = new Set(recovery.targetNames);
      for (const name of drill.targetNames)
        if (name !== drill.cluster.namespace && theirs.has(name))
          problems.push({ key: keyPath(["suffix"]), message: `"${name}" is also created by the ${recovery.stack} stack; give the drill names of its own` });
    }
  }
  return problems;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
