// The scan loop: walks the plan's permutation, skips block-listed and finished pairs, starts
// probes within the global rate (token bucket), the concurrency cap and one connection per device
// at a time, and reports each answering service as an observation.
import type { DeviceIdentity, Observation } from '../model/index.ts';
import { intToIpv4 } from '../net/index.ts';
import type { AddressSet } from './address-set.ts';
import { Checkpoint } from './checkpoint.ts';
import { shareOf, type Pair, type Plan } from './plan.ts';
import { probeFor, type Probe } from './probes/index.ts';
import { TokenBucket } from './rate.ts';
import { DeadlineSweep, TcpConn, TcpHandles, UdpEndpoint, type Conn } from './sockets.ts';
import { sweepPlan, type SweptPlan } from './syn/index.ts';
import { noTwinMapping, type PublicAddressOf } from './twin-address.ts';
import { scanWithWorkers, type ScanWorkers } from './workers.ts';

export interface ScanOptions {
  plan: Plan;
  /** New connections per second over the whole scan; 0 or Infinity for no limit. */
  rate?: number;
  /** Probes running at once. */
  concurrency?: number;
  /** Probes running at once against one address (1: at most one connection per device). */
  perDevice?: number;
  /** Per connect and per read. */
  timeoutMs?: number;
  /** Extra attempts after a connect or UDP read timed out. */
  retries?: number;
  /** Allow the probe steps whose table entry opts in to intrusive requests. */
  intrusive?: boolean;
  blocklist?: AddressSet | null;
  checkpoint?: Checkpoint;
  /** `source` of every observation. */
  source?: string;
  publicAddress?: PublicAddressOf;
  onObservation: (o: Observation) => void;
  /**
   * Write out every observation delivered so far. `positions` (finished since the last flush) are
   * committed to the checkpoint after it returns, or after its promise resolves (a batch posted
   * to the platform).
   */
  onFlush?: (positions: readonly number[]) => void | Promise<void>;
  signal?: AbortSignal;
  /**
   * Scanner threads: a number (a pool started for this scan and closed after it) or a pool
   * started beforehand (`ScanWorkers.start`). Each thread scans one share of the addresses
   * (`Plan.shareRanges`) with its part of the rate and of the concurrency; observations,
   * flushes and the checkpoint stay on the calling thread. 1 or unset: this thread scans.
   */
  workers?: number | ScanWorkers;
  /** Scan only the pairs whose address is in share `index` of `count` (what a worker thread runs). */
  share?: { index: number; count: number };
}

export interface ScanStats {
  pairs: number;
  /** Pairs finished in this run (answered, silent or block-listed). */
  finished: number;
  /** Pairs finished by an earlier run of a resumed scan. */
  resumed: number;
  blocked: number;
  answered: number;
  identified: number;
  closed: number;
  errors: number;
  /** Connects that failed for want of local resources (descriptors, ports) and were repeated. */
  busy: number;
  aborted: boolean;
  elapsedMs: number;
}

const SKIPS_PER_TURN = 65_536;
/** How often observations are written out and their positions committed (one thread or many). */
export const FLUSH_MS = 100;

/** A scan's counters before it starts. */
export function initialStats(plan: Plan, checkpoint: Checkpoint): ScanStats {
  return { pairs: plan.size, finished: 0, resumed: checkpoint.doneCount, blocked: 0, answered: 0, identified: 0, closed: 0, errors: 0, busy: 0, aborted: false, elapsedMs: 0 };
}

export function scan(opts: ScanOptions): Promise<ScanStats> {
  if (opts.workers !== undefined && (typeof opts.workers !== 'number' || opts.workers > 1)) return scanWithWorkers(opts);
  const plan = opts.plan;
  const share = opts.share && opts.share.count > 1 ? opts.share : null;
  const concurrency = Math.max(1, opts.concurrency ?? 256);
  const perDevice = Math.max(1, opts.perDevice ?? 1);
  const timeoutMs = opts.timeoutMs ?? 1500;
  const retries = opts.retries ?? 1;
  const checkpoint = opts.checkpoint ?? Checkpoint.memory();
  const source = opts.source ?? 'otscope-scan';
  const publicAddress = opts.publicAddress ?? noTwinMapping;
  const bucket = new TokenBucket(opts.rate ?? 0);
  const sweep = new DeadlineSweep(Math.max(5, Math.min(50, timeoutMs / 4)));
  const udp = new UdpEndpoint(sweep);
  const tcpHandles = new TcpHandles();
  const probes = plan.services.map((s) => probeFor(s.protocol, s.transport)!);
  const started = performance.now();
  const stats = initialStats(plan, checkpoint);

  let next = 0;
  let active = 0;
  let stopped = false;
  let wake: NodeJS.Timeout | undefined;
  let scheduled = false;
  const busy = new Map<number, number>();
  const waiting = new Map<number, number[]>();
  const ready: number[] = [];

  return new Promise<ScanStats>((resolve) => {
    const flushTimer = setInterval(() => void flush(), FLUSH_MS);

    function flush(): Promise<void> {
      return checkpoint.flush(opts.onFlush);
    }

    function end(aborted: boolean): void {
      if (stopped) return;
      stopped = true;
      stats.aborted = aborted;
      clearInterval(flushTimer);
      if (wake) clearTimeout(wake);
      sweep.stop();
      udp.close();
      tcpHandles.close();
      void flush().then(() => {
        stats.elapsedMs = performance.now() - started;
        resolve(stats);
      });
    }

    opts.signal?.addEventListener('abort', () => end(true), { once: true });
    if (opts.signal?.aborted) return end(true);

    function finishPosition(p: number): void {
      checkpoint.complete(p);
      stats.finished++;
    }

    /** Whether this thread scans the pair's address (always, unless the scan is shared). */
    const mine = (pair: Pair): boolean => !share || shareOf(pair.addressIndex, share.count) === share.index;

    /** The TCP pairs a SYN sweep found open; null: connect to every pair. */
    let swept: SweptPlan | null = null;

    /** The pair of the position `candidate` returned last, when it computed it. */
    let picked: Pair | null = null;

    /** The next position to start, or -1 when none is ready now. */
    function candidate(): number {
      picked = null;
      if (ready.length) return ready.shift()!;
      let skips = 0;
      while (next < plan.size) {
        const p = next++;
        if (checkpoint.isDone(p)) continue;
        const pair = plan.at(p);
        if (!mine(pair)) {
          // Another thread's pair: skipped.
        } else if (opts.blocklist?.has(pair.address)) {
          stats.blocked++;
          finishPosition(p);
        } else if (swept?.settled(p, pair)) {
          // The sweep's SYN drew a RST or nothing: closed, with no connect.
          stats.closed++;
          finishPosition(p);
        } else if ((busy.get(pair.address) ?? 0) >= perDevice) {
          const q = waiting.get(pair.address);
          if (q) q.push(p);
          else waiting.set(pair.address, [p]);
          continue;
        } else {
          picked = pair;
          return p;
        }
        // Skipped without a probe: yield now and then so a stop is heard.
        if (++skips >= SKIPS_PER_TURN) {
          schedule(0);
          return -1;
        }
      }
      return -1;
    }

    function schedule(ms: number): void {
      if (scheduled) return;
      scheduled = true;
      wake = setTimeout(() => {
        scheduled = false;
        pump();
      }, ms);
    }

    function pump(): void {
      if (stopped) return;
      while (active < concurrency) {
        const p = candidate();
        if (p < 0) break;
        if (!bucket.take()) {
          ready.unshift(p);
          schedule(bucket.wait());
          return;
        }
        start(p, picked ?? plan.at(p));
      }
      if (active === 0 && ready.length === 0 && next >= plan.size && !scheduled) end(false);
    }

    function start(p: number, pair: Pair): void {
      active++;
      busy.set(pair.address, (busy.get(pair.address) ?? 0) + 1);
      const probe = probes[pair.serviceIndex];
      run(probe, pair.address, pair.service.port)
        .catch(() => {
          stats.errors++;
        })
        .then(() => {
          if (stopped) return;
          finishPosition(p);
          active--;
          const left = (busy.get(pair.address) ?? 1) - 1;
          if (left) busy.set(pair.address, left);
          else busy.delete(pair.address);
          const q = waiting.get(pair.address);
          if (q) {
            ready.push(q.shift()!);
            if (!q.length) waiting.delete(pair.address);
          }
          pump();
        });
    }

    async function open(address: string, probe: Probe, port: number): Promise<Conn | null> {
      if (probe.transport === 'udp') return udp.conn(address, port, timeoutMs, retries);
      for (let attempt = 0; attempt <= retries; attempt++) {
        const c = new TcpConn(address, port, sweep, timeoutMs, tcpHandles);
        const outcome = await c.connect();
        if (outcome === 'open') return c;
        c.close();
        if (outcome === 'refused') return null;
        if (outcome === 'busy') {
          // Not the target's doing: wait for other probes to release what ran out, then again.
          stats.busy++;
          await new Promise((r) => setTimeout(r, 20));
          attempt--;
        }
      }
      return null;
    }

    async function run(probe: Probe, addressInt: number, port: number): Promise<void> {
      const address = intToIpv4(addressInt);
      const conn = await open(address, probe, port);
      if (!conn) {
        stats.closed++;
        return;
      }
      let result;
      try {
        result = await probe.run(conn, {
          intrusive: Boolean(opts.intrusive && probe.intrusive?.optIn),
          reopen: () => open(address, probe, port),
        });
      } finally {
        conn.close();
      }
      if (!result || stopped) return;
      stats.answered++;
      if (result.identity) stats.identified++;
      opts.onObservation(observation(address, probe, port, result.identity));
    }

    function observation(address: string, probe: Probe, port: number, identity: DeviceIdentity | null): Observation {
      const mapped = publicAddress(address);
      const o: Observation = {
        ip: mapped ?? address,
        port,
        transport: probe.transport,
        protocol: probe.protocol,
        observedAt: new Date().toISOString(),
        source,
      };
      if (identity) o.identity = identity;
      if (mapped) o.via = address;
      return o;
    }

    // The sweep visits what candidate() would start: not finished, not block-listed, this share's.
    const visits = (p: number, pair: Pair): boolean =>
      !checkpoint.isDone(p) && mine(pair) && !opts.blocklist?.has(pair.address);
    void sweepPlan(plan, { visits, timeoutMs, retries, bucket, signal: opts.signal }).then((s) => {
      swept = s;
      pump();
    });
  });
}
