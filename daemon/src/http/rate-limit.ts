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
