import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { missingConfig, SCHEMAS, type ReadOnlyConfig } from "./config";
import { BUCKET_TYPES, getProperty, TYPES, writtenNames } from "./resources";

/** `s3://bucket/…` after `--to` in a Job's command: the bucket the Job writes. */
function jobWriteTargets(props: Record<string, unknown>): string[] {
  const containers = (getProperty(props, "spec.template.spec.containers") as Array<{ command?: string[]; args?: string[] }>) ?? [];
  const targets: string[] = [];
  for (const c of containers) {
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    argv.forEach((arg, i) => {
      const value = arg.startsWith("--to=") ? arg.slice(5) : arg === "--to" ? argv[i + 1] : undefined;
      const m = value ? /^s3:\/\/([^/]+)/.exec(value) : null;
      if (m) targets.push(m[1]);
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
      const allBlocked =
        pab && ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => pab.props[k] === true);
      if (!allBlocked)
        reportViolation(`bucket ${name} must block public access: a BucketPublicAccessBlock with all four settings true`, bucket.urn);
      const versioned =
        related.some((r) => (r.type === TYPES.versioning || r.type === TYPES.versioningV1) && getProperty(r.props, "versioningConfiguration.status") === "Enabled") ||
        getProperty(bucket.props, "versioning.enabled") === true;
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
