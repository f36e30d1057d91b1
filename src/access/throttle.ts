// Login throttling: after `maxFailures` failures for one username (or one client address) inside
// `windowMs`, further attempts are refused until the window has passed since the last failure.
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** True when another attempt for any of these keys must be refused now. */
  blocked(keys: string[]): boolean {
    return keys.some((k) => this.recent(k).length >= this.maxFailures);
  }

  fail(keys: string[]): void {
    for (const k of keys) this.failures.set(k, [...this.recent(k), this.now()]);
    if (this.failures.size > 100_000) this.failures.clear(); // bounded memory under a spray attack
  }

  succeed(keys: string[]): void {
    for (const k of keys) this.failures.delete(k);
  }
}
