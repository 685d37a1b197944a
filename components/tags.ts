import type * as pulumi from "@pulumi/pulumi";

/** How restored AWS resources are tagged, so anyone can tell them apart from production. Not a component itself. */

/** The tags every restored AWS resource carries; `pulumi up` output and the AWS console can tell them apart. */
export function recoveryTags(
  stack: string,
  source: string,
  restoredFrom: pulumi.Input<string>,
  restorePoint: pulumi.Input<string>,
): pulumi.Input<Record<string, pulumi.Input<string>>> {
  return {
    "recovery:stack": stack,
    "recovery:source": source,
    "recovery:restored-from": restoredFrom,
    "recovery:restore-point": restorePoint,
  };
}
