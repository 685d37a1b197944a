import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import packageJson from "../../package.json";
import { ClusterRedis, validateClusterRedisArgs, type ClusterRedisArgs } from "../../components/cluster-redis";
import { promiseOf, startMocks } from "../../mocked-program/pulumi-mocks";

const args = (o: Partial<ClusterRedisArgs> = {}): ClusterRedisArgs => ({
  stack: "recovery",
  mode: "recovery",
  namespace: "lomash-wood-recovery",
  backups: { bucket: "lomash-wood-backups", prefix: "redis/" },
  ...o,
});

type PodSpec = {
  serviceAccountName: string;
  securityContext: { fsGroup: number };
  initContainers: { name: string; image: string; command: string[]; volumeMounts: unknown[] }[];
  containers: { name: string; image: string; args: string[]; readinessProbe: unknown; livenessProbe: unknown; volumeMounts: unknown[] }[];
};
type StatefulSetSpec = { serviceName: string; replicas: number; template: { spec: PodSpec }; volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[] };

describe("ClusterRedis (seed 004's in-cluster Redis, seeded from an RDB in S3)", () => {
  it("runs restore:redis in an init container of the worker image into the volume Redis starts on", async () => {
    const rec = await startMocks();
    new ClusterRedis("cache-sessions", args());
    await rec.settle();
    const set = rec.one("kubernetes:apps/v1:StatefulSet", "cache-sessions-redis");
    const spec = set.inputs.spec as StatefulSetSpec;
    assert.equal(spec.replicas, 1);
    const [init] = spec.template.spec.initContainers;
    assert.equal(init.image, `123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/recovery-stacks:${packageJson.version}`);
    assert.deepEqual(init.command, [
      "node", "dist/restore-redis.js", "--from", "s3://lomash-wood-backups/redis/", "--latest", "--to-dir", "/data", "--redis-version", "7.0", "--if-empty",
    ]);
    assert.deepEqual(init.volumeMounts, [{ name: "data", mountPath: "/data" }]);
    const [redis] = spec.template.spec.containers;
    assert.equal(redis.image, "redis:7.0.15");
    assert.deepEqual(redis.args, ["redis-server", "--dir", "/data", "--dbfilename", "dump.rdb", "--appendonly", "no"]);
    assert.deepEqual(redis.volumeMounts, [{ name: "data", mountPath: "/data" }]);
    assert.equal(spec.template.spec.serviceAccountName, "recovery-worker");
    assert.deepEqual(spec.template.spec.securityContext, { fsGroup: 999 });
    assert.equal(spec.volumeClaimTemplates[0].spec.resources.requests.storage, "10Gi");
  });

  it("is ready only when Redis answers PONG, not LOADING", async () => {
    const rec = await startMocks();
    new ClusterRedis("cache-sessions", args());
    await rec.settle();
    const [redis] = (rec.one("kubernetes:apps/v1:StatefulSet", "cache-sessions-redis").inputs.spec as StatefulSetSpec).template.spec.containers;
    assert.deepEqual(redis.readinessProbe, { exec: { command: ["sh", "-c", "redis-cli ping | grep -q PONG"] }, periodSeconds: 5, failureThreshold: 3 });
    assert.deepEqual(redis.livenessProbe, { tcpSocket: { port: 6379 }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 });
  });

  it("exposes a headless Service, its in-cluster URL as a secret, and the backups prefix for verify", async () => {
    const rec = await startMocks();
    const cache = new ClusterRedis("cache-sessions", args());
    await rec.settle();
    const svc = rec.one("kubernetes:core/v1:Service", "cache-sessions-svc");
    assert.deepEqual(svc.inputs.spec, {
      type: "ClusterIP",
      clusterIP: "None",
      selector: { app: "cache-sessions", "recovery/step": "cache-sessions" },
      ports: [{ name: "redis", port: 6379, targetPort: 6379 }],
    });
    assert.ok(rec.one("kubernetes:apps/v1:StatefulSet", "cache-sessions-redis").dependencies.includes(svc.urn));
    assert.equal(await promiseOf(cache.endpoint), "cache-sessions.lomash-wood-recovery.svc.cluster.local");
    assert.equal(await promiseOf(cache.redisUrl), "redis://cache-sessions.lomash-wood-recovery.svc.cluster.local:6379");
    assert.equal(await pulumi.isSecret(cache.redisUrl), true);
    assert.equal(await promiseOf(cache.manifest), "s3://lomash-wood-backups/redis/");
  });

  it("restores for the Redis version of the image it runs", async () => {
    const rec = await startMocks();
    new ClusterRedis("cache-sessions", args({ redisImage: "public.ecr.aws/docker/library/redis:7.2.4-alpine" }));
    await rec.settle();
    const [init] = (rec.one("kubernetes:apps/v1:StatefulSet", "cache-sessions-redis").inputs.spec as StatefulSetSpec).template.spec.initContainers;
    assert.deepEqual(init.command.slice(-3), ["--redis-version", "7.2", "--if-empty"]);
  });

  it("refuses an image without a version tag unless redisVersion is given", () => {
    assert.deepEqual(validateClusterRedisArgs("cache-sessions", args({ redisImage: "redis@sha256:abc" })), [
      'redisVersion: is required: the image "redis@sha256:abc" has no major.minor version in its tag; give the Redis version it runs, like "7.0"',
    ]);
    assert.deepEqual(validateClusterRedisArgs("cache-sessions", args({ redisImage: "redis@sha256:abc", redisVersion: "7.0" })), []);
  });

  it("refuses a bad bucket, name, version or size with the property named", () => {
    assert.deepEqual(validateClusterRedisArgs("Cache_Sessions", args({ backups: { bucket: "B", prefix: "" }, redisVersion: "2.4", storageGb: 0 })), [
      'name "Cache_Sessions" is not a valid StatefulSet name (lowercase letters, digits, single hyphens, at most 52 characters)',
      'backups.bucket "B" is not an S3 bucket name',
      'redisVersion "2.4" is not a Redis version this project knows (2.6 or later)',
      "storageGb must be a whole number of at least 1 (got 0)",
    ]);
  });

  it("creates nothing when its args are invalid", async () => {
    const rec = await startMocks();
    assert.throws(() => new ClusterRedis("cache-sessions", args({ storageGb: -1 })), /ClusterRedis: storageGb must be a whole number of at least 1 \(got -1\)/);
    await rec.settle();
    assert.equal(rec.ofType("kubernetes:apps/v1:StatefulSet").length, 0);
  });
});

describe("ClusterRedis: what a destroy leaves", () => {
  const policyOf = async (mode: "recovery" | "drill") => {
    const rec = await startMocks();
    new ClusterRedis("cache-sessions", args({ mode }));
    await rec.settle();
    return (rec.one("kubernetes:apps/v1:StatefulSet", "cache-sessions-redis").inputs.spec as { persistentVolumeClaimRetentionPolicy: unknown }).persistentVolumeClaimRetentionPolicy;
  };

  it("deletes a drill's volume claim with its StatefulSet, so the drill's destroy leaves nothing", async () => {
    assert.deepEqual(await policyOf("drill"), { whenDeleted: "Delete", whenScaled: "Retain" });
  });

  it("keeps a recovery's volume claim when its StatefulSet is deleted", async () => {
    assert.deepEqual(await policyOf("recovery"), { whenDeleted: "Retain", whenScaled: "Retain" });
  });
});
