// A stateless SYN sweep, as masscan, zmap and nmap -sS do it: one SYN per (address, port) pair
// from a raw socket, its sequence number a keyed hash of the 4-tuple, so a SYN-ACK or RST proves
// which SYN it answers without a record of what was sent; the kernel answers each SYN-ACK with
// a RST, so no connection is ever made. A closed pair costs a SYN and a RST through the kernel,
// not a socket, a connect and a handle. The native half runs on its own thread; this side
// meters its SYNs through the scan's token bucket and hands out the open pairs as they come.
import type { TokenBucket } from '../rate.ts';
import { loadAddon, type NativeSweep, type SweepEvent, type SweepStats } from './addon.ts';

export type Availability = { ok: true } | { ok: false; reason: string };

let available: Availability | undefined;

/**
 * Whether the sweep can run here: the addon is built, this process may open raw sockets, and
 * OTSCOPE_SYN_SWEEP is not `off` (which leaves every scan, on every thread, on its connect path).
 */
export function synSweepAvailable(): Availability {
  if (process.env.OTSCOPE_SYN_SWEEP === 'off') return { ok: false, reason: 'turned off (OTSCOPE_SYN_SWEEP=off)' };
  if (available) return available;
  const loaded = loadAddon();
  if (!loaded.ok) return (available = { ok: false, reason: loaded.reason });
  const err = loaded.addon.probe();
  available = err ? { ok: false, reason: `no raw socket (${err}): the sweep needs CAP_NET_RAW` } : { ok: true };
  return available;
}

export interface SweepOptions {
  /** Wait after a round's last SYN for the answers, before the silent pairs are tried again. */
  timeoutMs: number;
  /** Rounds after the first, each to the pairs still silent. */
  retries: number;
  /** The scan's global rate: every SYN, retransmissions included, takes one token. None: no limit. */
  bucket?: TokenBucket;
  signal?: AbortSignal;
}

export interface Sweep extends AsyncIterable<Uint32Array> {
  /** The TCP port every SYN of this sweep is sent from. */
  readonly sourcePort: number;
  /** Settles when the sweep has ended; rejects when its socket failed. */
  readonly done: Promise<SweepStats>;
  stop(): void;
}

const METER_MS = 5;

/**
 * Sweeps `pairs` (address, port, address, port, … as unsigned integers, in sending order) and
 * yields the open ones in batches of the same layout. It sends to these pairs and no others:
 * scope is the caller's to enforce (checkScope) before the pairs are made.
 */
export function synSweep(pairs: Uint32Array, opts: SweepOptions): Sweep {
  const loaded = loadAddon();
  if (!loaded.ok) throw new Error(`SYN sweep unavailable: ${loaded.reason}`);
  const batches: Uint32Array[] = [];
  let wakeReader: (() => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  let settle!: { resolve: (s: SweepStats) => void; reject: (e: Error) => void };
  const done = new Promise<SweepStats>((resolve, reject) => (settle = { resolve, reject }));
  // A caller that only iterates still learns of a failure from the iterator.
  done.catch(() => undefined);

  let meter: NodeJS.Timeout | undefined;
  const onAbort = (): void => handle.stop();
  const finish = (): void => {
    ended = true;
    if (meter) clearInterval(meter);
    opts.signal?.removeEventListener('abort', onAbort);
    wakeReader?.();
  };
  const handle: NativeSweep = loaded.addon.start(pairs, Math.max(0, Math.round(opts.timeoutMs)), Math.max(0, opts.retries | 0), (kind, data) => {
    const ev = { kind, ...(kind === 'open' ? { pairs: data } : kind === 'done' ? { stats: data } : { message: data }) } as SweepEvent;
    if (ev.kind === 'open') {
      batches.push(ev.pairs);
      wakeReader?.();
    } else if (ev.kind === 'done') {
      finish();
      settle.resolve(ev.stats);
    } else {
      failure = new Error(`SYN sweep failed: ${ev.message}`);
      finish();
      settle.reject(failure);
    }
  });

  const bucket = opts.bucket;
  if (!bucket || bucket.unlimited) handle.grant(Infinity);
  else {
    // Tokens are taken only for SYNs the sweep is ready to send, so none is held back from the
    // scan's connections while the sweep waits for answers.
    const give = (): void => {
      let want = handle.wanted();
      let n = 0;
      while (want-- > 0 && bucket.take()) n++;
      if (n) handle.grant(n);
    };
    give();
    meter = setInterval(give, METER_MS);
  }
  if (opts.signal?.aborted) handle.stop();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    sourcePort: handle.sourcePort,
    done,
    stop: () => handle.stop(),
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = batches.shift();
        if (next) {
          yield next;
          continue;
        }
        if (failure) throw failure;
        if (ended) return;
        await new Promise<void>((r) => (wakeReader = r));
        wakeReader = null;
      }
    },
  };
}
