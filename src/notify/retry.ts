// Delivery with retries: a relay or receiver that is briefly down must not lose a warning. The
// wait doubles after each failure (base, 2·base, 4·base …), so a flapping peer is not hammered.
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500 };

export interface Outcome {
  ok: boolean;
  attempts: number;
  error: string | null;
}

export async function withRetry(send: () => Promise<void>, policy: RetryPolicy = DEFAULT_RETRY): Promise<Outcome> {
  let error: string | null = null;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      await send();
      return { ok: true, attempts: attempt, error: null };
    } catch (e) {
      error = (e as Error).message ?? String(e);
      if (attempt < policy.attempts) await new Promise((r) => setTimeout(r, policy.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
  return { ok: false, attempts: policy.attempts, error };
}
