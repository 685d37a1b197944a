import { S3Client } from "@aws-sdk/client-s3";

/**
 * One S3 client for the workers. The endpoint comes from the environment (AWS_ENDPOINT_URL), the
 * same way for an operator, a Kubernetes Job and the tests. Timeouts bound every request so a
 * hung connection fails (and is retried) instead of stalling a restore forever.
 */
export function createS3Client(options: { maxSockets?: number } = {}): S3Client {
  return new S3Client({
    // Replicas live in another region (eu-west-1 for eu-west-2's buckets): follow S3's redirect
    // to the bucket's own region instead of failing the listing with a 301.
    followRegionRedirects: true,
    requestHandler: {
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
      httpAgent: { maxSockets: options.maxSockets ?? 64, keepAlive: true },
      httpsAgent: { maxSockets: options.maxSockets ?? 64, keepAlive: true },
    },
  });
}
