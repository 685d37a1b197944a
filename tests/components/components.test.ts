import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import packageJson from "../../package.json";
import {
  ClusterConfig,
  LogicalRestore,
  MigrationJob,
  ReplicaBucketSync,
  RestoredCache,
  SecretVersions,
  ServiceRedeployment,
  SmokeGate,
  TrafficCutover,
  smokeScript,
} from "../../components";
import { mockSecretValue, promiseOf, startMocks, type RecordedResource, type Recording } from "../../mocked-program/pulumi-mocks";
import { bucketArgs, cacheArgs, clusterArgs, logicalArgs, migrationArgs, secretArgs, serviceArgs, smokeArgs, trafficArgs } from "./fixtures";

type Container = { command?: string[]; env?: { name: string; value: string }[]; envFrom?: { secretRef: { name: string } }[]; image: string };
const container = (r: RecordedResource): Container =>
  (r.inputs.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];

describe("SecretVersions", () => {
  it("reads AWSCURRENT by default and pushes it into a Kubernetes Secret as a Pulumi secret", async () => {
    const rec = await startMocks();
    const s = new SecretVersions("secret-jwt", secretArgs());
    await rec.settle();
    assert.deepEqual(rec.invokes, [
      { token: "aws:secretsmanager/getSecretVersion:getSecretVersion", args: { secretId: "lomash-wood/production/jwt-secret", versionStage: "AWSCURRENT" } },
    ]);
    const k8s = rec.one("kubernetes:core/v1:Secret", "secret-jwt-k8s");
    assert.deepEqual(k8s.inputs.metadata, {
      name: "lomash-wood-secrets-jwt",
      namespace: "lomash-wood-recovery",
      annotations: { "recovery/secret-version-id": "v-awscurrent-0001" },
    });
    assert.deepEqual(k8s.inputs.stringData, { JWT_SECRET: mockSecretValue("lomash-wood/production/jwt-secret", "AWSCURRENT") });
    assert.ok(k8s.secretPaths.some((p) => p === "stringData" || p === "stringData.JWT_SECRET"));
    assert.equal(await pulumi.isSecret(s.value), true);
    assert.equal(rec.ofType("aws:secretsmanager/secret:Secret").length, 0);
  });

  it("reads a given version id instead of a stage", async () => {
    const rec = await startMocks();
    new SecretVersions("secret-jwt", secretArgs({ versionId: "a1b2c3" }));
    await rec.settle();
    assert.deepEqual(rec.invokes[0].args, { secretId: "lomash-wood/production/jwt-secret", versionId: "a1b2c3" });
  });

  it("writes the restored value as the current version of a NEW recovery secret only when asked, never the source", async () => {
    const rec = await startMocks();
    new SecretVersions("secret-jwt", secretArgs({ recoverySecretId: "lomash-wood/production/jwt-secret-recovery" }));
    await rec.settle();
    const secret = rec.one("aws:secretsmanager/secret:Secret", "secret-jwt-recovery-secret");
    assert.equal(secret.inputs.name, "lomash-wood/production/jwt-secret-recovery");
    const version = rec.one("aws:secretsmanager/secretVersion:SecretVersion", "secret-jwt-recovery-version");
    assert.equal(version.inputs.secretString, mockSecretValue("lomash-wood/production/jwt-secret", "AWSCURRENT"));
    assert.ok(version.secretPaths.includes("secretString"));
  });

  it("pushes values of restored resources into the same Secret, each a secret", async () => {
    const rec = await startMocks();
    new SecretVersions("secret-jwt", secretArgs({ values: { DATABASE_URL: "postgresql://u:p@h:5432/d", MEDIA_BUCKET: "b" } }));
    await rec.settle();
    const k8s = rec.one("kubernetes:core/v1:Secret", "secret-jwt-k8s");
    assert.deepEqual(Object.keys(k8s.inputs.stringData as object).sort(), ["DATABASE_URL", "JWT_SECRET", "MEDIA_BUCKET"]);
  });
});

describe("LogicalRestore", () => {
  it("creates a new empty private encrypted instance and a restore Job that gets the target URL from a Secret", async () => {
    const rec = await startMocks();
    const db = new LogicalRestore("database-orders", logicalArgs({ jobs: 8, tables: ["orders", "public.payments"], image: "registry/recovery-stacks:1.2.3" }));
    await rec.settle();
    const instance = rec.one("aws:rds/instance:Instance", "database-orders-db");
    assert.equal(instance.inputs.identifier, "lomash-orders-prod-recovery");
    assert.equal(instance.inputs.publiclyAccessible, false);
    assert.equal(instance.inputs.storageEncrypted, true);
    assert.equal(instance.inputs.engine, "postgres");
    assert.equal(instance.inputs.restoreToPointInTime, undefined);
    assert.equal(instance.inputs.snapshotIdentifier, undefined);
    assert.ok(instance.secretPaths.includes("password"));
    const target = rec.one("kubernetes:core/v1:Secret", "database-orders-target");
    assert.deepEqual(Object.keys(target.inputs.stringData as object), ["TARGET_DATABASE_URL"]);
    const job = rec.one("kubernetes:batch/v1:Job", "database-orders-restore");
    const c = container(job);
    assert.equal(c.image, "registry/recovery-stacks:1.2.3");
    assert.deepEqual(c.command, [
      "node", "dist/restore.js", "--from", "s3://lomash-wood-backups/pg-logical/lomash_orders/", "--to", "$(TARGET_DATABASE_URL)",
      "--latest", "--jobs", "8", "--tables", "orders,public.payments",
    ]);
    assert.deepEqual(c.envFrom, [{ secretRef: { name: "database-orders-target" } }]);
    assert.ok(!JSON.stringify(job.inputs).includes("lomash-orders-prod\""), "the Job never names the source database");
    assert.ok(rec.dependsOn(job.urn, instance.urn));
    assert.equal(await pulumi.isSecret(db.connectionString), true);
  });

  it("defaults to this project's image, four jobs and every table", async () => {
    const rec = await startMocks();
    new LogicalRestore("database-orders", logicalArgs());
    await rec.settle();
    const c = container(rec.one("kubernetes:batch/v1:Job", "database-orders-restore"));
    assert.equal(c.image, `123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/recovery-stacks:${packageJson.version}`);
    assert.deepEqual(c.command?.slice(-3), ["--latest", "--jobs", "4"]);
  });
});

describe("LogicalRestore: what the real providers do", () => {
  type JobInputs = { metadata: Record<string, unknown>; spec: { template: unknown } & Record<string, unknown> };
  const restoreJob = async (o: Parameters<typeof logicalArgs>[0] = {}): Promise<{ rec: Recording; job: RecordedResource }> => {
    const rec = await startMocks();
    new LogicalRestore("database-orders", logicalArgs(o));
    await rec.settle();
    return { rec, job: rec.ofType("kubernetes:batch/v1:Job")[0] };
  };

  it("asks RDS for the source's major version only, with minor upgrades on and major upgrades off", async () => {
    const { rec } = await restoreJob({ engineVersion: "15.7" });
    const instance = rec.one("aws:rds/instance:Instance", "database-orders-db");
    assert.equal(instance.inputs.engineVersion, "15");
    assert.equal(instance.inputs.autoMinorVersionUpgrade, true);
    assert.equal(instance.inputs.allowMajorVersionUpgrade, false);
    assert.deepEqual(instance.ignoreChanges, ["engineVersion"]);
  });

  it("gives the empty instance the same long timeouts as a restored one", async () => {
    const { rec } = await restoreJob();
    assert.deepEqual(rec.one("aws:rds/instance:Instance", "database-orders-db").customTimeouts, { create: "4h", update: "2h", delete: "2h" });
  });

  it("ignores later changes to the restore Job's replace-only template, so new --jobs or --tables never re-run pg_restore", async () => {
    const first = (await restoreJob({ jobs: 4 })).job;
    const second = (await restoreJob({ jobs: 8, tables: ["orders"], image: "registry/recovery-stacks:2.0.0" })).job;
    assert.deepEqual(second.ignoreChanges, ["spec.template"]);
    const outsideTemplate = (r: RecordedResource) => {
      const { metadata, spec } = r.inputs as JobInputs;
      return { metadata, spec: { ...spec, template: undefined } };
    };
    assert.notDeepEqual((first.inputs as JobInputs).spec.template, (second.inputs as JobInputs).spec.template);
    assert.deepEqual(outsideTemplate(second), outsideTemplate(first));
  });

  it("names the target Secret in the Job as plain text, so a Secret replaced for a new password leaves the Job alone", async () => {
    const { rec, job } = await restoreJob();
    const secret = rec.one("kubernetes:core/v1:Secret", "database-orders-target");
    assert.deepEqual(container(job).envFrom, [{ secretRef: { name: "database-orders-target" } }]);
    assert.deepEqual(job.propertyDependencies.spec, []);
    assert.ok(rec.dependsOn(job.urn, secret.urn), "the Job still starts after the Secret exists");
  });

  it("carries no replaceUnready: a failed restore is run again only on purpose", async () => {
    const { job } = await restoreJob();
    assert.equal((job.inputs as JobInputs).metadata.annotations, undefined);
  });

  it("runs the restore again on purpose as a new Job named by restoreRun, with --force", async () => {
    const { rec, job } = await restoreJob({ restoreRun: 2 });
    assert.equal(rec.ofType("kubernetes:batch/v1:Job").length, 1);
    assert.equal(job.name, "database-orders-restore-run-2");
    assert.equal((job.inputs as JobInputs).metadata.name, "database-orders-restore-run-2");
    assert.deepEqual(container(job).command?.slice(-4), ["--latest", "--jobs", "4", "--force"]);
  });
});

describe("Jobs that are safe to run again", () => {
  const annotations = (r: RecordedResource) => (r.inputs.metadata as { annotations?: Record<string, string> }).annotations;

  it("marks the migration Job replaceUnready, so the next up re-runs a failed one instead of awaiting it forever", async () => {
    const rec = await startMocks();
    new MigrationJob("migration-order-payment", migrationArgs());
    await rec.settle();
    assert.deepEqual(annotations(rec.one("kubernetes:batch/v1:Job", "migration-order-payment-job")), { "pulumi.com/replaceUnready": "true" });
  });

  it("marks the smoke Job replaceUnready", async () => {
    const rec = await startMocks();
    new SmokeGate("smoke-api-gateway", smokeArgs());
    await rec.settle();
    assert.deepEqual(annotations(rec.one("kubernetes:batch/v1:Job", "smoke-api-gateway-job")), { "pulumi.com/replaceUnready": "true" });
  });

  it("marks the bucket sync Job replaceUnready", async () => {
    const rec = await startMocks();
    new ReplicaBucketSync("bucket-media", bucketArgs());
    await rec.settle();
    assert.deepEqual(annotations(rec.one("kubernetes:batch/v1:Job", "bucket-media-sync")), { "pulumi.com/replaceUnready": "true" });
  });
});

describe("MigrationJob", () => {
  it("runs the service's migration command from its image, DATABASE_URL from a Secret", async () => {
    const rec = await startMocks();
    new MigrationJob("migration-order-payment", migrationArgs());
    await rec.settle();
    const env = rec.one("kubernetes:core/v1:Secret", "migration-order-payment-env");
    assert.deepEqual(env.inputs.stringData, { DATABASE_URL: "postgresql://lomash_admin:pw@db:5432/lomash_orders" });
    const c = container(rec.one("kubernetes:batch/v1:Job", "migration-order-payment-job"));
    assert.deepEqual(c.command, ["npx", "prisma", "migrate", "deploy"]);
    assert.equal(c.image, migrationArgs().image);
    assert.deepEqual(c.envFrom, [{ secretRef: { name: "migration-order-payment-env" } }]);
  });
});

describe("RestoredCache", () => {
  it("restores the newest snapshot into a new replication group, encrypted at rest and in transit", async () => {
    const rec = await startMocks();
    const cache = new RestoredCache("cache-sessions", cacheArgs());
    await rec.settle();
    const group = rec.one("aws:elasticache/replicationGroup:ReplicationGroup", "cache-sessions-redis");
    assert.equal(group.inputs.replicationGroupId, "lomash-wood-redis-prod-recovery");
    assert.equal(group.inputs.snapshotName, "automatic.lomash-wood-redis-prod-2026-11-24-03-00");
    assert.equal(group.inputs.atRestEncryptionEnabled, true);
    assert.equal(group.inputs.transitEncryptionEnabled, true);
    assert.equal(group.inputs.finalSnapshotIdentifier, "lomash-wood-redis-prod-recovery-final");
    assert.deepEqual(group.ignoreChanges, ["snapshotName", 'tags["recovery:restored-from"]', 'tags["recovery:restore-point"]']);
    assert.equal(await promiseOf(cache.redisUrl), "rediss://master.lomash-wood-redis-prod-recovery.abcdef.euw2.cache.amazonaws.com:6379");
  });

  it("restores a named snapshot without any lookup", async () => {
    const rec = await startMocks();
    let looked = false;
    new RestoredCache("cache-sessions", cacheArgs({ snapshot: "manual-2026-11-20", lookup: async () => ((looked = true), undefined) }));
    await rec.settle();
    assert.equal(rec.one("aws:elasticache/replicationGroup:ReplicationGroup", "cache-sessions-redis").inputs.snapshotName, "manual-2026-11-20");
    assert.equal(looked, false);
  });

  it("fails with a clear error naming the source group when it has no snapshot", async () => {
    await startMocks();
    const cache = new RestoredCache("cache-sessions", cacheArgs({ lookup: async () => undefined }));
    await assert.rejects(promiseOf(cache.snapshotName), {
      message: 'RestoredCache: no snapshot of replication group "lomash-wood-redis-prod" was found; name one under recovery:caches.<name>.snapshot',
    });
  });
});

describe("ReplicaBucketSync", () => {
  it("rebuilds a new versioned, encrypted, non-public bucket and fills it from the replica with a sync Job", async () => {
    const rec = await startMocks();
    const sync = new ReplicaBucketSync("bucket-media", bucketArgs());
    await rec.settle();
    const bucket = rec.one("aws:s3/bucket:Bucket", "bucket-media-bucket");
    assert.equal(bucket.inputs.bucket, "lomash-wood-media-prod-recovery");
    assert.equal(bucket.inputs.forceDestroy, false);
    assert.deepEqual(rec.one("aws:s3/bucketVersioning:BucketVersioning", "bucket-media-versioning").inputs.versioningConfiguration, { status: "Enabled" });
    assert.deepEqual(rec.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bucket-media-encryption").inputs.rules, [
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: false },
    ]);
    const pab = rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket-media-public-access");
    assert.deepEqual(pab.inputs, { bucket: "lomash-wood-media-prod-recovery", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    const job = rec.one("kubernetes:batch/v1:Job", "bucket-media-sync");
    assert.deepEqual(container(job).command, ["node", "dist/sync.js", "--from", "s3://lomash-wood-media-prod-replica", "--to", "s3://lomash-wood-media-prod-recovery"]);
    assert.ok(rec.dependsOn(job.urn, pab.urn));
    assert.equal(await promiseOf(sync.bucketName), "lomash-wood-media-prod-recovery");
  });

  it("creates nothing at all when promoting the replica, and hands services the replica read-only", async () => {
    const rec = await startMocks();
    const sync = new ReplicaBucketSync("bucket-media", bucketArgs({ strategy: "promote", bucket: undefined, namespace: undefined }));
    await rec.settle();
    assert.deepEqual(rec.resources.map((r) => r.type), ["recovery:storage:ReplicaBucketSync"]);
    assert.equal(await promiseOf(sync.bucketName), "lomash-wood-media-prod-replica");
    assert.equal(sync.readOnly, true);
  });
});

describe("ServiceRedeployment", () => {
  it("deploys the image with probes on its health path, env from its restored Secret and the secret versions", async () => {
    const rec = await startMocks();
    const svc = new ServiceRedeployment("service-auth", serviceArgs({ secretEnv: { DATABASE_URL: "postgresql://x" }, envFromSecrets: ["lomash-wood-secrets-jwt"], env: { AUTH_MODE: "jwt" } }));
    await rec.settle();
    const d = rec.one("kubernetes:apps/v1:Deployment", "service-auth-deployment");
    const c = container(d) as Container & { readinessProbe: unknown; livenessProbe: unknown };
    assert.equal((d.inputs.spec as { replicas: number }).replicas, 3);
    assert.deepEqual(c.readinessProbe, { httpGet: { path: "/health", port: 3001 }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 });
    assert.deepEqual(c.livenessProbe, { httpGet: { path: "/health", port: 3001 }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 });
    assert.deepEqual(c.envFrom, [{ secretRef: { name: "lomash-wood-secrets-jwt" } }, { secretRef: { name: "auth-restored-env" } }]);
    assert.deepEqual(c.env, [{ name: "AUTH_MODE", value: "jwt" }]);
    assert.equal(rec.one("kubernetes:core/v1:Service", "service-auth-service").inputs.spec && (rec.one("kubernetes:core/v1:Service", "service-auth-service").inputs.spec as { type: string }).type, "ClusterIP");
    assert.equal(await promiseOf(svc.url), "http://auth.lomash-wood-recovery.svc.cluster.local:3001");
  });

  it("creates no Secret of its own when it has no restored values", async () => {
    const rec = await startMocks();
    new ServiceRedeployment("service-notification", serviceArgs({ service: "notification", envFromSecrets: ["lomash-wood-secrets-sendgrid"] }));
    await rec.settle();
    assert.equal(rec.ofType("kubernetes:core/v1:Secret").length, 0);
  });
});

describe("ClusterConfig", () => {
  it("creates the namespace and applies the Git-kept manifests into it through a provider pinned to it", async () => {
    const rec = await startMocks();
    new ClusterConfig("cluster-config-lomash-wood-recovery", clusterArgs());
    await rec.settle();
    assert.deepEqual(rec.one("kubernetes:core/v1:Namespace", "cluster-config-lomash-wood-recovery-namespace").inputs.metadata, {
      name: "lomash-wood-recovery",
      labels: { "recovery/stack": "recovery" },
    });
    assert.equal(rec.one("pulumi:providers:kubernetes", "cluster-config-lomash-wood-recovery-provider").inputs.namespace, "lomash-wood-recovery");
    const group = rec.one("kubernetes:yaml/v2:ConfigGroup", "cluster-config-lomash-wood-recovery-manifests");
    assert.deepEqual(group.inputs.files, ["k8s/production/00-service-accounts.yaml", "k8s/production/10-rbac.yaml", "k8s/production/20-config.yaml", "k8s/production/30-network-policy.yaml"]);
  });

  it("refuses a folder without manifests", async () => {
    await startMocks();
    assert.throws(() => new ClusterConfig("cluster-config-x", clusterArgs({ manifests: "k8s/nowhere" })), {
      message: 'ClusterConfig: no *.yaml manifests in "k8s/nowhere"; keep the cluster\'s manifests there in Git',
    });
  });
});

describe("SmokeGate and TrafficCutover", () => {
  it("runs every smoke check through the gateway and fails the Job when one fails", () => {
    assert.equal(
      smokeScript(smokeArgs().tests),
      [
        "set -u",
        "fail=0",
        `code=$(curl -sS --max-time 20 --retry 5 --retry-connrefused --retry-delay 3 -o /tmp/body -w '%{http_code}' -X GET "$GATEWAY_URL"'/v1/products') || code=000`,
        `if [ "$code" != "200" ]; then echo 'FAIL products: status '"$code"', want 200'; fail=1; elif ! grep -qF -- '"items"' /tmp/body; then echo 'FAIL products: body lacks "items"'; fail=1; else echo 'ok products'; fi`,
        `code=$(curl -sS --max-time 20 --retry 5 --retry-connrefused --retry-delay 3 -o /tmp/body -w '%{http_code}' -X POST -H 'content-type: application/json' --data '{"email":"o'\\''brien@x.invalid"}' "$GATEWAY_URL"'/v1/auth/login') || code=000`,
        `if [ "$code" != "200" ]; then echo 'FAIL login: status '"$code"', want 200'; fail=1; else echo 'ok login'; fi`,
        "exit $fail",
      ].join("\n"),
    );
  });

  it("runs the smoke Job with the gateway URL in its environment", async () => {
    const rec = await startMocks();
    new SmokeGate("smoke-api-gateway", smokeArgs());
    await rec.settle();
    const c = container(rec.one("kubernetes:batch/v1:Job", "smoke-api-gateway-job"));
    assert.deepEqual(c.command?.slice(0, 2), ["/bin/sh", "-c"]);
    assert.deepEqual(c.env, [{ name: "GATEWAY_URL", value: "http://api-gateway.lomash-wood-recovery.svc.cluster.local:3000" }]);
  });

  it("opens traffic with one Ingress to the gateway's Service", async () => {
    const rec = await startMocks();
    new TrafficCutover("traffic-api-gateway", trafficArgs());
    await rec.settle();
    const ingress = rec.one("kubernetes:networking.k8s.io/v1:Ingress", "traffic-api-gateway-ingress");
    assert.deepEqual(ingress.inputs.spec, { ingressClassName: "alb", defaultBackend: { service: { name: "api-gateway", port: { number: 3000 } } } });
  });

  it("waits 30 minutes for the load balancer instead of the provider's 10, so a slow ALB does not fail the cutover", async () => {
    const rec = await startMocks();
    new TrafficCutover("traffic-api-gateway", trafficArgs());
    await rec.settle();
    assert.deepEqual(rec.one("kubernetes:networking.k8s.io/v1:Ingress", "traffic-api-gateway-ingress").customTimeouts, { create: "30m", update: "30m" });
  });

  it("takes the stack's traffic timeout instead", async () => {
    const rec = await startMocks();
    new TrafficCutover("traffic-api-gateway", trafficArgs({ timeout: "1h" }));
    await rec.settle();
    assert.deepEqual(rec.one("kubernetes:networking.k8s.io/v1:Ingress", "traffic-api-gateway-ingress").customTimeouts, { create: "1h", update: "1h" });
  });
});
