import type { StackValidationPolicy } from "@pulumi/policy";
import { missingConfig, SCHEMAS, type IsolationConfig } from "./config";
import { writtenNames } from "../components/names";
import { TYPES } from "./resources";

/**
 * Invariant 5: a drill never points at production or at the recovery stack for writing, and
 * never takes traffic. Enabled by the drill stack's pack config; recovery stacks disable it.
 */
export const drillIsolated: StackValidationPolicy = {
  name: "drill-isolated",
  description: "A drill stack touches no production or recovery name and has no traffic cutover.",
  enforcementLevel: "mandatory",
  configSchema: SCHEMAS.isolation,
  validateStack: (args, reportViolation) => {
    const names = args.getConfig<IsolationConfig>().protectedNames;
    if (names === undefined) {
      reportViolation(missingConfig("protectedNames"));
      return;
    }
    const protectedNames = new Set(names);
    for (const r of args.resources) {
      for (const [property, value] of writtenNames(r.type, r.props))
        if (protectedNames.has(value))
          reportViolation(`${r.name}: ${property} "${value}" belongs to production or the recovery stack; a drill uses names of its own`, r.urn);
      if (r.type === TYPES.ingress || r.type === TYPES.trafficCutover)
        reportViolation(`${r.name}: a drill never takes traffic; remove the traffic cutover (trafficCutover: false)`, r.urn);
    }
  },
};
