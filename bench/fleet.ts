import { DEFAULT_TIERS, type Inventory, type RestoreStack } from "../stacks/schema";

/** A deterministic pseudo-random generator, so every bench run plans the same fleets. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A fleet of `n` services with random valid dependencies: each service uses a few of the
 * databases, caches, buckets and secrets, and a few services defined before it (so no cycles).
 */
export function generateFleet(n: number, seed = 42): { inventory: Inventory; stack: RestoreStack } {
  const rand = mulberry32(seed);
  const pick = (k: number) => Math.floor(rand() * k);
  const count = (per: number) => Math.max(1, Math.floor(n / per));
  const databases = Array.from({ length: count(10) }, (_, i) => ({
    name: `db-${i}`,
    identifier: `fleet-db-${i}-prod`,
    engine: "postgres" as const,
    instanceClass: "db.r6g.large",
    dbName: `db_${i}`,
    username: "admin",
    port: 5432,
    subnetGroup: "subnets",
    securityGroupIds: ["sg-1"],
    multiAz: false,
    backupRetentionDays: 7,
    dumps: { bucket: "fleet-backups", prefix: `db-${i}/` },
  }));
  const caches = Array.from({ length: count(50) }, (_, i) => ({
    name: `cache-${i}`,
    kind: "elasticache" as const,
    replicationGroupId: `fleet-cache-${i}`,
    nodeType: "cache.r6g.large",
    numCacheClusters: 2,
    subnetGroup: "subnets",
    securityGroupIds: ["sg-2"],
    snapshotRetentionDays: 5,
  }));
  const buckets = Array.from({ length: count(20) }, (_, i) => ({
    name: `bucket-${i}`,
    bucket: `fleet-bucket-${i}`,
    replica: { bucket: `fleet-bucket-${i}-replica`, region: "eu-west-1" },
  }));
  const secrets = Array.from({ length: count(5) }, (_, i) => ({
    name: `secret-${i}`,
    secretId: `fleet/secret-${i}`,
    kubernetesSecret: "fleet-secrets",
    key: `SECRET_${i}`,
  }));
  const services = Array.from({ length: n }, (_, i) => {
    const deps = new Set<string>([`database:db-${pick(databases.length)}`, `secret:secret-${pick(secrets.length)}`]);
    if (rand() < 0.5) deps.add(`cache:cache-${pick(caches.length)}`);
    if (rand() < 0.3) deps.add(`bucket:bucket-${pick(buckets.length)}`);
    for (let k = 0; k < 3 && i > 0; k++) if (rand() < 0.6) deps.add(`service:svc-${pick(i)}`);
    const migrates = i < databases.length;
    return {
      name: `svc-${i}`,
      image: `registry.example/svc-${i}:1`,
      port: 8080,
      healthPath: "/health",
      replicas: 2,
      gateway: i === n - 1,
      dependsOn: [...deps],
      ...(migrates ? { migrations: { database: `db-${i}`, command: ["migrate"] } } : {}),
    };
  });
  const inventory: Inventory = {
    mode: "inventory",
    region: "eu-west-2",
    objectives: { rtoMinutes: 60, rpoMinutes: 15 },
    tiers: { ...DEFAULT_TIERS },
    coverage: { include: [], exclude: [] },
    estimates: {},
    cluster: { namespace: "fleet", manifests: "k8s/fleet" },
    databases,
    caches,
    buckets,
    secrets,
    services,
    smoke: [],
  };
  const stack: RestoreStack = {
    mode: "recovery",
    source: "prod",
    suffix: "recovery",
    restorePoint: "latest",
    deletionProtection: true,
    trafficCutover: true,
    databases: {},
    caches: {},
    buckets: {},
    secrets: {},
  };
  return { inventory, stack };
}
