/** Valid args for each component, one factory each; a test changes one property. */
import type {
  ClusterConfigArgs,
  LogicalRestoreArgs,
  MigrationJobArgs,
  ReplicaBucketSyncArgs,
  RestoredCacheArgs,
  RestoredDatabaseArgs,
  SecretVersionsArgs,
  ServiceRedeploymentArgs,
  SmokeGateArgs,
  TrafficCutoverArgs,
} from "../../components";

export const ORDERS_SOURCE = {
  identifier: "lomash-orders-prod",
  dbName: "lomash_orders",
  username: "lomash_admin",
  port: 5432,
  subnetGroup: "lomash-wood-db-subnet",
  securityGroupIds: ["sg-0a1b2c3d4e5f60718"],
  kmsKeyId: "arn:aws:kms:eu-west-2:123456789012:key/8c1d2f7e",
  backupRetentionDays: 7,
} as const;

export const databaseArgs = (o: Partial<RestoredDatabaseArgs> = {}): RestoredDatabaseArgs => ({
  stack: "recovery",
  mode: "recovery",
  source: ORDERS_SOURCE,
  identifier: "lomash-orders-prod-recovery",
  instanceClass: "db.r6g.large",
  multiAz: true,
  method: "point-in-time",
  sourceNames: ["lomash-orders-prod", "lomash-wood-backups"],
  ...o,
});

export const logicalArgs = (o: Partial<LogicalRestoreArgs> = {}): LogicalRestoreArgs => ({
  stack: "recovery",
  mode: "recovery",
  source: ORDERS_SOURCE,
  identifier: "lomash-orders-prod-recovery",
  instanceClass: "db.t4g.large",
  dumps: { bucket: "lomash-wood-backups", prefix: "pg-logical/lomash_orders/" },
  namespace: "lomash-wood-recovery",
  ...o,
});

export const migrationArgs = (o: Partial<MigrationJobArgs> = {}): MigrationJobArgs => ({
  service: "order-payment",
  image: "123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/order-payment-service:2026.11.3",
  command: ["npx", "prisma", "migrate", "deploy"],
  databaseUrl: "postgresql://lomash_admin:pw@db:5432/lomash_orders",
  namespace: "lomash-wood-recovery",
  ...o,
});

export const cacheArgs = (o: Partial<RestoredCacheArgs> = {}): RestoredCacheArgs => ({
  stack: "recovery",
  mode: "recovery",
  sourceReplicationGroupId: "lomash-wood-redis-prod",
  replicationGroupId: "lomash-wood-redis-prod-recovery",
  nodeType: "cache.r6g.large",
  subnetGroup: "lomash-wood-cache-subnet",
  securityGroupIds: ["sg-0b2c3d4e5f6071829"],
  lookup: async (id) => ({ name: `automatic.${id}-2026-11-24-03-00`, createTime: "2026-11-24T03:00:00Z" }),
  ...o,
});

export const bucketArgs = (o: Partial<ReplicaBucketSyncArgs> = {}): ReplicaBucketSyncArgs => ({
  stack: "recovery",
  mode: "recovery",
  strategy: "rebuild",
  sourceBucket: "lomash-wood-media-prod",
  replica: { bucket: "lomash-wood-media-prod-replica", region: "eu-west-1" },
  bucket: "lomash-wood-media-prod-recovery",
  namespace: "lomash-wood-recovery",
  sourceNames: ["lomash-wood-media-prod", "lomash-wood-media-prod-replica", "lomash-wood-backups"],
  ...o,
});

export const secretArgs = (o: Partial<SecretVersionsArgs> = {}): SecretVersionsArgs => ({
  secretId: "lomash-wood/production/jwt-secret",
  namespace: "lomash-wood-recovery",
  kubernetesSecretName: "lomash-wood-secrets-jwt",
  key: "JWT_SECRET",
  sourceNames: ["lomash-wood/production/jwt-secret"],
  ...o,
});

export const serviceArgs = (o: Partial<ServiceRedeploymentArgs> = {}): ServiceRedeploymentArgs => ({
  service: "auth",
  image: "123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/auth-service:2026.11.3",
  port: 3001,
  healthPath: "/health",
  replicas: 3,
  namespace: "lomash-wood-recovery",
  ...o,
});

export const clusterArgs = (o: Partial<ClusterConfigArgs> = {}): ClusterConfigArgs => ({
  namespace: "lomash-wood-recovery",
  sourceNamespace: "lomash-wood",
  manifests: "k8s/production",
  stack: "recovery",
  ...o,
});

export const smokeArgs = (o: Partial<SmokeGateArgs> = {}): SmokeGateArgs => ({
  gatewayUrl: "http://api-gateway.lomash-wood-recovery.svc.cluster.local:3000",
  tests: [
    { name: "products", method: "GET", path: "/v1/products", expectStatus: 200, bodyContains: '"items"' },
    { name: "login", method: "POST", path: "/v1/auth/login", body: `{"email":"o'brien@x.invalid"}`, expectStatus: 200 },
  ],
  namespace: "lomash-wood-recovery",
  ...o,
});

export const trafficArgs = (o: Partial<TrafficCutoverArgs> = {}): TrafficCutoverArgs => ({
  gatewayServiceName: "api-gateway",
  gatewayPort: 3000,
  namespace: "lomash-wood-recovery",
  ...o,
});
