import pRetry, { AbortError } from "p-retry";

/** How hard we retry: S3 asks clients to back off on 503 SlowDown; a few seconds usually clears it. */
export interface RetryOptions {
  readonly retries?: number;
  readonly minTimeoutMs?: number;
  readonly maxTimeoutMs?: number;
  /** Called before each retry, for the summary's retry count. */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

const TRANSIENT_CODES = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestTimeout",
  "RequestTimeTooSkewed",
  "InternalError",
  "ServiceUnavailable",
  "RequestLimitExceeded",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
  "ECONNABORTED",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

interface ErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Throttling, 5xx and dropped connections are worth retrying; a 4xx (AccessDenied, NoSuchKey)
 * will fail the same way again, so it goes straight to the summary as a permanent error.
 */
export function isTransient(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as ErrorShape;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (status === 429) return true;
  if (e.$retryable) return true;
  for (const code of [e.name, e.code, e.Code]) if (code && TRANSIENT_CODES.has(code)) return true;
  return false;
}

/**
 * Runs one S3 call with exponential backoff on transient errors. The SDK retries a little by
 * itself; this outer layer rides out longer throttling bursts (seed 004's bulk sync hits them).
 */
export function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await operation();
      } catch (error) {
        if (!isTransient(error)) throw new AbortError(error instanceof Error ? error : String(error));
        throw error;
      }
    },
    {
      retries: options.retries ?? 6,
      minTimeout: options.minTimeoutMs ?? 200,
      maxTimeout: options.maxTimeoutMs ?? 10_000,
      randomize: true,
      onFailedAttempt: (error) => options.onRetry?.(error, error.attemptNumber),
    },
  );
}
