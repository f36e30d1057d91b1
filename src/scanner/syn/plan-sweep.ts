// The scanner's use of the sweep: before any connection, every TCP pair the scan will visit is
// swept; afterwards a pair the sweep found closed or silent is finished without a connect, and
// only the open ones get their identification probe. When the sweep cannot run here (no addon,
// no CAP_NET_RAW) or fails, the scan connects to every pair as before.
import type { Pair, Plan } from '../plan.ts';
import type { TokenBucket } from '../rate.ts';
import type { SweepStats } from './addon.ts';
import { synSweep, synSweepAvailable } from './sweep.ts';

export class SweptPlan {
  constructor(
    private readonly open: ReadonlySet<number>,
    private readonly swept: (p: number, pair: Pair) => boolean,
    readonly stats: SweepStats,
  ) {}

  /** Whether the sweep settled this pair as not open (its TCP probe would only find it closed). */
  settled(p: number, pair: Pair): boolean {
    return this.swept(p, pair) && !this.open.has(key(pair.address, pair.service.port));
  }
}

const key = (address: number, port: number): number => address * 65536 + port;

export interface PlanSweepOptions {
  /** Whether position p is visited by this scan (not finished by an earlier run, not block-listed, this thread's). */
  visits: (p: number, pair: Pair) => boolean;
  timeoutMs: number;
  retries: number;
  bucket?: TokenBucket;
  signal?: AbortSignal;
}

/** Sweeps the plan's TCP pairs in the plan's own order; null when the sweep is not used. */
export async function sweepPlan(plan: Plan, opts: PlanSweepOptions): Promise<SweptPlan | null> {
  if (!synSweepAvailable().ok) return null;
  if (!plan.services.some((s) => s.transport === 'tcp')) return null;
  const pairs: number[] = [];
  for (let p = 0; p < plan.size; p++) {
    const pair = plan.at(p);
    if (pair.service.transport === 'tcp' && opts.visits(p, pair)) pairs.push(pair.address, pair.service.port);
  }
  // A pair is settled only if it was in this sweep: one finished or skipped since is not its business.
  const listed = new Set<number>();
  for (let i = 0; i < pairs.length; i += 2) listed.add(key(pairs[i], pairs[i + 1]));
  const swept = (_p: number, pair: Pair): boolean => pair.service.transport === 'tcp' && listed.has(key(pair.address, pair.service.port));
  const open = new Set<number>();
  try {
    const sweep = synSweep(Uint32Array.from(pairs), opts);
    for await (const batch of sweep) {
      for (let i = 0; i < batch.length; i += 2) open.add(key(batch[i], batch[i + 1]));
    }
    const stats = await sweep.done;
    if (opts.signal?.aborted) return null;
    return new SweptPlan(open, swept, stats);
  } catch {
    return null; // the socket failed mid-sweep: every pair is connected to instead
  }
}
