import { COMPONENT_TYPES } from "../components/names";

/**
 * The provider resource types the policies look at, by a short name. Which of their properties
 * hold a real-world name is components/names.ts's table (`writtenNames`), shared with blast-radius.
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
  trafficCutover: COMPONENT_TYPES.TrafficCutover,
} as const;

export const BUCKET_TYPES: readonly string[] = [TYPES.bucket, TYPES.bucketV2];
