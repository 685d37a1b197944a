import { foreignResources, publicStatements } from "./bucket-settings";
import { keyPath, type Problem } from "./problems";
import type { Inventory } from "./schema";


const LIFECYCLE_ACTIONS = ["expiration", "transitions", "noncurrentVersionExpiration", "noncurrentVersionTransitions", "abortIncompleteMultipartUpload"] as const;

/**
 * What S3 would refuse, or what would open a rebuilt bucket to the internet, in the inventory's
 * bucket configuration: refused when the config is loaded, not halfway through `pulumi up`.
 */
export function checkBucketSettings(inv: Inventory): Problem[] {
  const problems: Problem[] = [];
  inv.buckets.forEach((b, i) => {
    const at = (...path: PropertyKey[]): PropertyKey[] => ["buckets", i, ...path];
    if (b.policy !== undefined) {
      b.policy.Statement.forEach((s, j) => {
        if (s.Principal === undefined && s.NotPrincipal === undefined)
          problems.push({ path: at("policy", "Statement", j), message: 'needs a Principal: a bucket policy names who it applies to (e.g. Principal: { Service: "cloudfront.amazonaws.com" })' });
        if (s.Action === undefined && s.NotAction === undefined)
          problems.push({ path: at("policy", "Statement", j), message: "needs an Action (or NotAction); add the S3 actions it allows or denies, like s3:GetObject" });
        if (s.Resource === undefined && s.NotResource === undefined)
          problems.push({ path: at("policy", "Statement", j), message: `needs a Resource; add arn:aws:s3:::${b.bucket} or arn:aws:s3:::${b.bucket}/*` });
      });
      for (const { statement, resource } of foreignResources(b.policy, b.bucket))
        problems.push({
          path: at("policy", "Statement", statement, "Resource"),
          message: `"${resource}" is not bucket ${b.bucket}; a bucket policy covers its own bucket only (arn:aws:s3:::${b.bucket} or arn:aws:s3:::${b.bucket}/…), and S3 refuses any other resource`,
        });
      if (b.public !== true)
        for (const j of publicStatements(b.policy))
          problems.push({
            path: at("policy", "Statement", j),
            message: `grants public access (${b.policy.Statement[j].NotPrincipal !== undefined ? "Allow with NotPrincipal" : 'Principal "*"'} and no condition fixing the caller, like aws:SourceArn or aws:SourceAccount); name the principal or add such a condition, or set ${keyPath(at("public"))}: true if the bucket is meant to be public`,
          });
    }
    if (b.logging?.targetBucket === b.bucket)
      problems.push({ path: at("logging", "targetBucket"), message: `is the bucket itself, so every log delivered would be logged again; name production's separate log bucket` });
    const ids = new Map<string, number>();
    (b.lifecycle ?? []).forEach((rule, j) => {
      const first = ids.get(rule.id);
      if (first !== undefined)
        problems.push({ path: at("lifecycle", j, "id"), message: `"${rule.id}" is also the id of ${keyPath(at("lifecycle", first))}; S3 refuses two rules with one id, rename one` });
      else ids.set(rule.id, j);
      if (!LIFECYCLE_ACTIONS.some((a) => rule[a] !== undefined))
        problems.push({ path: at("lifecycle", j), message: `has no action, and S3 refuses such a rule; add one of ${LIFECYCLE_ACTIONS.join(", ")}` });
      if (rule.expiration?.expiredObjectDeleteMarker !== undefined && rule.expiration.days !== undefined)
        problems.push({ path: at("lifecycle", j, "expiration"), message: "gives both days and expiredObjectDeleteMarker, which S3 refuses in one expiration; put them in two rules" });
      if (rule.expiration !== undefined && rule.expiration.days === undefined && rule.expiration.expiredObjectDeleteMarker === undefined)
        problems.push({ path: at("lifecycle", j, "expiration"), message: "is empty; give days or expiredObjectDeleteMarker: true, or remove it" });
    });
  });
  return problems;
}
