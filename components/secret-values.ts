import * as pulumi from "@pulumi/pulumi";

/** How components keep credentials secret, in Kubernetes Secrets and in what CrossGuard sees. Not a component itself. */

/** One key per value, every value a Pulumi secret: a Kubernetes Secret never holds a plain value. */
export function secretStringData(values: Readonly<Record<string, pulumi.Input<string>>>): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, pulumi.secret(v)]));
}

/**
 * Marks credential-holding properties as secret outputs explicitly. Pulumi already keeps secret
 * inputs secret; the explicit marking is what CrossGuard can see (it receives values unwrapped),
 * so `credentials-are-secret` holds in `pulumi preview --policy-pack` as well as offline.
 */
export const K8S_SECRET_OUTPUTS = ["data", "stringData"];
export const DB_SECRET_OUTPUTS = ["password"];
