import { z } from "zod";

/**
 * Production's bucket configuration as the inventory records it, so a rebuilt bucket is
 * configured like the one it replaces (a CloudFront origin-access policy, CORS for the site,
 * lifecycle rules, access logging, object ownership). The policy is an IAM document in IAM's own
 * spelling (`Statement`, `Effect`); CORS and lifecycle rules in the provider's (`allowedOrigins`),
 * since they are passed to it as they are.
 */

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
/** A condition's values: strings, numbers or booleans as IAM allows, one or a list. */
const conditionValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)]);
const principal = z.union([z.literal("*"), z.record(z.string(), oneOrMany)]);

export const policyStatementSchema = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.enum(["Allow", "Deny"]),
  Principal: principal.optional(),
  NotPrincipal: principal.optional(),
  Action: oneOrMany.optional(),
  NotAction: oneOrMany.optional(),
  Resource: oneOrMany.optional(),
  NotResource: oneOrMany.optional(),
  Condition: z.record(z.string(), z.record(z.string(), conditionValue)).optional(),
});

export const bucketPolicySchema = z.strictObject({
  Version: z.enum(["2012-10-17", "2008-10-17"]).default("2012-10-17"),
  Id: z.string().optional(),
  Statement: z.array(policyStatementSchema).min(1),
});

const corsMethod = z.enum(["GET", "PUT", "HEAD", "POST", "DELETE"]);
export const corsRuleSchema = z.strictObject({
  id: z.string().min(1).optional(),
  allowedOrigins: z.array(z.string().min(1)).min(1),
  allowedMethods: z.array(corsMethod).min(1),
  allowedHeaders: z.array(z.string().min(1)).optional(),
  exposeHeaders: z.array(z.string().min(1)).optional(),
  maxAgeSeconds: z.number().int().nonnegative().optional(),
});

const days = z.number().int().positive();
const storageClass = z.enum(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE"]);
export const lifecycleRuleSchema = z.strictObject({
  id: z.string().min(1).max(255),
  status: z.enum(["Enabled", "Disabled"]).default("Enabled"),
  /** Which objects the rule applies to; every object without a prefix. */
  filter: z.strictObject({ prefix: z.string() }).optional(),
  expiration: z.strictObject({ days: days.optional(), expiredObjectDeleteMarker: z.boolean().optional() }).optional(),
  transitions: z.array(z.strictObject({ days: z.number().int().nonnegative(), storageClass })).optional(),
  noncurrentVersionExpiration: z.strictObject({ noncurrentDays: days, newerNoncurrentVersions: days.optional() }).optional(),
  noncurrentVersionTransitions: z.array(z.strictObject({ noncurrentDays: days, storageClass })).optional(),
  abortIncompleteMultipartUpload: z.strictObject({ daysAfterInitiation: days }).optional(),
});

export const bucketLoggingSchema = z.strictObject({
  targetBucket: z.string().min(3),
  targetPrefix: z.string().default(""),
});

export const OWNERSHIPS = ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"] as const;

export type BucketPolicy = z.infer<typeof bucketPolicySchema>;
export type PolicyStatement = z.infer<typeof policyStatementSchema>;
export type CorsRule = z.infer<typeof corsRuleSchema>;
export type LifecycleRule = z.infer<typeof lifecycleRuleSchema>;
export type BucketLogging = z.infer<typeof bucketLoggingSchema>;
export type Ownership = (typeof OWNERSHIPS)[number];

const list = (v: string | readonly string[] | undefined): string[] => (v === undefined ? [] : typeof v === "string" ? [v] : [...v]);
const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;

/** The source bucket's ARN (the bucket, or an object path in it) rewritten to the rebuilt bucket's. */
function rewriteArn(arn: string, from: string, to: string): string {
  const prefix = bucketArn(from);
  return arn === prefix || arn.startsWith(`${prefix}/`) ? bucketArn(to) + arn.slice(prefix.length) : arn;
}

/**
 * The policy for the rebuilt bucket: every Resource naming the source bucket names the new one.
 * Conditions stay as they are (a CloudFront distribution's ARN is the same distribution).
 */
export function rewritePolicy(policy: BucketPolicy, from: string, to: string): BucketPolicy {
  const rewrite = (v: string | string[] | undefined) => (v === undefined ? undefined : typeof v === "string" ? rewriteArn(v, from, to) : v.map((a) => rewriteArn(a, from, to)));
  return {
    ...policy,
    Statement: policy.Statement.map((s) => {
      const out: PolicyStatement = { ...s };
      if (s.Resource !== undefined) out.Resource = rewrite(s.Resource);
      if (s.NotResource !== undefined) out.NotResource = rewrite(s.NotResource);
      return out;
    }),
  };
}

/**
 * Condition keys that tie a grant to fixed callers, which is what S3 itself counts as not
 * public ("The meaning of public" in the S3 user guide), compared case-insensitively as IAM does.
 */
const RESTRICTING_KEYS = [
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:sourceip",
  "aws:principalorgid",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:userid",
  "s3:dataaccesspointarn",
  "s3:dataaccesspointaccount",
];

const everyone = (p: PolicyStatement["Principal"]): boolean =>
  p === "*" || (p !== undefined && Object.values(p).some((v) => list(v).includes("*")));

function restricted(s: PolicyStatement): boolean {
  return Object.entries(s.Condition ?? {}).some(
    ([operator, keys]) =>
      !/IfExists$/i.test(operator) &&
      Object.entries(keys).some(
        ([key, value]) =>
          RESTRICTING_KEYS.includes(key.toLowerCase()) &&
          (Array.isArray(value) ? value : [value]).every((v) => typeof v !== "string" || !v.includes("*")),
      ),
  );
}

/** The statements that would grant public access: Allow to everyone, with no condition fixing the caller. */
export function publicStatements(policy: BucketPolicy): number[] {
  return policy.Statement.flatMap((s, i) =>
    s.Effect === "Allow" && (everyone(s.Principal) || s.NotPrincipal !== undefined) && !restricted(s) ? [i] : [],
  );
}

/** Resources a bucket policy names that are not its own bucket (S3 refuses such a policy). */
export function foreignResources(policy: BucketPolicy, bucket: string): Array<{ statement: number; resource: string }> {
  const own = bucketArn(bucket);
  return policy.Statement.flatMap((s, i) =>
    [...list(s.Resource), ...list(s.NotResource)]
      .filter((r) => r !== own && !r.startsWith(`${own}/`))
      .map((resource) => ({ statement: i, resource })),
  );
}

/** The log bucket's own policy: S3's logging service may write each source's prefix, for that source only. */
export function logDeliveryPolicy(logBucket: string, sources: ReadonlyArray<{ readonly bucket: string; readonly prefix: string }>): BucketPolicy {
  return {
    Version: "2012-10-17",
    // IAM's Sid takes letters and digits only.
    Statement: sources.map((s, i) => ({
      Sid: `S3ServerAccessLogs${i}`,
      Effect: "Allow" as const,
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucketArn(logBucket)}/${s.prefix}*`,
      Condition: { ArnLike: { "aws:SourceArn": bucketArn(s.bucket) } },
    })),
  };
}
