/**
 * The data work behind the fake engine's `up` in the end-to-end drill test, done by the project's
 * own workers, in-process, as `npm run restore` and `npm run sync` run them:
 *
 *   database step → what the RestoredDatabase component creates in RDS (moto: a point-in-time
 *                   restore of the source instance, or a new instance for a logical restore; never
 *                   publicly accessible), then workers/restore.ts, i.e. `npm run restore -- --from
 *                   s3://<dumps.bucket>/<dumps.prefix> --to <url> --latest`, into a new database of
 *                   the local PostgreSQL (which stands in for the instance: moto's RDS holds no data).
 *                   The restore point is the dump's snapshot time from its manifest.
 *   bucket step   → the bucket ReplicaBucketSync creates (versioned, all public access blocked), then
 *                   workers/bucket-sync.ts, i.e. `npm run sync -- --from s3://<replica> --to s3://<bucket>`.
 *
 * The outputs are the stack outputs contract's (stacks/outputs.ts); `destroy` removes it all.
 */
import {
  CreateDBInstanceCommand,
  DeleteDBInstanceCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBInstanceToPointInTimeCommand,
} from "@aws-sdk/client-rds";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  type S3Client,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import { Client } from "pg";
import type { DataRealiser } from "../../drill/fake-engine";
import type { RecoveryConfig } from "../../stacks";
import { corsToS3, lifecycleToS3 } from "../../stacks/bucket-documents";
import { logDeliveryPolicy } from "../../stacks/bucket-settings";
import { syncBuckets } from "../../workers/bucket-sync";
import { restore } from "../../workers/restore";
import { createS3Client } from "../../workers/s3-client";
import type { LocalPostgres } from "./postgres";

/** The drill's restored database, in the local PostgreSQL: its new identifier, as a database name. */
export const restoredDatabaseName = (identifier: string): string => identifier.replace(/-/g, "_");

/** What ReplicaBucketSync adds to a rebuilt bucket: production's configuration, logs into a log bucket of its own. */
async function applyBucketSettings(s3: S3Client, b: RecoveryConfig["buckets"][number], region: string): Promise<void> {
  if (b.ownership) await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b.bucket, OwnershipControls: { Rules: [{ ObjectOwnership: b.ownership }] } }));
  if (b.policy) await s3.send(new PutBucketPolicyCommand({ Bucket: b.bucket, Policy: JSON.stringify(b.policy) }));
  if (b.cors) await s3.send(new PutBucketCorsCommand({ Bucket: b.bucket, CORSConfiguration: { CORSRules: corsToS3(b.cors) } }));
  if (b.lifecycle) await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: b.bucket, LifecycleConfiguration: { Rules: lifecycleToS3(b.lifecycle) } }));
  if (b.logging) {
    const { targetBucket, targetPrefix } = b.logging;
    await s3.send(new CreateBucketCommand({ Bucket: targetBucket, CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: targetBucket, Policy: JSON.stringify(logDeliveryPolicy(targetBucket, [{ bucket: b.bucket, prefix: targetPrefix }])) }));
    await s3.send(new PutBucketLoggingCommand({ Bucket: b.bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: targetBucket, TargetPrefix: targetPrefix } } }));
  }
}

const notFound = (error: unknown): boolean => /NotFound|NoSuchBucket/.test((error as { name?: string }).name ?? "");

export function workerRealiser(pg: LocalPostgres): DataRealiser {
  const s3 = createS3Client();
  const rds = new RDSClient({});
  const database = (config: RecoveryConfig, name: string) => config.databases.find((d) => d.name === name)!;
  const bucket = (config: RecoveryConfig, name: string) => config.buckets.find((b) => b.name === name)!;
  return {
    async create(step, config) {
      if (step.kind === "database") {
        const db = database(config, step.name);
        // Production's configuration as the provider sends it: what the restore API takes with the
        // restore, the rest in a ModifyDBInstance after it (docs/components.md, "What a restore
        // carries over from production"); the instance as it is once `pulumi up` has converged.
        const c = db.configuration;
        const withRestore = {
          DBParameterGroupName: c.parameterGroup,
          OptionGroupName: c.optionGroup,
          EnableCloudwatchLogsExports: [...c.logExports],
          EnableIAMDatabaseAuthentication: c.iamAuth,
        };
        if (db.method === "point-in-time")
          await rds.send(
            new RestoreDBInstanceToPointInTimeCommand({
              SourceDBInstanceIdentifier: db.source.identifier,
              TargetDBInstanceIdentifier: db.identifier,
              UseLatestRestorableTime: true,
              DBInstanceClass: db.instanceClass,
              PubliclyAccessible: false,
              ...withRestore,
            }),
          );
        else
          await rds.send(
            new CreateDBInstanceCommand({
              DBInstanceIdentifier: db.identifier,
              Engine: "postgres",
              DBInstanceClass: db.instanceClass,
              AllocatedStorage: 20,
              MasterUsername: db.source.username,
              MasterUserPassword: "not-a-real-password",
              PubliclyAccessible: false,
              ...withRestore,
            }),
          );
        await rds.send(
          new ModifyDBInstanceCommand({
            DBInstanceIdentifier: db.identifier,
            ApplyImmediately: true,
            CACertificateIdentifier: c.caCertificateIdentifier,
            MonitoringInterval: c.monitoring?.intervalSeconds,
            MonitoringRoleArn: c.monitoring?.roleArn,
            EnablePerformanceInsights: c.performanceInsights?.enabled,
            PerformanceInsightsRetentionPeriod: c.performanceInsights?.enabled ? c.performanceInsights.retentionDays : undefined,
            PerformanceInsightsKMSKeyId: c.performanceInsights?.enabled ? c.performanceInsights.kmsKeyId : undefined,
          }),
        );
        const to = new URL(pg.url(restoredDatabaseName(db.identifier)));
        const record = await restore(s3, {
          from: { bucket: db.source.dumps.bucket, key: db.source.dumps.prefix },
          to,
          latest: true,
          jobs: 2,
          tables: [],
          force: false,
          dryRun: false,
          showProgress: false,
        });
        if (!record.ok) throw new Error(`restore of ${record.dump} failed: ${record.problems.join("; ")}`);
        return {
          outputs: { identifier: db.identifier, endpoint: to.hostname, port: Number(to.port), database: to.pathname.slice(1), connectionString: to.toString() },
          restorePoint: new Date(record.dumpTakenAt),
        };
      }
      if (step.kind === "bucket") {
        const b = bucket(config, step.name);
        await s3.send(new CreateBucketCommand({ Bucket: b.bucket, CreateBucketConfiguration: { LocationConstraint: config.region as BucketLocationConstraint } }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: b.bucket, VersioningConfiguration: { Status: "Enabled" } }));
        await s3.send(
          new PutPublicAccessBlockCommand({
            Bucket: b.bucket,
            PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
          }),
        );
        await applyBucketSettings(s3, b, config.region);
        const syncedAt = new Date().toISOString();
        const record = await syncBuckets(s3, {
          from: { bucket: b.source.replica.bucket, key: "" },
          to: { bucket: b.bucket, key: "" },
          concurrency: 8,
          dryRun: false,
          showProgress: false,
        });
        if (!record.ok) throw new Error(`sync ${record.from} → ${record.to} failed: ${record.failed.length} objects failed, parity ${record.parity.exact ? "exact" : "not exact"}`);
        return { outputs: { bucket: b.bucket, mode: b.mode, replica: b.source.replica.bucket, syncedAt } };
      }
      return undefined;
    },
    async destroy(step, config) {
      if (step.kind === "database") {
        const { identifier } = database(config, step.name);
        const admin = new Client({ connectionString: pg.url() });
        await admin.connect();
        try {
          await admin.query(`DROP DATABASE IF EXISTS "${restoredDatabaseName(identifier)}" WITH (FORCE)`);
        } finally {
          await admin.end();
        }
        await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier, SkipFinalSnapshot: true })).catch((error) => {
          if (!notFound(error)) throw error;
        });
      }
      if (step.kind === "bucket") {
        // Versioned: every version and delete marker goes before the bucket can.
        const b = bucket(config, step.name);
        for (const name of [b.bucket, ...(b.logging ? [b.logging.targetBucket] : [])])
        try {
          for (;;) {
            const page = await s3.send(new ListObjectVersionsCommand({ Bucket: name }));
            const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
            if (objects.length === 0) break;
            await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: objects } }));
          }
          await s3.send(new DeleteBucketCommand({ Bucket: name }));
        } catch (error) {
          if (!notFound(error)) throw error;
        }
      }
    },
  };
}
