// Global rate limit on new connections (token bucket): `rate` tokens a second, bursts of at
// most 50 ms worth, so a scan never spikes above what the operator allowed.
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(private readonly rate: number, now = performance.now()) {
    this.burst = Number.isFinite(rate) && rate > 0 ? Math.max(1, rate / 20) : Infinity;
    this.tokens = Math.min(this.burst, 1);
    this.last = now;
  }

  get unlimited(): boolean {
    return this.burst === Infinity;
  }

  /** Takes one token when there is one. */
  take(now = performance.now()): boolean {
    if (this.unlimited) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is due. */
  wait(): number {
    return this.unlimited ? 0 : Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
  }
}
