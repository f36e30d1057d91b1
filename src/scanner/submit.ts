// `--submit URL --token T`: observations posted to the platform's POST /api/v1/observations in
// batches of at most 1000, one request at a time, in order.
import type { Observation } from '../model/index.ts';

export const SUBMIT_BATCH = 1000;

export interface SubmitStats {
  batches: number;
  accepted: number;
  rejected: number;
  failed: number;
}

export class Submitter {
  private buffer: Observation[] = [];
  private chain: Promise<void> = Promise.resolve();
  readonly stats: SubmitStats = { batches: 0, accepted: 0, rejected: 0, failed: 0 };
  private readonly url: string;

  constructor(base: string, private readonly token: string) {
    this.url = new URL('/api/v1/observations', base).toString();
  }

  add(o: Observation): void {
    this.buffer.push(o);
  }

  /** Posts everything added so far; resolves when it is accepted, rejects when a batch failed. */
  flush(): Promise<void> {
    const items = this.buffer;
    this.buffer = [];
    const batches: Observation[][] = [];
    for (let i = 0; i < items.length; i += SUBMIT_BATCH) batches.push(items.slice(i, i + SUBMIT_BATCH));
    const run = this.chain.then(async () => {
      for (const b of batches) await this.post(b);
    });
    // A failed batch fails its own flush only; later flushes still try.
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async post(batch: Observation[]): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ observations: batch }),
    });
    this.stats.batches++;
    if (!res.ok) {
      this.stats.failed += batch.length;
      throw new Error(`POST ${this.url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    }
    const body = (await res.json()) as { accepted?: number; rejected?: unknown[] };
    this.stats.accepted += body.accepted ?? 0;
    this.stats.rejected += body.rejected?.length ?? 0;
  }
}

/** An enterprise's registered networks, read from the platform (GET /api/v1/enterprises/:id/networks). */
export async function enterpriseNetworks(base: string, token: string, id: string): Promise<string[]> {
  const url = new URL(`/api/v1/enterprises/${encodeURIComponent(id)}/networks`, base).toString();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const body = (await res.json()) as { items?: Array<{ cidr?: string }> };
  return (body.items ?? []).flatMap((n) => (typeof n.cidr === 'string' ? [n.cidr] : []));
}
