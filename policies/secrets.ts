import type { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "./resources";

/**
 * Invariant 4: values that hold credentials are Pulumi secrets. CrossGuard sees property values
 * unwrapped, so what it can check is that the resource marks them as secret outputs; the offline
 * check (`npm run policy:check`) also checks the secretness of every value and stack output.
 */
export const credentialsAreSecret: ResourceValidationPolicy = {
  name: "credentials-are-secret",
  description: "Kubernetes Secret data and database passwords are Pulumi secrets.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const marked = new Set(args.opts.additionalSecretOutputs ?? []);
    if (args.type === TYPES.k8sSecret) {
      for (const key of ["data", "stringData"])
        if (args.props[key] !== undefined && !marked.has(key))
          reportViolation(`Kubernetes Secret ${key} must be a Pulumi secret: add "${key}" to additionalSecretOutputs and wrap values in pulumi.secret`);
    }
    if (args.type === TYPES.rdsInstance && args.props.password !== undefined && !marked.has("password"))
      reportViolation('a database password must be a Pulumi secret: add "password" to additionalSecretOutputs');
  },
};
