import * as pulumi from "@pulumi/pulumi";
import { RecoveryEnvironment } from "./components";
import { buildPlan } from "./plan";
import { ConfigError, configFromPulumi, loadStackFromConfig } from "./stacks";

/** Loads this stack's config through the same loader the offline commands use. */
function loadConfig() {
  try {
    return loadStackFromConfig(pulumi.getStack(), configFromPulumi(pulumi.runtime.allConfig()));
  } catch (error) {
    // RunError: Pulumi prints the message alone, without a stack trace, and creates nothing.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const config = loadConfig();
const plan = buildPlan(config);
const environment = new RecoveryEnvironment(config.stack, { config, plan });

const byName = <T, R>(map: ReadonlyMap<string, T>, f: (value: T, name: string) => R): Record<string, R> =>
  Object.fromEntries([...map].map(([name, value]) => [name, f(value, name)]));
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T/;

// The shape `npm run verify` and `npm run drill` read (docs: README, "Stack outputs").

/** The plan `pulumi up` realises: steps, edges, estimates, critical path. */
export const recoveryPlan = plan;
/** The namespace the services were deployed into. */
export const namespace = config.cluster.namespace;
/** Per database: the new identifier, endpoint, port, database name and, when resolved, the restore point. */
export const databases = byName(environment.databases, (d, name) => ({
  identifier: d.identifier,
  endpoint: d.endpoint,
  port: d.port,
  database: config.databases.find((c) => c.name === name)!.source.dbName,
  // "latest" and "newest dump" are not times: only a resolved ISO time is a restore point to measure RPO by.
  restorePoint: d.restorePoint.apply((p) => (ISO_TIME.test(p) ? p : undefined)),
}));
/** Per database, `postgresql://…`: Pulumi secrets (`pulumi stack output --show-secrets`). */
export const connectionStrings = byName(environment.databases, (d) => d.connectionString);
/** Per cache: the new replication group and its primary endpoint. */
export const caches = byName(environment.caches, (c) => ({ replicationGroupId: c.replicationGroupId, endpoint: c.endpoint }));
/** Per bucket: the bucket services use now (the rebuilt one, or the promoted replica), how, and from what. */
export const buckets = byName(environment.buckets, (b, name) => {
  const c = config.buckets.find((x) => x.name === name)!;
  return { bucket: b.bucketName, mode: c.mode, replica: c.source.replica.bucket };
});
/** Per secret: which version was restored into which Kubernetes Secret key (never the value). */
export const secrets = byName(environment.secrets, (s, name) => {
  const c = config.secrets.find((x) => x.name === name)!;
  return { secretId: c.source.secretId, versionId: s.restoredVersionId, kubernetesSecret: s.kubernetesSecretName, key: c.source.key };
});
/** Per service: its in-cluster URL. */
export const services = byName(environment.services, (s) => ({ url: s.url }));
/** The public host, once traffic was switched (recovery with trafficCutover only). */
export const gatewayHostname = environment.traffic?.hostname;
/** Where smoke tests go: the public host after the cutover, otherwise the gateway's in-cluster URL. */
export const gatewayUrl = (() => {
  const gateway = config.services.find((s) => s.gateway)!;
  const inCluster = environment.services.get(gateway.name)!.url;
  return environment.traffic ? pulumi.all([environment.traffic.hostname, inCluster]).apply(([h, url]) => (h ? `https://${h}` : url)) : inCluster;
})();
