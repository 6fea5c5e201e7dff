/**
 * Counts failures per key in a fixed window; once a key exceeds `limit`, it is refused until the window ends.
 * In memory on purpose: it guards against online guessing, and a restart costs an attacker a full start-up.
 */
export function failureLimiter(limit: number, windowSeconds: number, clock: () => number) {
  const windows = new Map<string, { start: number; count: number }>();
  const current = (key: string) => {
    const now = clock();
    const w = windows.get(key);
    if (w && now - w.start < windowSeconds) return w;
    const fresh = { start: now, count: 0 };
    windows.set(key, fresh);
    if (windows.size > 10_000) windows.clear(); // bounded memory; worst case a reset of counters
    return fresh;
  };
  return {
    /** Seconds to wait, or 0 when the key may try. */
    retryAfter(key: string): number {
      const w = current(key);
      return w.count >= limit ? Math.max(1, windowSeconds - (clock() - w.start)) : 0;
    },
    fail(key: string): void {
      current(key).count++;
    },
  };
}
export type FailureLimiter = ReturnType<typeof failureLimiter>;

/**
 * A token bucket per key: up to `capacity` at once, refilled at `perSecond`. In memory; at most `maxKeys`
 * buckets (beyond that all are forgotten, which only ever grants a fresh burst).
 */
export function tokenBucket(capacity: number, perSecond: number, clock: () => number, maxKeys = 10_000) {
  if (!(capacity >= 1) || !(perSecond >= 0)) throw new TypeError('tokenBucket: capacity must be >= 1 and perSecond >= 0');
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    /** True (and one token spent) when the key may act now. */
    take(key: string): boolean {
      const now = clock();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) buckets.clear();
        b = { tokens: capacity, at: now };
        buckets.set(key, b);
      }
      b.tokens = Math.min(capacity, b.tokens + Math.max(0, now - b.at) * perSecond);
      b.at = now;
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
export type TokenBucket = ReturnType<typeof tokenBucket>;
