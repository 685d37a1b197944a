import * as pulumi from "@pulumi/pulumi";

/** The argument checks several components share and how their problems are thrown. Not a component itself. */

/** The loader's name rule, which the components check their names by too. */
export { isDnsName } from "../stacks/checks/dns-name";

/** Validation problems become one ResourceError: nothing is created when one is found. */
export function throwIfProblems(component: string, problems: readonly string[], parent: pulumi.Resource): void {
  if (problems.length > 0) throw new pulumi.ResourceError(`${component}: ${problems.join("; ")}`, parent);
}
