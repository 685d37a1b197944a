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

const byName = <T, R>(map: ReadonlyMap<string, T>, f: (value: T) => R): Record<string, R> =>
  Object.fromEntries([...map].map(([name, value]) => [name, f(value)]));

/** The plan `pulumi up` realises: steps, edges, estimates, critical path. */
export const recoveryPlan = plan;
/** Per database: the new identifier, its endpoint and port, and the point it was restored to. */
export const databases = byName(environment.databases, (d) => ({
  identifier: d.identifier,
  endpoint: d.endpoint,
  port: d.port,
  restorePoint: d.restorePoint,
}));
/** Per database, `postgresql://…`: Pulumi secrets (`pulumi stack output --show-secrets`). */
export const connectionStrings = byName(environment.databases, (d) => d.connectionString);
/** Per cache: the new replication group and its primary endpoint. */
export const caches = byName(environment.caches, (c) => ({ replicationGroupId: c.replicationGroupId, endpoint: c.endpoint }));
/** Per bucket: the bucket services use now (the rebuilt one, or the promoted replica). */
export const buckets = byName(environment.buckets, (b) => b.bucketName);
/** Per service: its in-cluster URL. */
export const services = byName(environment.services, (s) => s.url);
/** The public host, once traffic was switched (recovery with trafficCutover only). */
export const gatewayHostname = environment.traffic?.hostname;
