/**
 * Requests per second per portal key: a token bucket that holds one second's worth of requests
 * and refills continuously. In memory, per portal instance: behind a load balancer each instance
 * allows its own rate (docs/portal.md says so). Time comes from the caller, so tests need no sleep.
 */
export class RateLimiter {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();

  constructor(private readonly perSecond: number) {
    if (!Number.isFinite(perSecond) || perSecond <= 0) throw new Error('requests per second must be above 0');
  }

  /** Take one request for a key at `nowMs`: 0 if allowed, else the seconds to wait (at least 1). */
  take(keyId: number, nowMs: number): number {
    const b = this.buckets.get(keyId) ?? { tokens: this.perSecond, at: nowMs };
    b.tokens = Math.min(this.perSecond, b.tokens + ((nowMs - b.at) / 1000) * this.perSecond);
    b.at = nowMs;
    this.buckets.set(keyId, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }
}
