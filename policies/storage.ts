import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { missingConfig, SCHEMAS, type ReadOnlyConfig } from "./config";
import { propertyAt, writtenNames } from "../components/names";
import { splitS3Url } from "../workers/s3-location";
import { BUCKET_TYPES, TYPES } from "./resources";

/** `s3://bucket/…` after `--to` in a Job's command: the bucket the Job writes. */
function jobWriteTargets(props: Record<string, unknown>): string[] {
  const containers = (propertyAt(props, "spec.template.spec.containers") as Array<{ command?: string[]; args?: string[] }>) ?? [];
  const targets: string[] = [];
  for (const c of containers) {
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    argv.forEach((arg, i) => {
      const value = arg.startsWith("--to=") ? arg.slice(5) : arg === "--to" ? argv[i + 1] : undefined;
      const location = value === undefined ? undefined : splitS3Url(value);
      if (location) targets.push(location.bucket);
    });
  }
  return targets;
}

/**
 * Invariant 1: backups, dumps, snapshots and replicas are read, never written. Nothing may
 * create objects in them, change their policy, lifecycle or versioning, or sync into them.
 */
export const backupsAreReadOnly: ResourceValidationPolicy = {
  name: "backups-are-read-only",
  description: "No resource writes to or changes a backup or replica bucket, a snapshot or a dump.",
  enforcementLevel: "mandatory",
  configSchema: SCHEMAS.readOnly,
  validateResource: (args, reportViolation) => {
    const { readOnlyBuckets, readOnlySnapshots } = args.getConfig<ReadOnlyConfig>();
    if (readOnlyBuckets === undefined) {
      reportViolation(missingConfig("readOnlyBuckets"));
      return;
    }
    const buckets = new Set(readOnlyBuckets);
    if (args.type.startsWith("aws:s3/")) {
      for (const [property, value] of writtenNames(args.type, args.props))
        if (property === "bucket" && buckets.has(value))
          reportViolation(`${args.type} targets bucket "${value}", which is read-only (a backup, replica or source); write to the restored bucket instead`);
    }
    if (args.type === TYPES.job) {
      for (const bucket of jobWriteTargets(args.props))
        if (buckets.has(bucket))
          reportViolation(`this Job writes to s3://${bucket}, which is read-only (a backup, replica or source); sync --to the restored bucket instead`);
    }
    const snapshots = new Set(readOnlySnapshots);
    const snapshotName =
      args.type === TYPES.rdsSnapshot ? args.props.dbSnapshotIdentifier : args.type === TYPES.rdsInstance ? args.props.finalSnapshotIdentifier : undefined;
    if (typeof snapshotName === "string" && snapshots.has(snapshotName))
      reportViolation(`snapshot "${snapshotName}" is a read-only backup; name new snapshots after the restored resource`);
  },
};

function targets(resource: PolicyResource, bucket: PolicyResource): boolean {
  const name = bucket.props.bucket;
  return (
    (typeof name === "string" && resource.props.bucket === name) ||
    (resource.propertyDependencies?.bucket ?? []).some((d) => d.urn === bucket.urn)
  );
}

/** Rebuilt buckets hold customer media: private, versioned (undelete works) and encrypted. */
export const bucketsPrivate: StackValidationPolicy = {
  name: "buckets-private",
  description: "Rebuilt buckets block public access, are versioned and encrypted.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const buckets = args.resources.filter((r) => BUCKET_TYPES.includes(r.type));
    for (const bucket of buckets) {
      const name = String(bucket.props.bucket ?? bucket.name);
      const related = args.resources.filter((r) => r !== bucket && targets(r, bucket));
      const pab = related.find((r) => r.type === TYPES.publicAccessBlock);
      // A bucket the inventory marks public (`public: true`, carried as this tag) keeps its public
      // policy on purpose; public ACLs are blocked on every bucket.
      const markedPublic = (bucket.props.tags as Record<string, unknown> | undefined)?.["recovery:public"] === "true";
      const required = markedPublic ? ["blockPublicAcls", "ignorePublicAcls"] : ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
      const allBlocked = pab && required.every((k) => pab.props[k] === true);
      if (!allBlocked)
        reportViolation(
          markedPublic
            ? `bucket ${name} must block public ACLs: a BucketPublicAccessBlock with blockPublicAcls and ignorePublicAcls true`
            : `bucket ${name} must block public access: a BucketPublicAccessBlock with all four settings true`,
          bucket.urn,
        );
      const versioned =
        related.some((r) => (r.type === TYPES.versioning || r.type === TYPES.versioningV1) && propertyAt(r.props, "versioningConfiguration.status") === "Enabled") ||
        propertyAt(bucket.props, "versioning.enabled") === true;
      if (!versioned)
        reportViolation(`bucket ${name} must be versioned: a BucketVersioningV2 with status Enabled`, bucket.urn);
      const encrypted =
        related.some((r) => r.type === TYPES.encryption || r.type === TYPES.encryptionV1) ||
        bucket.props.serverSideEncryptionConfiguration !== undefined;
      if (!encrypted)
        reportViolation(`bucket ${name} must be encrypted: a BucketServerSideEncryptionConfigurationV2`, bucket.urn);
    }
  },
};

const LOGGING_TYPES: readonly string[] = [TYPES.logging, TYPES.loggingV2];

/** The buckets that receive a bucket's access logs: named by target, or wired to it. */
function logTargets(resources: readonly PolicyResource[]): { names: Set<string>; urns: Set<string> } {
  const names = new Set<string>();
  const urns = new Set<string>();
  for (const r of resources) {
    if (LOGGING_TYPES.includes(r.type)) {
      if (typeof r.props.targetBucket === "string") names.add(r.props.targetBucket);
      for (const d of r.propertyDependencies?.targetBucket ?? []) urns.add(d.urn);
    }
    for (const l of (r.props.loggings as Array<{ targetBucket?: unknown }> | undefined) ?? [])
      if (typeof l.targetBucket === "string") names.add(l.targetBucket);
  }
  return { names, urns };
}

/**
 * AWS's best-practice pack (awsguard's `s3-bucket-logging-enabled`) flags a bucket without access
 * logging, except a bucket that is itself a log target. awsguard reads only the bucket's inline
 * `loggings`; the provider now configures logging as a separate BucketLogging resource, so this
 * accepts either.
 */
export const bucketsLogged: StackValidationPolicy = {
  name: "buckets-logged",
  description: "Rebuilt buckets have S3 server access logging, as AWS's s3-bucket-logging-enabled asks (log buckets themselves excepted).",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const logs = logTargets(args.resources);
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const name = String(bucket.props.bucket ?? bucket.name);
      if (logs.names.has(name) || logs.urns.has(bucket.urn)) continue;
      const inline = ((bucket.props.loggings as unknown[] | undefined) ?? []).length > 0;
      const separate = args.resources.some((r) => LOGGING_TYPES.includes(r.type) && targets(r, bucket));
      if (!inline && !separate)
        reportViolation(`bucket ${name} must log access (a BucketLogging); record production's logging in the inventory (recovery:buckets[].logging) and the rebuild logs into a log bucket of its own`, bucket.urn);
    }
  },
};
