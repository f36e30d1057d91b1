// Login throttling: after too many failures for one key inside `windowMs`, further attempts are
// refused until the window has passed since the last failure. Keys are `u:<username>` (guessing one
// account: few tries) and `ip:<address>` (spraying many accounts: more tries, since a whole office
// may sit behind one address).
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxFailuresPerAddress = 30,
  ) {}

  private limit(key: string): number {
    return key.startsWith('ip:') ? this.maxFailuresPerAddress : this.maxFailures;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** True when another attempt for any of these keys must be refused now. */
  blocked(keys: string[]): boolean {
    return keys.some((k) => this.recent(k).length >= this.limit(k));
  }

  fail(keys: string[]): void {
    for (const k of keys) this.failures.set(k, [...this.recent(k), this.now()]);
    if (this.failures.size > 100_000) this.failures.clear(); // bounded memory under a spray attack
  }

  /** A good log-in forgets the account's failures, not the address's: one valid account must not reset a spray. */
  succeed(keys: string[]): void {
    for (const k of keys) if (!k.startsWith('ip:')) this.failures.delete(k);
  }
}
