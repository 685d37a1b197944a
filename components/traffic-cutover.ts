import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "./arg-checks";
import { COMPONENT_TYPES } from "./names";
import { describeProblem, schemaProblems, under } from "../stacks/problems";
import { timeoutDurationSchema } from "../stacks/schema";

export interface TrafficCutoverArgs {
  /** The gateway's Kubernetes Service. */
  readonly gatewayServiceName: pulumi.Input<string>;
  readonly gatewayPort: number;
  readonly namespace: pulumi.Input<string>;
  /** Defaults to `alb` (the AWS Load Balancer Controller). */
  readonly ingressClassName?: string;
  /** Ingress annotations. Defaults to an internet-facing ALB targeting pod IPs. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The public host. Defaults to none: every host reaches the gateway. */
  readonly host?: string;
  /**
   * How long `pulumi up` waits for the load balancer's address (a Go duration). Defaults to
   * DEFAULT_TRAFFIC_TIMEOUT: the provider's own 10 minutes fail a slow ALB after the smoke tests passed.
   */
  readonly timeout?: string;
}

/** An ALB takes minutes to provision and more to register healthy targets; 30 minutes leave margin. */
export const DEFAULT_TRAFFIC_TIMEOUT = "30m";

/** Pure checks of TrafficCutoverArgs; an empty list means valid. */
export function validateTrafficCutoverArgs(args: TrafficCutoverArgs): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(args.gatewayPort) || args.gatewayPort < 1 || args.gatewayPort > 65535)
    problems.push(`gatewayPort must be from 1 to 65535 (got ${args.gatewayPort})`);
  if (args.host !== undefined && !/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(args.host))
    problems.push(`host "${args.host}" is not a DNS name, like api.example.com`);
  if (args.ingressClassName !== undefined && args.ingressClassName.trim() === "") problems.push("ingressClassName is empty; remove it for the default (alb)");
  if (args.timeout !== undefined) problems.push(...under(["timeout"], schemaProblems(timeoutDurationSchema, args.timeout)).map(describeProblem));
  return problems;
}

/**
 * The `traffic` step (seed 004 step 11, "remove traffic hold"): the gateway's Ingress. Until it
 * exists the restored environment is reachable only inside the cluster; the plan creates it
 * only after the smoke step passed.
 */
export class TrafficCutover extends pulumi.ComponentResource {
  /** The load balancer's host name once the controller has provisioned it. */
  public readonly hostname: pulumi.Output<string | undefined>;

  constructor(name: string, args: TrafficCutoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPES.TrafficCutover, name, {}, opts);
    throwIfProblems("TrafficCutover", validateTrafficCutoverArgs(args), this);

    const backend = { service: { name: args.gatewayServiceName, port: { number: args.gatewayPort } } };
    const ingress = new k8s.networking.v1.Ingress(
      `${name}-ingress`,
      {
        metadata: {
          name: "public-gateway",
          namespace: args.namespace,
          annotations: { ...(args.annotations ?? { "alb.ingress.kubernetes.io/scheme": "internet-facing", "alb.ingress.kubernetes.io/target-type": "ip" }) },
        },
        spec: {
          ingressClassName: args.ingressClassName ?? "alb",
          defaultBackend: args.host === undefined ? backend : undefined,
          rules: args.host === undefined ? undefined : [{ host: args.host, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }],
        },
      },
      // The provider waits for .status.loadBalancer.ingress (provider/pkg/await/ingress.go), on create and update.
      { parent: this, customTimeouts: { create: args.timeout ?? DEFAULT_TRAFFIC_TIMEOUT, update: args.timeout ?? DEFAULT_TRAFFIC_TIMEOUT } },
    );
    this.hostname = ingress.status.loadBalancer.ingress.apply((i) => i?.[0]?.hostname);
    this.registerOutputs({ hostname: this.hostname });
  }
}
