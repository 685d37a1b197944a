/**
 * What the policies need to know about resource types: which ones hold a name that could be a
 * production resource's, and which ones are stateful. One table, shared by every policy.
 */
export const TYPES = {
  rdsInstance: "aws:rds/instance:Instance",
  rdsSnapshot: "aws:rds/snapshot:Snapshot",
  cacheGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  versioning: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  versioningV1: "aws:s3/bucketVersioning:BucketVersioning",
  encryption: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  encryptionV1: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  logging: "aws:s3/bucketLogging:BucketLogging",
  loggingV2: "aws:s3/bucketLoggingV2:BucketLoggingV2",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  namespace: "kubernetes:core/v1:Namespace",
  k8sSecret: "kubernetes:core/v1:Secret",
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  trafficCutover: "recovery:services:TrafficCutover",
} as const;

export const BUCKET_TYPES: readonly string[] = [TYPES.bucket, TYPES.bucketV2];

type Props = Record<string, unknown>;

const get = (props: Props, path: string): unknown =>
  path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Props)[k] : undefined), props);

/** The properties that name the real resource a Pulumi resource creates or writes. */
const NAME_PROPERTIES: Record<string, readonly string[]> = {
  [TYPES.rdsInstance]: ["identifier"],
  [TYPES.cacheGroup]: ["replicationGroupId"],
  [TYPES.bucket]: ["bucket"],
  [TYPES.bucketV2]: ["bucket"],
  // Access logs are written into the target: never production's log bucket.
  [TYPES.logging]: ["targetBucket"],
  [TYPES.loggingV2]: ["targetBucket"],
  [TYPES.secret]: ["name"],
  [TYPES.secretVersion]: ["secretId"],
  [TYPES.namespace]: ["metadata.name"],
};

/** `[property, value]` for each physical name the resource writes (its own name, its namespace). */
export function writtenNames(type: string, props: Props): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const path of NAME_PROPERTIES[type] ?? []) {
    const value = get(props, path);
    if (typeof value === "string") out.push([path, value]);
  }
  if (type.startsWith("kubernetes:")) {
    const ns = get(props, "metadata.namespace");
    if (typeof ns === "string") out.push(["metadata.namespace", ns]);
  }
  if (type.startsWith("aws:s3/") && !BUCKET_TYPES.includes(type)) {
    const bucket = get(props, "bucket");
    if (typeof bucket === "string") out.push(["bucket", bucket]);
  }
  return out;
}

export { get as getProperty };
