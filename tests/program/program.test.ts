import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { buildPlan } from "../../plan";
import type { RecoveryPlan } from "../../plan";
import { loadStack, loadStackFromConfig, readStackConfig, type RecoveryConfig } from "../../stacks";
import { MOCK_SNAPSHOT_TIME, mockSecretValue, promiseOf, runProgram, type ProgramRun, type RecordedResource } from "../../mocked-program/pulumi-mocks";
import { DEFAULT_WORKER_IMAGE } from "../../components/kubernetes-job";
import { elastiCacheStackFiles, programCopy } from "../support/cache-kinds";
import type { StackFiles } from "../support/stack-files";

const T = {
  env: "recovery:environment:RecoveryEnvironment",
  rds: "aws:rds/instance:Instance",
  cache: "aws:elasticache/replicationGroup:ReplicationGroup",
  bucket: "aws:s3/bucket:Bucket",
  k8sSecret: "kubernetes:core/v1:Secret",
  job: "kubernetes:batch/v1:Job",
  deployment: "kubernetes:apps/v1:Deployment",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
} as const;

const COMPONENT_TYPE: Record<string, string> = {
  "cluster-config": "recovery:cluster:ClusterConfig",
  secret: "recovery:secrets:SecretVersions",
  migration: "recovery:database:MigrationJob",
  cache: "recovery:cache:RestoredCache",
  bucket: "recovery:storage:ReplicaBucketSync",
  service: "recovery:services:ServiceRedeployment",
  smoke: "recovery:services:SmokeGate",
  traffic: "recovery:services:TrafficCutover",
};

/** What the config asks for, type by type: derived from the config, not from the program. */
function expectedCounts(c: RecoveryConfig): Record<string, number> {
  const logical = c.databases.filter((d) => d.method === "logical").length;
  const rebuilt = c.buckets.filter((b) => b.mode === "rebuild");
  const rebuilds = rebuilt.length;
  // A rebuilt bucket that logs gets a log bucket of its own: a bucket, its settings and a policy.
  const logged = rebuilt.filter((b) => b.logging).length;
  const withSetting = (k: "policy" | "cors" | "lifecycle" | "ownership") => rebuilt.filter((b) => b[k] !== undefined).length;
  const migrations = c.services.filter((s) => s.migrations).length;
  const recoverySecrets = c.secrets.filter((s) => s.recoverySecretId).length;
  const gateway = c.services.some((s) => s.gateway) ? 1 : 0;
  const elastiCaches = c.caches.filter((x) => x.kind === "elasticache").length;
  const clusterCaches = c.caches.length - elastiCaches;
  const traffic = gateway && c.mode === "recovery" && c.trafficCutover ? 1 : 0;
  const withEnvSecret = c.services.filter((s) => s.dependsOn.some((d) => /^(database|cache|bucket):/.test(d))).length;
  const counts: Record<string, number> = {
    [T.env]: 1,
    "recovery:cluster:ClusterConfig": 1,
    "kubernetes:core/v1:Namespace": 1,
    "pulumi:providers:kubernetes": 1,
    "kubernetes:yaml/v2:ConfigGroup": 1,
    "recovery:secrets:SecretVersions": c.secrets.length,
    "aws:secretsmanager/secret:Secret": recoverySecrets,
    "aws:secretsmanager/secretVersion:SecretVersion": recoverySecrets,
    "recovery:database:RestoredDatabase": c.databases.length - logical,
    "recovery:database:LogicalRestore": logical,
    [T.rds]: c.databases.length,
    // SnapshotResolution: the snapshot a snapshot restore uses, resolved once and kept in state.
    "pulumi-nodejs:dynamic:Resource": c.databases.filter((d) => d.method === "snapshot").length,
    "random:index/randomPassword:RandomPassword": logical + c.databases.filter((d) => d.method !== "logical" && d.rotatePassword).length,
    "recovery:database:MigrationJob": migrations,
    "recovery:cache:RestoredCache": elastiCaches,
    [T.cache]: elastiCaches,
    // A cluster cache: a StatefulSet (its volume from the claim template) behind a headless Service.
    "recovery:cache:ClusterRedis": clusterCaches,
    "kubernetes:apps/v1:StatefulSet": clusterCaches,
    "recovery:storage:ReplicaBucketSync": c.buckets.length,
    [T.bucket]: rebuilds + logged,
    "aws:s3/bucketVersioning:BucketVersioning": rebuilds + logged,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": rebuilds + logged,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": rebuilds + logged,
    "aws:s3/bucketPolicy:BucketPolicy": withSetting("policy") + logged,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": withSetting("ownership") + logged,
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": withSetting("cors"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": withSetting("lifecycle"),
    "aws:s3/bucketLogging:BucketLogging": logged,
    "recovery:storage:AccessLogBucket": logged,
    [T.k8sSecret]: c.secrets.length + logical + migrations + withEnvSecret,
    [T.job]: logical + rebuilds + migrations + gateway,
    "recovery:services:ServiceRedeployment": c.services.length,
    [T.deployment]: c.services.length,
    "kubernetes:core/v1:Service": c.services.length + clusterCaches,
    "recovery:services:SmokeGate": gateway,
    "recovery:services:TrafficCutover": traffic,
    [T.ingress]: traffic,
  };
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

function countsOf(run: ProgramRun): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of run.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/** The plan step a resource belongs to: its nearest ancestor that is a step's component. */
function stepOf(run: ProgramRun, plan: RecoveryPlan, urn: string): string | undefined {
  const byName = new Map(plan.steps.map((s) => [`${s.kind}-${s.name}`, s.id]));
  for (const r of run.ancestry(urn)) {
    const id = r.custom ? undefined : byName.get(r.name);
    if (id !== undefined && r.type !== T.env) return id;
  }
  return undefined;
}

const stepComponent = (run: ProgramRun, stepId: string): RecordedResource => {
  const [kind, ...rest] = stepId.split(":");
  return run.resources.filter((r) => !r.custom && r.name === `${kind}-${rest.join(":")}` && r.type !== T.env)[0];
};

/** Custom and remote resources under a component: what a `dependsOn` on it expands to. */
const leaves = (run: ProgramRun, urn: string) =>
  run.descendants(urn).filter((r) => r.custom || r.type === "kubernetes:yaml/v2:ConfigGroup");

const jobCommand = (job: RecordedResource): string[] =>
  ((job.inputs.spec as { template: { spec: { containers: { command: string[] }[] } } }).template.spec.containers[0].command);

/** True when the input at `path` is a Pulumi secret, itself or as part of a secret object. */
const isSecretPath = (r: RecordedResource, path: string): boolean => r.secretPaths.some((p) => path === p || path.startsWith(`${p}.`));

/** The inputs with every secret value removed: what would show in plain text. */
function withoutSecrets(r: RecordedResource): unknown {
  const strip = (value: unknown, path: string): unknown => {
    if (path !== "" && isSecretPath(r, path)) return "[secret]";
    if (Array.isArray(value)) return value.map((v, i) => strip(v, path ? `${path}.${i}` : String(i)));
    if (value !== null && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v, path ? `${path}.${k}` : k)]));
    return value;
  };
  return strip(r.inputs, "");
}

/** Pulumi.recovery.yaml with the other ways to restore: a snapshot, a rotated password, a promoted replica, a recovery secret. */
function recoveryVariant(): Record<string, unknown> {
  const c = readStackConfig("recovery");
  return {
    ...c,
    "recovery:databases": {
      ...(c["recovery:databases"] as Record<string, object>),
      catalog: { method: "snapshot" },
      appointments: { method: "snapshot", snapshot: "lomash-appointments-prod-pre-deploy-202611241200" },
      orders: { rotatePassword: true },
    },
    "recovery:buckets": { media: { mode: "promote" }, uploads: { mode: "rebuild" } },
    "recovery:secrets": { jwt: { versionStage: "AWSPREVIOUS", writeRecoverySecret: true }, sendgrid: { versionId: "5c1e2d3f-0001" } },
  };
}

interface Variant {
  readonly title: string;
  readonly stack: "recovery" | "drill";
  readonly config: () => Record<string, unknown>;
  /** Stack files of the variant's own (another inventory): the program runs from a copy beside them. */
  readonly files?: () => StackFiles;
}

const VARIANTS: readonly Variant[] = [
  { title: "stack recovery", stack: "recovery", config: () => readStackConfig("recovery") },
  { title: "stack drill", stack: "drill", config: () => readStackConfig("drill") },
  { title: "stack recovery with snapshots, a promoted replica and a recovery secret", stack: "recovery", config: recoveryVariant },
  // The other cache kind, which the example inventory no longer has: an ElastiCache group from its snapshot.
  { title: "stack recovery of an inventory whose cache is ElastiCache", stack: "recovery", config: () => readStackConfig("recovery"), files: () => elastiCacheStackFiles() },
  { title: "stack drill of an inventory whose cache is ElastiCache", stack: "drill", config: () => elastiCacheStackFiles().drill.config, files: () => elastiCacheStackFiles() },
];

for (const { title, stack, config: configOf, files } of VARIANTS) {
  describe(`the whole program, ${title}`, () => {
    let run: ProgramRun;
    let config: RecoveryConfig;
    let plan: RecoveryPlan;
    let copy: { root: string; cleanup: () => void } | undefined;

    before(async () => {
      copy = files ? programCopy(files()) : undefined;
      config = loadStackFromConfig(stack, configOf(), { root: copy?.root });
      plan = buildPlan(config);
      run = await runProgram(stack, { config: configOf(), root: copy?.root });
    });
    after(() => copy?.cleanup());

    it("registers exactly the resource types and counts the config asks for, nothing more", () => {
      assert.deepEqual(countsOf(run), expectedCounts(config));
    });

    it("creates one component per plan step, of the step's kind, named <kind>-<name>, and no other", () => {
      const components = run.resources.filter((r) => !r.custom && r.type.startsWith("recovery:") && r.type !== T.env && r.parent === run.ofType(T.env)[0].urn);
      const expected = plan.steps.map((s) => {
        const type =
          s.kind === "database"
            ? config.databases.find((d) => d.name === s.name)?.method === "logical" ? "recovery:database:LogicalRestore" : "recovery:database:RestoredDatabase"
            : s.kind === "cache" && config.caches.find((c) => c.name === s.name)?.kind === "cluster"
              ? "recovery:cache:ClusterRedis"
              : COMPONENT_TYPE[s.kind];
        return `${type} ${s.kind}-${s.name}`;
      });
      assert.deepEqual(components.map((c) => `${c.type} ${c.name}`).sort(), expected.sort());
    });

    it("never gives a restored database, cache, bucket, secret or namespace a production name", () => {
      const source = new Set(config.sourceNames);
      const names = [
        ...run.ofType(T.rds).map((r) => r.inputs.identifier),
        ...run.ofType(T.cache).map((r) => r.inputs.replicationGroupId),
        ...run.ofType(T.bucket).map((r) => r.inputs.bucket),
        ...run.ofType("aws:secretsmanager/secret:Secret").map((r) => r.inputs.name),
        ...run.ofType("kubernetes:core/v1:Namespace").map((r) => (r.inputs.metadata as { name: string }).name),
      ];
      const rebuilt = config.buckets.filter((b) => b.mode === "rebuild");
      assert.equal(names.length, config.databases.length + config.caches.filter((c) => c.kind === "elasticache").length + rebuilt.length + rebuilt.filter((b) => b.logging).length + config.secrets.filter((s) => s.recoverySecretId).length + 1);
      for (const name of names) assert.equal(source.has(String(name)), false, `${String(name)} is a production name`);
      assert.deepEqual(run.ofType(T.rds).map((r) => r.inputs.identifier).sort(), config.databases.map((d) => d.identifier).sort());
    });

    it("writes no source, replica or dump bucket: S3 resources and sync targets name only the rebuilt buckets", () => {
      const readOnly = new Set(config.buckets.flatMap((b) => [b.source.bucket, b.source.replica.bucket]).concat(config.databases.map((d) => d.source.dumps.bucket)));
      const s3 = run.resources.filter((r) => r.type.startsWith("aws:s3/"));
      // The rebuilt buckets and their own new log buckets.
      const rebuilt = new Set(config.buckets.filter((b) => b.mode === "rebuild").flatMap((b) => [b.bucket, ...(b.logging ? [b.logging.targetBucket] : [])]));
      assert.ok(s3.length >= rebuilt.size, "no S3 resource was registered, so nothing was checked");
      for (const r of s3) {
        const target = r.type === T.bucket ? r.inputs.bucket : run.byUrn(String(r.inputs.bucket))?.inputs.bucket ?? r.inputs.bucket;
        assert.ok(rebuilt.has(String(target)) && !readOnly.has(String(target)), `${r.type} ${r.name} writes ${String(target)}`);
      }
      for (const job of run.ofType(T.job)) {
        const cmd = jobCommand(job);
        const to = cmd.indexOf("--to");
        if (to >= 0) assert.ok(!readOnly.has(cmd[to + 1].replace(/^s3:\/\//, "").split("/")[0]), `${job.name} writes ${cmd[to + 1]}`);
      }
    });

    it("makes every RDS instance private and encrypted with the source's KMS key", () => {
      assert.equal(run.ofType(T.rds).length, config.databases.length);
      for (const db of run.ofType(T.rds)) {
        assert.equal(db.inputs.publiclyAccessible, false, db.name);
        assert.equal(db.inputs.storageEncrypted, true, db.name);
        const source = config.databases.find((d) => d.identifier === db.inputs.identifier)?.source;
        assert.equal(db.inputs.kmsKeyId, source?.kmsKeyId, db.name);
        assert.equal(db.inputs.dbSubnetGroupName, source?.subnetGroup, db.name);
      }
    });

    if (stack === "recovery") {
      it("protects every recovered database from deletion and names its final snapshot", () => {
        assert.equal(run.ofType(T.rds).length, config.databases.length);
        for (const db of run.ofType(T.rds)) {
          assert.equal(db.inputs.deletionProtection, true, db.name);
          assert.equal(db.inputs.skipFinalSnapshot, false, db.name);
          assert.equal(db.inputs.finalSnapshotIdentifier, `${String(db.inputs.identifier)}-final`, db.name);
        }
        for (const c of run.ofType(T.cache)) assert.equal(c.inputs.finalSnapshotIdentifier, `${String(c.inputs.replicationGroupId)}-final`);
      });

      it("holds traffic until the smoke step: the gateway's Ingress is the only Ingress and waits for the smoke Job", () => {
        const [ingress] = run.ofType(T.ingress);
        const smokeJob = leaves(run, stepComponent(run, "smoke:api-gateway").urn).filter((r) => r.type === T.job);
        assert.equal(smokeJob.length, 1);
        assert.ok(run.dependsOn(ingress.urn, smokeJob[0].urn));
        assert.equal(run.resources.filter((r) => r.type === "kubernetes:core/v1:Service" && (r.inputs.spec as { type: string }).type !== "ClusterIP").length, 0);
      });
    } else {
      it("takes neither deletion protection nor final snapshots in the drill, so its destroy succeeds", () => {
        assert.equal(run.ofType(T.rds).length, config.databases.length);
        for (const db of run.ofType(T.rds)) {
          assert.equal(db.inputs.deletionProtection, false, db.name);
          assert.equal(db.inputs.skipFinalSnapshot, true, db.name);
          assert.equal(db.inputs.finalSnapshotIdentifier, undefined, db.name);
        }
        for (const c of run.ofType(T.cache)) assert.equal(c.inputs.finalSnapshotIdentifier, undefined);
        for (const b of run.ofType(T.bucket)) assert.equal(b.inputs.forceDestroy, true);
      });

      it("creates no Ingress and no public Service in the drill", () => {
        assert.equal(run.ofType(T.ingress).length, 0);
        assert.equal(run.resources.filter((r) => r.type === "kubernetes:core/v1:Service" && (r.inputs.spec as { type: string }).type !== "ClusterIP").length, 0);
      });

      it("uses names disjoint from production's and from the recovery stack's", async () => {
        const recovery = loadStack("recovery", { root: copy?.root });
        const namesOf = (r: ProgramRun) => [
          ...r.ofType(T.rds).map((x) => x.inputs.identifier),
          ...r.ofType(T.cache).map((x) => x.inputs.replicationGroupId),
          ...r.ofType(T.bucket).map((x) => x.inputs.bucket),
          ...r.ofType("kubernetes:core/v1:Namespace").map((x) => (x.inputs.metadata as { name: string }).name),
        ].map(String);
        const drillNames = namesOf(run);
        const recoveryRun = await runProgram("recovery", { root: copy?.root });
        const taken = new Set([...config.sourceNames, ...recovery.targetNames, ...namesOf(recoveryRun)]);
        assert.deepEqual(drillNames.filter((n) => taken.has(n)), []);
        assert.ok(drillNames.length >= config.databases.length + config.caches.length + 1);
        run = await runProgram("drill", { config: configOf(), root: copy?.root }); // later tests of this block read the drill's record
      });
    }

    it("restores every ElastiCache cache with the inventory's parameter group, and every cluster cache as a StatefulSet", () => {
      const groups = run.ofType(T.cache).map((g) => [g.inputs.replicationGroupId, g.inputs.parameterGroupName]);
      const elastiCaches = config.caches.flatMap((c) => (c.kind === "elasticache" ? [[c.replicationGroupId, c.parameterGroup]] : []));
      assert.deepEqual(groups, elastiCaches);
      const sets = run.ofType("kubernetes:apps/v1:StatefulSet").map((r) => (r.inputs.metadata as { name: string; namespace: string }));
      const clusters = config.caches.flatMap((c) => (c.kind === "cluster" ? [{ name: `cache-${c.name}`, namespace: config.cluster.namespace }] : []));
      assert.deepEqual(sets.map((m) => ({ name: m.name, namespace: m.namespace })), clusters);
    });

    it("seeds every cluster cache's StatefulSet from its newest RDB by an init container of the worker image, ready on PONG", () => {
      for (const c of config.caches) {
        if (c.kind !== "cluster") continue;
        const set = run.one("kubernetes:apps/v1:StatefulSet", `cache-${c.name}-redis`);
        const pod = (set.inputs.spec as { template: { spec: { initContainers: { image: string; command: string[] }[]; containers: { image: string; readinessProbe: unknown }[] } } }).template.spec;
        assert.deepEqual(pod.initContainers.map((i) => [i.image, i.command]), [
          [
            config.workerImage ?? DEFAULT_WORKER_IMAGE,
            ["node", "dist/restore-redis.js", "--from", `s3://${c.rdb.bucket}/${c.rdb.prefix}`, "--latest", "--to-dir", "/data", "--redis-version", c.redisVersion, "--if-empty"],
          ],
        ]);
        assert.equal(pod.containers[0].image, c.redisImage);
        assert.deepEqual(pod.containers[0].readinessProbe, { exec: { command: ["sh", "-c", "redis-cli ping | grep -q PONG"] }, periodSeconds: 5, failureThreshold: 3 });
      }
    });

    it("waits, for a cluster cache, for the namespace step, and makes every service that uses a cache wait for its resources", () => {
      for (const c of config.caches) {
        const step = plan.steps.find((s) => s.id === `cache:${c.name}`)!;
        assert.deepEqual(step.dependsOn, c.kind === "cluster" ? [`cluster-config:${config.cluster.namespace}`] : []);
        const cacheLeaves = leaves(run, stepComponent(run, step.id).urn);
        assert.deepEqual(cacheLeaves.map((r) => r.type).sort(), c.kind === "cluster" ? ["kubernetes:apps/v1:StatefulSet", "kubernetes:core/v1:Service"] : [T.cache]);
        const users = config.services.filter((svc) => svc.dependsOn.includes(`cache:${c.name}`));
        assert.ok(users.length > 0, `nothing uses cache:${c.name}, so nothing was checked`);
        for (const svc of users) {
          const deployment = leaves(run, stepComponent(run, `service:${svc.name}`).urn).find((r) => r.type === T.deployment)!;
          for (const leaf of cacheLeaves) assert.ok(run.dependsOn(deployment.urn, leaf.urn), `${svc.name} does not wait for ${leaf.type} ${leaf.name}`);
        }
      }
    });

    it("gives a service of one cache REDIS_URL pointing at that cache, as a Pulumi secret", () => {
      for (const svc of config.services) {
        const used = svc.dependsOn.filter((d) => d.startsWith("cache:")).map((d) => config.caches.find((c) => `cache:${c.name}` === d)!);
        if (used.length !== 1) continue;
        const env = run.one(T.k8sSecret, `service-${svc.name}-env`);
        const url = (env.inputs.stringData as Record<string, string>).REDIS_URL;
        assert.ok(isSecretPath(env, "stringData.REDIS_URL"), svc.name);
        const expected =
          used[0].kind === "cluster"
            ? `redis://cache-${used[0].name}.${config.cluster.namespace}.svc.cluster.local:6379`
            : `rediss://master.${used[0].replicationGroupId}.`;
        assert.ok(url.startsWith(expected), `${svc.name}: ${url}`);
      }
    });

    it("registers, for every plan edge A → B, B's component depending on each of A's resources", () => {
      for (const step of plan.steps) {
        const b = stepComponent(run, step.id);
        for (const dep of step.dependsOn)
          for (const leaf of leaves(run, stepComponent(run, dep).urn))
            assert.ok(run.dependsOn(b.urn, leaf.urn), `${step.id} does not wait for ${dep}'s ${leaf.type} ${leaf.name}`);
      }
    });

    it("registers no dependency edge the plan does not have", () => {
      for (const step of plan.steps) {
        const b = stepComponent(run, step.id);
        const own = new Set(b.dependencies.map((u) => stepOf(run, plan, u)));
        // A step whose component creates nothing (a promoted replica) has nothing to wait for,
        // and Pulumi has no resource to record the edge on.
        const waitable = step.dependsOn.filter((dep) => leaves(run, stepComponent(run, dep).urn).length > 0);
        assert.deepEqual([...own].sort(), [...waitable].sort(), `${step.id}'s component`);
        for (const r of run.descendants(b.urn))
          for (const u of r.dependencies) {
            const other = stepOf(run, plan, u);
            assert.ok(other === step.id || step.dependsOn.includes(String(other)), `${r.type} ${r.name} of ${step.id} depends on ${String(other)}`);
          }
      }
    });

    it("starts the gateway's Deployment only after every other service's Deployment", () => {
      const gateway = config.services.find((s) => s.gateway);
      const deployments = run.ofType(T.deployment);
      const gw = deployments.find((d) => (d.inputs.metadata as { name: string }).name === gateway?.name);
      assert.ok(gw);
      const others = deployments.filter((d) => d !== gw);
      assert.equal(others.length, config.services.length - 1);
      for (const d of others) assert.ok(run.dependsOn(gw.urn, d.urn), `the gateway does not wait for ${d.name}`);
    });

    it("keeps every Job (no TTL, no skipAwait) so pulumi up waits for it and a refresh never runs it again", () => {
      for (const job of run.ofType(T.job)) {
        assert.equal((job.inputs.spec as Record<string, unknown>).ttlSecondsAfterFinished, undefined, job.name);
        assert.equal(JSON.stringify(job.inputs.metadata).includes("skipAwait"), false, job.name);
      }
    });

    it("keeps every Kubernetes Secret value and secret version a Pulumi secret", () => {
      for (const s of run.ofType(T.k8sSecret)) {
        const keys = Object.keys(s.inputs.stringData as Record<string, string>);
        assert.ok(keys.length > 0, s.name);
        for (const key of keys) assert.ok(isSecretPath(s, `stringData.${key}`), `${s.name} ${key}`);
      }
      for (const v of run.ofType("aws:secretsmanager/secretVersion:SecretVersion")) assert.ok(isSecretPath(v, "secretString"));
      for (const db of run.ofType(T.rds)) if (db.inputs.password !== undefined) assert.ok(isSecretPath(db, "password"), db.name);
    });

    it("puts no credential in any input that is not a Pulumi secret (Jobs and Deployments get them from Secrets)", () => {
      const values = config.secrets.map((s) => mockSecretValue(s.source.secretId, s.versionId ?? s.versionStage ?? ""));
      for (const r of run.resources) {
        const text = JSON.stringify(withoutSecrets(r));
        assert.ok(!text.includes("postgresql://") && !text.includes("mock-password") && !values.some((v) => text.includes(v)), `${r.type} ${r.name}`);
      }
    });

    it("exports per database its endpoint and restore point, per bucket its name, per service its URL, and the plan", async () => {
      const o = run.outputs as Record<string, Record<string, unknown>>;
      assert.deepEqual(o.recoveryPlan, plan);
      for (const d of config.databases) {
        const db = o.databases[d.name] as Record<string, pulumi.Output<string>>;
        assert.equal(await promiseOf(db.identifier), d.identifier);
        assert.match(await promiseOf(db.endpoint), new RegExp(`^${d.identifier}\\.`));
        // Only a resolved time is exported: "latest" and "newest dump" are not restore points to measure RPO by.
        const resolved = d.restoreTime === "latest" ? undefined : d.restoreTime;
        const point = { logical: undefined, snapshot: MOCK_SNAPSHOT_TIME, "point-in-time": resolved };
        assert.equal(await promiseOf(db.restorePoint), point[d.method]);
        assert.equal(db.database as unknown, d.source.dbName);
      }
      for (const b of config.buckets) {
        const out = o.buckets[b.name] as { bucket: pulumi.Output<string>; mode: string; replica: string };
        assert.equal(await promiseOf(out.bucket), b.bucket);
        assert.deepEqual([out.mode, out.replica], [b.mode, b.source.replica.bucket]);
      }
      for (const s of config.services)
        assert.equal(
          await promiseOf((o.services[s.name] as { url: pulumi.Output<string> }).url),
          `http://${s.name}.${config.cluster.namespace}.svc.cluster.local:${s.port}`,
        );
      assert.equal(o.namespace, config.cluster.namespace);
    });

    it("exports every connection string as a Pulumi secret, and nothing else with a credential", async () => {
      const o = run.outputs as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(o.connectionStrings).sort(), config.databases.map((d) => d.name).sort());
      for (const d of config.databases) {
        const cs = o.connectionStrings[d.name] as pulumi.Output<string>;
        assert.equal(await pulumi.isSecret(cs), true, d.name);
        assert.match(await promiseOf(cs), new RegExp(`^postgresql://${d.source.username}(:[^@]+)?@${d.identifier}\\.`));
      }
      for (const [name, value] of Object.entries(o.databases))
        for (const field of Object.values(value as Record<string, pulumi.Input<unknown>>))
          assert.ok(!String(await promiseOf(pulumi.output(field))).includes("postgresql://"), name);
    });
  });
}
