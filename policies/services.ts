import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { SCHEMAS, type GatewayConfig } from "./config";
import { propertyAt } from "../components/names";
import { TYPES } from "./resources";

/** Invariant 3: "ready" means the readiness probe says so; a dead pod is restarted by liveness. */
export const servicesHaveProbes: ResourceValidationPolicy = {
  name: "services-have-probes",
  description: "Every Deployment's containers have readiness and liveness probes.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.deployment) return;
    const containers = (propertyAt(args.props, "spec.template.spec.containers") as Array<Record<string, unknown>> | undefined) ?? [];
    if (containers.length === 0) reportViolation("a Deployment must have at least one container");
    for (const c of containers) {
      for (const probe of ["readinessProbe", "livenessProbe"])
        if (c[probe] === undefined)
          reportViolation(`container ${String(c.name ?? "(unnamed)")} must have a ${probe} on its health path`);
    }
  },
};

/** Invariant 3: the gateway gates all traffic, so it starts after every other service. */
export const gatewayLast: StackValidationPolicy = {
  name: "gateway-last",
  description: "The gateway's Deployment depends on every other Deployment.",
  enforcementLevel: "mandatory",
  configSchema: SCHEMAS.gateway,
  validateStack: (args, reportViolation) => {
    const { gatewayDeployment } = args.getConfig<GatewayConfig>();
    const deployments = args.resources.filter((r) => r.type === TYPES.deployment);
    const gateway = deployments.find((d) => d.name === gatewayDeployment);
    if (!gateway) {
      reportViolation(`the gateway Deployment "${gatewayDeployment}" was not found; set gatewayDeployment in the pack config`);
      return;
    }
    // A child registers only once its parent has, and a component registers only once its
    // dependsOn is done: the Deployment waits for its own and its ancestors' dependencies.
    const waitsFor = new Set<string>();
    for (let r: PolicyResource | undefined = gateway; r !== undefined; r = r.parent)
      for (const d of r.dependencies) waitsFor.add(d.urn);
    const missing = deployments.filter((d) => d !== gateway && !waitsFor.has(d.urn)).map((d) => d.name);
    if (missing.length > 0)
      reportViolation(`the gateway Deployment must depend on every other Deployment; it does not wait for ${missing.join(", ")}`, gateway.urn);
  },
};
