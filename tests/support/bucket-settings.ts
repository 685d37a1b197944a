import type { BucketPolicy } from "../../stacks/bucket-settings";

/**
 * Production's media bucket policy as Pulumi.prod.yaml records it: CloudFront's origin access
 * control (distribution E2LOMASHMEDIA01) reads the objects of `bucket`. The bucket-config tests
 * of the components and of verify start from it.
 */
export function cloudFrontReadPolicy(bucket: string): BucketPolicy {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowCloudFrontServicePrincipalReadOnly",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E2LOMASHMEDIA01" } },
      },
    ],
  };
}
