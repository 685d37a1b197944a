import type { SmokeTest } from "../../stacks/schema";
import type { Check } from "../types";
import { errorMessage } from "../../scripts/lib/errors";

export interface ServiceTarget {
  readonly name: string;
  /** Base URL of the restored service, from the outputs. */
  readonly url: string;
  readonly healthPath: string;
  readonly timeoutMs: number;
}

const join = (base: string, path: string): string => `${base.replace(/\/+$/, "")}${path}`;

function timedOut(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === "TimeoutError" || name === "AbortError";
}

/** Seed 004's checklist: every service health endpoint returns 200 OK. */
export function healthCheck(t: ServiceTarget): Check {
  const url = join(t.url, t.healthPath);
  return {
    name: "service.health",
    target: t.name,
    group: "services",
    // A little over the HTTP timeout, so the HTTP timeout's clearer message wins.
    timeoutMs: t.timeoutMs + 1000,
    async run(signal) {
      const started = Date.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(t.timeoutMs)]) });
        await res.body?.cancel();
        return res.status === 200
          ? { ok: true, detail: `GET ${url} → 200 in ${Date.now() - started} ms` }
          : { ok: false, detail: `GET ${url} → ${res.status}, expected 200` };
      } catch (error) {
        if (timedOut(error)) return { ok: false, detail: `GET ${url}: no answer within ${t.timeoutMs} ms` };
        return { ok: false, detail: `GET ${url}: ${describe(error)}` };
      }
    },
  };
}

export interface SmokeTarget {
  readonly test: SmokeTest;
  readonly gatewayUrl: string;
  readonly timeoutMs: number;
}

/** The runbook's smoke requests, through the gateway like real traffic. */
export function smokeCheck({ test, gatewayUrl, timeoutMs }: SmokeTarget): Check {
  const url = join(gatewayUrl, test.path);
  const what = `${test.method} ${test.path}`;
  return {
    name: "smoke.request",
    target: test.name,
    group: "smoke",
    timeoutMs: timeoutMs + 1000,
    async run(signal) {
      const started = Date.now();
      try {
        const res = await fetch(url, {
          method: test.method,
          // The request body may carry a test account's password: sent, never printed.
          body: test.body,
          headers: test.body !== undefined ? { "content-type": looksLikeJson(test.body) ? "application/json" : "text/plain" } : undefined,
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        // The response may hold a token: only whether it contains the expected text is reported.
        const body = await res.text();
        const ms = Date.now() - started;
        if (res.status !== test.expectStatus) return { ok: false, detail: `${what} → ${res.status}, expected ${test.expectStatus}` };
        if (test.bodyContains !== undefined && !body.includes(test.bodyContains))
          return { ok: false, detail: `${what} → ${res.status}, but the body lacks ${JSON.stringify(test.bodyContains)}` };
        return { ok: true, detail: `${what} → ${res.status}${test.bodyContains !== undefined ? `, body has ${JSON.stringify(test.bodyContains)}` : ""} in ${ms} ms` };
      } catch (error) {
        if (timedOut(error)) return { ok: false, detail: `${what}: no answer within ${timeoutMs} ms` };
        return { ok: false, detail: `${what}: ${describe(error)}` };
      }
    },
  };
}

function looksLikeJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** fetch says "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND) is in its cause. */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorMessage(error);
}
