/**
 * The frequency limit: at most `limit` calls per rolling second per key (app and API). The
 * in-process limiter below serves one process; the leased limiter (rate-limit-leased.ts) lets
 * several processes or nodes share one budget.
 */
export interface RateLimiter {
  /** Counts a call and answers whether it is within the limit; a refused call is not counted. */
  allow(key: string, limit: number, nowMs: number): boolean | Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A sliding log kept as a ring of the last `limit` call times per key: a call is allowed when the
 * oldest of those is more than a second old. O(1) per call, `limit` numbers per key.
 */
export function createMemoryRateLimiter(): RateLimiter {
  const rings = new Map<string, { times: Float64Array; next: number }>();
  return {
    allow(key, limit, nowMs) {
      if (limit <= 0) return true;
      let ring = rings.get(key);
      if (ring === undefined || ring.times.length !== limit) {
        ring = { times: new Float64Array(limit).fill(-Infinity), next: 0 };
        rings.set(key, ring);
      }
      const oldest = ring.times[ring.next] ?? -Infinity;
      if (nowMs - oldest < 1000) return false;
      ring.times[ring.next] = nowMs;
      ring.next = (ring.next + 1) % limit;
      return true;
    },
    close() {
      rings.clear();
      return Promise.resolve();
    },
  };
}
