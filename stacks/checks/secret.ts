import type { Problem } from "../problems";
import { AWS_STAGES, misspeltAwsStage } from "../secret-stages";

/** Which version of a secret to restore: one way to name it, and no near-miss of AWS's labels. */
export function secretVersionProblems(v: { readonly versionId?: string; readonly versionStage?: string }): Problem[] {
  const problems: Problem[] = [];
  if (v.versionId !== undefined && v.versionStage !== undefined)
    problems.push({ path: ["versionId"], message: "give either versionId or versionStage, not both" });
  // A misspelt stage would only fail at `pulumi up`, in the middle of a recovery.
  const meant = v.versionStage === undefined ? undefined : misspeltAwsStage(v.versionStage);
  if (meant !== undefined)
    problems.push({
      path: ["versionStage"],
      message: `"${v.versionStage}" looks like a misspelt AWS staging label; did you mean "${meant}"? (labels are case-sensitive; AWS's own are ${AWS_STAGES.join(", ")})`,
    });
  return problems;
}
