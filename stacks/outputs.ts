import { z } from "zod";

/**
 * The stack outputs contract: what the program exports (RecoveryEnvironment builds it, typed by
 * this schema's input) and what `npm run verify` and `npm run drill` read (they parse with it).
 * One schema for both sides, so a field a consumer reads but nothing produces fails a test
 * (tests/program/outputs-contract.test.ts) instead of silently reading `undefined` in a real run.
 *
 * No Pulumi here: verification loads it without the Pulumi runtime. Unknown keys are dropped on
 * parse, so an older or newer program's extra exports do not stop a verification.
 */
const isoTime = z.iso.datetime({ offset: true });
const url = z.url();

const databaseOutput = z.object({
  /** The new RDS identifier (never the source's). */
  identifier: z.string().min(1),
  endpoint: z.string().min(1),
  port: z.number().int().positive(),
  database: z.string().min(1),
  /**
   * The time the data was restored to, when Pulumi knows it: a point-in-time restore to a given
   * time, or the snapshot's creation time. Absent for `latest` (RDS does not report which time
   * "latest restorable" was) and for a logical restore (the dump the Job picked is known only inside it).
   */
  restorePoint: isoTime.optional(),
  /**
   * Inline only in a hand-written `--outputs` file; the program exports it apart, in
   * `connectionStrings`, so `pulumi stack output` without `--show-secrets` still shows the endpoints.
   */
  connectionString: z.string().min(1).optional(),
});

const bucketOutput = z.object({
  /** The bucket services use now: the rebuilt one, or the promoted replica. */
  bucket: z.string().min(3),
  mode: z.enum(["promote", "rebuild"]),
  replica: z.string().min(3),
  /**
   * rebuild: when the sync Job started (its `status.startTime`, which the Kubernetes provider reads
   * back from the live Job once it has completed). The worker lists the replica after that, so
   * every replica object last modified before it was copied; later ones may or may not have been.
   */
  syncedAt: isoTime.optional(),
});

/** One cache as verify reads it (PING, and for an RDB-restored Redis its keys against the manifest). */
export const cacheOutput = z.object({
  /** elasticache: a replication group restored from a snapshot; cluster: a Redis StatefulSet seeded from an RDB. */
  kind: z.enum(["elasticache", "cluster"]),
  /** elasticache: the new replication group id (never the source's). */
  replicationGroupId: z.string().min(1).optional(),
  endpoint: z.string().min(1),
  port: z.number().int().positive(),
  /** In-transit encryption (ElastiCache: always on; the in-cluster Redis: off, inside the namespace). */
  tls: z.boolean(),
  /** `redis[s]://…` (with the password when the cache needs one), a Pulumi secret. */
  url: z.string().regex(/^rediss?:\/\//).optional(),
  /** cluster: the RDB manifest the cache was restored from, or the prefix whose newest RDB it was. */
  manifest: z.string().regex(/^s3:\/\//).optional(),
});
export type CacheOutput = z.infer<typeof cacheOutput>;

export const stackOutputsSchema = z
  .object({
    /** The plan `pulumi up` realised (what `npm run plan -- --json` prints). No consumer reads it from here. */
    recoveryPlan: z.unknown().optional(),
    /** The namespace the services were deployed into. */
    namespace: z.string().min(1),
    /** Where smoke tests go: the public host after the cutover, otherwise the gateway's in-cluster URL. */
    gatewayUrl: url.optional(),
    /** The public host, once traffic was switched (recovery with `trafficCutover` only). */
    gatewayHostname: z.string().min(1).optional(),
    databases: z.record(z.string(), databaseOutput).default({}),
    /** Per database, `postgresql://…`: Pulumi secrets (`pulumi stack output --show-secrets`). */
    connectionStrings: z.record(z.string(), z.string().min(1)).default({}),
    /** Per cache, what verify's checks read: where it answers, its URL (a Pulumi secret) and for an RDB restore its manifest. */
    caches: z.record(z.string(), cacheOutput).default({}),
    buckets: z.record(z.string(), bucketOutput).default({}),
    secrets: z
      .record(
        z.string(),
        z.object({
          /** The Secrets Manager secret the restored value was read from. */
          secretId: z.string().min(1),
          /** The version restored into Kubernetes (never the value). */
          versionId: z.string().min(1),
          kubernetesSecret: z.string().min(1),
          key: z.string().min(1),
        }),
      )
      .default({}),
    services: z.record(z.string(), z.object({ url })).default({}),
  })
  .transform((outputs, ctx) => {
    // Consumers get each database with its connection string, wherever it was given.
    const databases: Record<string, z.output<typeof databaseOutput> & { connectionString: string }> = {};
    for (const [name, db] of Object.entries(outputs.databases)) {
      const connectionString = db.connectionString ?? outputs.connectionStrings[name];
      if (connectionString === undefined) {
        ctx.addIssue({ code: "custom", path: ["connectionStrings", name], message: "is missing; every database in `databases` has its connection string here" });
        continue;
      }
      databases[name] = { ...db, connectionString };
    }
    return { ...outputs, databases };
  });

/** What the program exports: each field may still be absent where the schema allows it. */
export type StackOutputsInput = z.input<typeof stackOutputsSchema>;
/** What verify and the drill read, after parsing. */
export type StackOutputs = z.output<typeof stackOutputsSchema>;
