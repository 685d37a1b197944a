import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isDnsName, throwIfProblems } from "./arg-checks";
import { K8S_SECRET_OUTPUTS, secretStringData } from "./secret-values";
import { COMPONENT_TYPES } from "./names";

export interface ServiceRedeploymentArgs {
  /** The service's name: its Deployment's, its Service's and its DNS name in the namespace. */
  readonly service: string;
  readonly image: string;
  readonly port: number;
  /** The HTTP path of the readiness and liveness probes. */
  readonly healthPath: string;
  /** A `0` is kept (a service held down on purpose). */
  readonly replicas: number;
  readonly namespace: pulumi.Input<string>;
  /**
   * Values from the restored resources (DATABASE_URL, REDIS_URL, bucket names), written into
   * this service's own Kubernetes Secret, every value a Pulumi secret. Defaults to none (no Secret).
   */
  readonly secretEnv?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Kubernetes Secrets whose keys become environment variables (the restored secret versions). Defaults to none. */
  readonly envFromSecrets?: readonly pulumi.Input<string>[];
  /** Non-secret environment (other services' in-cluster URLs). Defaults to none. */
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  /** The gateway gates all traffic; labelled so, and its Ingress comes from TrafficCutover. Defaults to `false`. */
  readonly gateway?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Pure checks of ServiceRedeploymentArgs; an empty list means valid. */
export function validateServiceRedeploymentArgs(args: ServiceRedeploymentArgs): string[] {
  const problems: string[] = [];
  if (!isDnsName(args.service, 63)) problems.push(`service "${args.service}" is not a valid Kubernetes name (lowercase letters, digits, single hyphens)`);
  if (args.image.trim() === "") problems.push(`image of service "${args.service}" is empty; give the image to deploy`);
  if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) problems.push(`port must be from 1 to 65535 (got ${args.port})`);
  if (!args.healthPath.startsWith("/")) problems.push(`healthPath "${args.healthPath}" must start with "/", like "/health"`);
  if (!Number.isInteger(args.replicas) || args.replicas < 0) problems.push(`replicas must be a whole number, 0 or more (got ${args.replicas})`);
  const secretKeys = Object.keys(args.secretEnv ?? {});
  for (const key of [...secretKeys, ...Object.keys(args.env ?? {})])
    if (!ENV_NAME.test(key)) problems.push(`environment variable "${key}" is not a valid name; use letters, digits and underscores`);
  for (const key of Object.keys(args.env ?? {}))
    if (secretKeys.includes(key)) problems.push(`environment variable "${key}" is in both env and secretEnv; keep it in secretEnv only`);
  return problems;
}

/**
 * A `service` step: the service's Deployment and ClusterIP Service, its environment from the
 * restored Secrets, probes on its health path. `pulumi up` waits for the rollout to be ready, so
 * what depends on this step starts only after the service answers its readiness probe.
 */
export class ServiceRedeployment extends pulumi.ComponentResource {
  /** `http://<service>.<namespace>.svc.cluster.local:<port>`. */
  public readonly url: pulumi.Output<string>;
  public readonly serviceName: pulumi.Output<string>;
  public readonly deploymentName: pulumi.Output<string>;

  constructor(name: string, args: ServiceRedeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.ServiceRedeployment, name, {}, opts);
    throwIfProblems("ServiceRedeployment", validateServiceRedeploymentArgs(args), this);

    const labels = { app: args.service, "recovery/role": args.gateway ? "gateway" : "service" };
    const envFrom = [...(args.envFromSecrets ?? [])];
    if (Object.keys(args.secretEnv ?? {}).length > 0) {
      const secret = new k8s.core.v1.Secret(
        `${name}-env`,
        {
          metadata: { name: `${args.service}-restored-env`, namespace: args.namespace },
          type: "Opaque",
          stringData: secretStringData(args.secretEnv ?? {}),
        },
        { parent: this, additionalSecretOutputs: K8S_SECRET_OUTPUTS },
      );
      envFrom.push(secret.metadata.name);
    }

    const probe = (initialDelaySeconds: number) => ({
      httpGet: { path: args.healthPath, port: args.port },
      initialDelaySeconds,
      periodSeconds: 10,
      failureThreshold: 3,
    });
    const deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: args.service, namespace: args.namespace, labels },
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: { app: args.service } },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: args.service,
                  image: args.image,
                  ports: [{ name: "http", containerPort: args.port }],
                  env: Object.entries(args.env ?? {}).map(([n, value]) => ({ name: n, value })),
                  envFrom: envFrom.map((secretName) => ({ secretRef: { name: secretName } })),
                  readinessProbe: probe(5),
                  livenessProbe: probe(30),
                },
              ],
            },
          },
        },
      },
      { parent: this },
    );
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: args.service, namespace: args.namespace, labels },
        spec: { type: "ClusterIP", selector: { app: args.service }, ports: [{ name: "http", port: args.port, targetPort: args.port }] },
      },
      { parent: this, dependsOn: [deployment] },
    );

    this.deploymentName = deployment.metadata.name;
    this.serviceName = service.metadata.name;
    this.url = pulumi.interpolate`http://${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${args.port}`;
    this.registerOutputs({ url: this.url, serviceName: this.serviceName, deploymentName: this.deploymentName });
  }
}
