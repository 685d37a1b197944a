import type { ResourceValidationPolicy } from "@pulumi/policy";
import { missingConfig, SCHEMAS, type SourceNamesConfig } from "./config";
import { writtenNames } from "../components/names";

/**
 * Invariant 1: a restore never takes a production resource's name. Reusing the source's name is
 * how a restore overwrites what survived, and how a later refresh drops the restored instance.
 */
export const restoreNeverTargetsSource: ResourceValidationPolicy = {
  name: "restore-never-targets-source",
  description: "No restored identifier, bucket, secret or namespace is a name from the source inventory.",
  enforcementLevel: "mandatory",
  configSchema: SCHEMAS.sourceNames,
  validateResource: (args, reportViolation) => {
    const { sourceNames } = args.getConfig<SourceNamesConfig>();
    if (sourceNames === undefined) {
      reportViolation(missingConfig("sourceNames"));
      return;
    }
    const source = new Set(sourceNames);
    for (const [property, value] of writtenNames(args.type, args.props)) {
      if (source.has(value))
        reportViolation(`${property} "${value}" belongs to the source inventory; a restore must use a new name (add the stack's suffix)`);
    }
  },
};
