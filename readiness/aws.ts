import { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/**
 * The read-only AWS clients readiness uses, one set per region. The endpoint comes from the
 * environment (AWS_ENDPOINT_URL) as for every other command, so the tests point them at moto.
 */
export interface AwsClients {
  rds(region: string): RDSClient;
  elastiCache(region: string): ElastiCacheClient;
  s3(region: string): S3Client;
  secrets(region: string): SecretsManagerClient;
  /** The options every `send` gets: an abort after the per-call timeout. */
  call(): { abortSignal: AbortSignal };
  readonly timeoutMs: number;
}

/** Per call: a hung connection must not stall a nightly job forever. */
export function awsClients(timeoutMs: number): AwsClients {
  // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and a
  // paginator's page (which gets no abort signal of ours) would wait forever.
  const requestHandler = { connectionTimeout: Math.min(timeoutMs, 10_000), requestTimeout: timeoutMs, throwOnRequestTimeout: true };
  const cache = new Map<string, unknown>();
  const memo = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    timeoutMs,
    rds: (region) => memo(`rds:${region}`, () => new RDSClient({ region, requestHandler })),
    elastiCache: (region) => memo(`ec:${region}`, () => new ElastiCacheClient({ region, requestHandler })),
    // A bucket answers in its own region; follow S3's redirect rather than failing with a 301.
    s3: (region) => memo(`s3:${region}`, () => new S3Client({ region, requestHandler, followRegionRedirects: true })),
    secrets: (region) => memo(`sm:${region}`, () => new SecretsManagerClient({ region, requestHandler })),
    call: () => ({ abortSignal: AbortSignal.timeout(timeoutMs) }),
  };
}

interface AwsError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The error's AWS code (`DBInstanceNotFound`, `NoSuchBucket`), or its name. */
export function errorCode(error: unknown): string {
  const e = error as AwsError;
  return e.Code ?? e.name ?? "Error";
}

export function isNotFound(error: unknown, ...codes: string[]): boolean {
  const code = errorCode(error);
  return codes.includes(code) || (codes.length === 0 && (error as AwsError).$metadata?.httpStatusCode === 404);
}

/**
 * Why a call could not answer, for a "could not check" finding. An endpoint that does not
 * implement an API (moto's DescribeDBEngineVersions answers 500 with an HTML page) is named as
 * such, so it is never mistaken for a pass.
 */
export function couldNotCheck(api: string, error: unknown, timeoutMs: number): string {
  const e = error as AwsError;
  const status = e.$metadata?.httpStatusCode;
  if (status === 501 || /not.?implemented/i.test(`${e.name} ${e.Code} ${e.message}`) || (status === 500 && /deserializ|parse/i.test(e.message ?? "")))
    return `${api} is not implemented by this endpoint`;
  if (e.name === "TimeoutError" || e.name === "AbortError") return `${api} did not answer within ${Math.round(timeoutMs / 1000)} s`;
  if (e.name === "CredentialsProviderError" || /credential/i.test(e.message ?? ""))
    return `${api}: no AWS credentials (export AWS_PROFILE for an account that can read production and its backups)`;
  return `${api}: ${errorCode(error)}: ${(e.message ?? String(error)).split("\n")[0]}`;
}
