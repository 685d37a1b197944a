/**
 * The names this project gives and reads, in one place: the components' type tokens, the
 * `<kind>-<name>` rule that names a plan step's component, and which property of a provider
 * resource holds a real-world name. The program writes them; blast-radius, the policies, the drill
 * and its fake engine read them. No Pulumi import, so all of those (and the policy pack) load it.
 * Not a component itself.
 */
import type { StepKind } from "../stacks/schema";

/**
 * Every component's type token, `recovery:<module>:<Type>`. Permanent: a changed token is a new
 * resource to the engine and replaces live recovery resources (rename with an alias instead).
 */
export const COMPONENT_TYPES = {
  RecoveryEnvironment: "recovery:environment:RecoveryEnvironment",
  ClusterConfig: "recovery:cluster:ClusterConfig",
  SecretVersions: "recovery:secrets:SecretVersions",
  RestoredDatabase: "recovery:database:RestoredDatabase",
  LogicalRestore: "recovery:database:LogicalRestore",
  MigrationJob: "recovery:database:MigrationJob",
  RestoredCache: "recovery:cache:RestoredCache",
  ClusterRedis: "recovery:cache:ClusterRedis",
  ReplicaBucketSync: "recovery:storage:ReplicaBucketSync",
  AccessLogBucket: "recovery:storage:AccessLogBucket",
  ServiceRedeployment: "recovery:services:ServiceRedeployment",
  SmokeGate: "recovery:services:SmokeGate",
  TrafficCutover: "recovery:services:TrafficCutover",
} as const;

export type ComponentType = (typeof COMPONENT_TYPES)[keyof typeof COMPONENT_TYPES];

/**
 * The plan step kind each component realises. The environment holds every step and realises none;
 * an AccessLogBucket is created inside a ReplicaBucketSync, so it belongs to that bucket's step.
 * A `Record` over every token: adding a component without saying its kind does not compile.
 */
export const COMPONENT_STEP_KINDS: Readonly<Record<ComponentType, StepKind | undefined>> = {
  [COMPONENT_TYPES.RecoveryEnvironment]: undefined,
  [COMPONENT_TYPES.ClusterConfig]: "cluster-config",
  [COMPONENT_TYPES.SecretVersions]: "secret",
  [COMPONENT_TYPES.RestoredDatabase]: "database",
  [COMPONENT_TYPES.LogicalRestore]: "database",
  [COMPONENT_TYPES.MigrationJob]: "migration",
  [COMPONENT_TYPES.RestoredCache]: "cache",
  [COMPONENT_TYPES.ClusterRedis]: "cache",
  [COMPONENT_TYPES.ReplicaBucketSync]: "bucket",
  [COMPONENT_TYPES.AccessLogBucket]: "bucket",
  [COMPONENT_TYPES.ServiceRedeployment]: "service",
  [COMPONENT_TYPES.SmokeGate]: "smoke",
  [COMPONENT_TYPES.TrafficCutover]: "traffic",
};

/** Whether `type` is one of this project's component tokens. */
export function isComponentType(type: string): type is ComponentType {
  return Object.hasOwn(COMPONENT_STEP_KINDS, type);
}

/** The step kind a type token realises; undefined for the environment and for any other type. */
export function stepKindOfType(type: string): StepKind | undefined {
  return isComponentType(type) ? COMPONENT_STEP_KINDS[type] : undefined;
}

/**
 * The component realising plan step `<kind>:<name>` is named `<kind>-<name>`, and its children
 * `<kind>-<name>-<suffix>`: the drill and blast-radius find a resource's step from that prefix.
 */
export function componentName(step: { readonly kind: string; readonly name: string }): string {
  return `${step.kind}-${step.name}`;
}

/** The same rule from a step id (`database:orders` → `database-orders`). */
export function componentNameOfStepId(stepId: string): string {
  const at = stepId.indexOf(":");
  return at < 0 ? stepId : componentName({ kind: stepId.slice(0, at), name: stepId.slice(at + 1) });
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>`; the name may itself contain `::`. */
const URN = /^urn:pulumi:([^:]+)::([^:]+)::([^:]+(?::[^:]+)*?)::(.+)$/;

/** A resource's URN, split: what the engine names every resource by. */
export interface Urn {
  readonly stack: string;
  readonly project: string;
  /** Parent types first, the resource's own type last (the URN's `$`-separated chain). */
  readonly typeChain: readonly string[];
  readonly type: string;
  readonly name: string;
}

export function parseUrn(urn: string): Urn | undefined {
  const m = URN.exec(urn);
  if (!m) return undefined;
  const typeChain = m[3].split("$");
  return { stack: m[1], project: m[2], typeChain, type: typeChain[typeChain.length - 1], name: m[4] };
}

/** The resource's own name in its URN (what a person reads in a progress line). */
export const urnName = (urn: string): string => parseUrn(urn)?.name ?? urn;

/** Reads `a.b[0].c` (or `a.b.0.c`) out of a property bag; undefined where the path leads nowhere. */
export function propertyAt(bag: unknown, path: string): unknown {
  let node: unknown = bag;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Which properties of a provider resource hold real-world names, as the providers define them
 * (pulumi-aws from terraform-provider-aws's schemas, pulumi-kubernetes from the API's ObjectMeta).
 */
export interface NameProperties {
  /**
   * The resource's own name, unique in the account and region (or the cluster): a source name
   * here is the source resource itself. `identifier` of aws_db_instance, `name` of
   * aws_secretsmanager_secret, `metadata.name` of a Namespace (cluster-scoped).
   */
  readonly identity: readonly string[];
  /**
   * What it writes into that already exists: a Kubernetes object's namespace, the bucket an S3
   * sub-resource configures, the bucket access logs go to, the secret a SecretVersion sets.
   */
  readonly writesInto: readonly string[];
  /**
   * The name people read when it is not an identity: a namespaced object's `metadata.name` is
   * unique only inside its namespace, so the same name in the recovery namespace touches nothing.
   */
  readonly label?: string;
}

const NONE: NameProperties = { identity: [], writesInto: [] };

/**
 * Per type, not one list for all (read from the installed SDKs' Args, pulumi-aws 7.48 and
 * pulumi-kubernetes 4.34): `name` is the physical name of a Secrets Manager secret, but an RDS
 * instance has no `name` (its `dbName` is the database inside, `identifier` the instance), and a
 * top-level `namespace` exists only on a Helm v3 Release and a v4 Chart (a ConfigGroup and every
 * object put theirs in `metadata`). A namespaced object's `metadata.name` repeats freely across
 * namespaces, so it is a label, not a name that could be production's. One flat list for every
 * type matched values that name nothing real.
 */
const BY_TYPE: Readonly<Record<string, NameProperties>> = {
  "aws:rds/instance:Instance": { identity: ["identifier"], writesInto: [] },
  "aws:rds/cluster:Cluster": { identity: ["clusterIdentifier"], writesInto: [] },
  "aws:elasticache/replicationGroup:ReplicationGroup": { identity: ["replicationGroupId"], writesInto: [] },
  "aws:s3/bucket:Bucket": { identity: ["bucket"], writesInto: [] },
  "aws:s3/bucketV2:BucketV2": { identity: ["bucket"], writesInto: [] },
  // Access logs are written into the target: never production's log bucket.
  "aws:s3/bucketLogging:BucketLogging": { identity: [], writesInto: ["targetBucket", "bucket"] },
  "aws:s3/bucketLoggingV2:BucketLoggingV2": { identity: [], writesInto: ["targetBucket", "bucket"] },
  "aws:secretsmanager/secret:Secret": { identity: ["name"], writesInto: [] },
  "aws:secretsmanager/secretVersion:SecretVersion": { identity: [], writesInto: ["secretId"] },
  "kubernetes:core/v1:Namespace": { identity: ["metadata.name"], writesInto: [] },
  "kubernetes:helm.sh/v3:Release": { identity: [], writesInto: ["namespace"], label: "name" },
  "kubernetes:helm.sh/v4:Chart": { identity: [], writesInto: ["namespace"], label: "name" },
};

/** The name-bearing properties of a resource type (none for a type that names nothing). */
export function nameProperties(type: string): NameProperties {
  const own = BY_TYPE[type];
  if (own) return own;
  // Every other S3 resource (versioning, policy, lifecycle …) configures the bucket it names.
  if (type.startsWith("aws:s3/")) return { identity: [], writesInto: ["bucket"] };
  // Every other Kubernetes object lives in a namespace; cluster-scoped ones set none.
  if (type.startsWith("kubernetes:")) return { identity: [], writesInto: ["metadata.namespace"], label: "metadata.name" };
  return NONE;
}

/**
 * `[path, value]` for each real-world name the resource takes or writes into, in the table's
 * order: what invariant 1 (never write to the source) is checked against.
 */
export function writtenNames(type: string, props: unknown): Array<[string, string]> {
  const { identity, writesInto } = nameProperties(type);
  const out: Array<[string, string]> = [];
  for (const path of [...identity, ...writesInto]) {
    const value = propertyAt(props, path);
    if (typeof value === "string" && value !== "") out.push([path, value]);
  }
  return out;
}

/**
 * The name people know the real resource by: its identity, else its label (`metadata.name`), else
 * the bucket or secret it configures (a BucketPolicy is known by its bucket); never a namespace.
 */
export function labelName(type: string, props: unknown): string | undefined {
  const { identity, label, writesInto } = nameProperties(type);
  for (const path of [...identity, ...(label ? [label] : []), ...writesInto.filter((p) => !p.endsWith("namespace"))]) {
    const value = propertyAt(props, path);
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}
