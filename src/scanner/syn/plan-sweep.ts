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
    private readonly swept: Uint8Array,
    private readonly open: ReadonlySet<number>,
    readonly stats: SweepStats,
  ) {}

  /** Whether the sweep settled this pair as not open (its TCP probe would only find it closed). */
  settled(p: number, pair: Pair): boolean {
    return ((this.swept[p >> 3] >> (p & 7)) & 1) === 1 && !this.open.has(key(pair.address, pair.service.port));
  }
}

const key = (address: number, port: number): number => address * 65536 + port;

/**
 * Plans larger than this are scanned without the sweep: it lists its pairs up front, about 40
 * bytes each with the native side's tables (a /16 with all 13 probes is 852k positions).
 */
export const MAX_SWEEP_POSITIONS = 1 << 21;

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
  if (!plan.services.some((s) => s.transport === 'tcp') || plan.size > MAX_SWEEP_POSITIONS) return null;
  // A position is settled only if it was in this sweep: one finished or skipped since is not its business.
  const swept = new Uint8Array((plan.size + 7) >> 3);
  const pairs = new Uint32Array(plan.size * 2);
  let n = 0;
  for (let p = 0; p < plan.size; p++) {
    const pair = plan.at(p);
    if (pair.service.transport !== 'tcp' || !opts.visits(p, pair)) continue;
    swept[p >> 3] |= 1 << (p & 7);
    pairs[n++] = pair.address;
    pairs[n++] = pair.service.port;
  }
  const open = new Set<number>();
  try {
    const sweep = synSweep(pairs.subarray(0, n), opts);
    for await (const batch of sweep) {
      for (let i = 0; i < batch.length; i += 2) open.add(key(batch[i], batch[i + 1]));
    }
    const stats = await sweep.done;
    if (opts.signal?.aborted) return null;
    return new SweptPlan(swept, open, stats);
  } catch {
    return null; // the socket failed mid-sweep: every pair is connected to instead
  }
}
