/**
 * The drill's one clock, in milliseconds: the drill times its phases on it, the fake engine waits on
 * it. The CLI and the end-to-end test use the system's; the other tests a virtual one, where time
 * jumps and nothing sleeps.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms` on this clock, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

export function virtualClock(start = Date.parse("2026-01-15T09:00:00Z")): Clock & { advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => void (t += ms),
    sleep: async (ms) => {
      t += Math.max(0, ms);
      // let other work (signal handlers, progress) run, as a real wait would
      await new Promise((r) => setImmediate(r));
    },
  };
}
