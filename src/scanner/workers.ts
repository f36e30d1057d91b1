// A scan spread over worker threads. The target space is dealt out by address
// (`Plan.shareRanges`): each thread walks the same keyed permutation and probes only the pairs of
// its own share, so every pair is probed by exactly one thread, one connection per device stays a
// thread's own bookkeeping, and a thread's addresses are a list of ranges it could sweep first.
// The global rate and the concurrency are split evenly. Observations and finished positions come
// back to the calling thread, which alone writes output, posts to the platform and commits the
// checkpoint, so a killed scan resumes exactly as a single-thread one does (any number of threads).
import { Worker } from 'node:worker_threads';
import type { Observation } from '../model/index.ts';
import type { Range } from './address-set.ts';
import { Checkpoint, type DonePositions } from './checkpoint.ts';
import type { Service } from './ports.ts';
import { FLUSH_MS, initialStats, type ScanOptions, type ScanStats } from './scanner.ts';
import { noTwinMapping, twinMapping } from './twin-address.ts';

/** A scan for one thread: plain data, since it crosses to another isolate. */
export interface WorkerJob {
  kind: 'scan';
  ranges: Range[];
  services: Service[];
  key: number;
  share: { index: number; count: number };
  done: DonePositions;
  rate: number;
  concurrency: number;
  perDevice: number;
  timeoutMs?: number;
  retries?: number;
  intrusive: boolean;
  blocklist: Range[] | null;
  source?: string;
  twinMap: boolean;
}
export type ToWorker = WorkerJob | { kind: 'stop' };
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'batch'; observations: Observation[]; positions: number[] }
  | { kind: 'end'; stats: ScanStats };

/**
 * A scan keeps a thousand probes' objects alive across every scavenge; a young generation larger
 * than V8's default makes scavenges rarer (5,000-device twin, second scan on warm threads: 7
 * instead of 13 per thread, 65-70 instead of ~170 ms of pauses).
 */
const YOUNG_GENERATION_MB = 64;

/**
 * The thread runs TypeScript: tsx's loader is registered inside it first (a worker does not
 * inherit the hooks its parent registered, nor `--import tsx`).
 */
function bootstrap(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
}

/** Scanner threads, started (and their modules loaded) before a scan needs them; one scan at a time. */
export class ScanWorkers {
  private busy = false;
  private exited = false;

  private constructor(private readonly threads: Worker[]) {}

  static async start(count: number): Promise<ScanWorkers> {
    const code = bootstrap();
    const threads = Array.from({ length: Math.max(1, Math.floor(count)) }, () => new Worker(code, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }));
    const pool = new ScanWorkers(threads);
    try {
      await Promise.all(threads.map((t) => new Promise<void>((resolve, reject) => {
        const failed = (e: unknown): void => {
          t.off('message', ready);
          reject(e instanceof Error ? e : new Error(`scanner thread exited with ${String(e)} while starting`));
        };
        const ready = (): void => {
          t.off('error', failed);
          t.off('exit', failed);
          resolve();
        };
        t.once('message', ready);
        t.once('error', failed);
        t.once('exit', failed);
      })));
    } catch (e) {
      await pool.close();
      throw e;
    }
    // Not removeAllListeners: Worker keeps its own listeners on itself (port referencing).
    for (const t of threads) {
      t.on('error', () => undefined); // reported to the scan running on it, through 'exit'
      t.once('exit', () => (pool.exited = true));
    }
    return pool;
  }

  get size(): number {
    return this.threads.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }

  /** Runs one scan on every thread; see `scan`. */
  async scan(opts: ScanOptions): Promise<ScanStats> {
    if (this.busy) throw new Error('these scanner threads are already running a scan');
    if (this.exited) throw new Error('a scanner thread of this pool has exited');
    this.busy = true;
    try {
      return await run(this.threads, opts);
    } finally {
      this.busy = false;
    }
  }
}

/** `scan` with `workers`: on the given pool, or on one started for this scan and closed after it. */
export async function scanWithWorkers(opts: ScanOptions): Promise<ScanStats> {
  if (typeof opts.workers !== 'number') return opts.workers!.scan(opts);
  const started = performance.now();
  const pool = await ScanWorkers.start(opts.workers);
  try {
    const stats = await pool.scan(opts);
    stats.elapsedMs = performance.now() - started;
    return stats;
  } finally {
    await pool.close();
  }
}

function twinMapOf(opts: ScanOptions): boolean {
  const f = opts.publicAddress ?? noTwinMapping;
  if (f === twinMapping) return true;
  if (f === noTwinMapping) return false;
  // A function cannot cross to another thread; the two the scanner knows can, by name.
  throw new Error('a scan over worker threads reports addresses with twinMapping or noTwinMapping only');
}

function run(pool: Worker[], opts: ScanOptions): Promise<ScanStats> {
  const plan = opts.plan;
  const checkpoint = opts.checkpoint ?? Checkpoint.memory();
  // No more threads than probes allowed at once, so the concurrency cap holds in sum.
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 256));
  const threads = pool.slice(0, Math.min(pool.length, concurrency));
  const n = threads.length;
  const rate = opts.rate && Number.isFinite(opts.rate) && opts.rate > 0 ? opts.rate / n : 0;
  const base = {
    ranges: plan.addresses.ranges.map((r) => ({ start: r.start, end: r.end })),
    services: [...plan.services],
    key: plan.key,
    done: checkpoint.done(),
    rate,
    perDevice: opts.perDevice ?? 1,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    intrusive: Boolean(opts.intrusive),
    blocklist: opts.blocklist ? opts.blocklist.ranges.map((r) => ({ start: r.start, end: r.end })) : null,
    source: opts.source,
    twinMap: twinMapOf(opts),
  };
  const started = performance.now();
  const stats = initialStats(plan, checkpoint);

  return new Promise<ScanStats>((resolve) => {
    let live = n;
    let stopping = false;
    const flushTimer = setInterval(() => void flush(), FLUSH_MS);

    function flush(): Promise<void> {
      return checkpoint.flush(opts.onFlush);
    }

    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      for (const t of threads) t.postMessage({ kind: 'stop' } satisfies ToWorker);
    };
    opts.signal?.addEventListener('abort', stop, { once: true });

    const ended = (s: ScanStats | null): void => {
      if (s) {
        for (const k of ['finished', 'blocked', 'answered', 'identified', 'closed', 'errors', 'busy'] as const) stats[k] += s[k];
        if (s.aborted) stats.aborted = true;
      } else {
        // The thread died: its unfinished pairs stay open, and the others stop too, so the
        // scan ends as interrupted and a resumed one redoes exactly what is missing.
        stats.aborted = true;
        stop();
      }
      if (--live) return;
      clearInterval(flushTimer);
      opts.signal?.removeEventListener('abort', stop);
      if (stopping) stats.aborted = true;
      void flush().then(() => {
        stats.elapsedMs = performance.now() - started;
        resolve(stats);
      });
    };

    threads.forEach((t, index) => {
      let done = false;
      const finish = (s: ScanStats | null): void => {
        if (done) return;
        done = true;
        t.off('message', onMessage);
        t.off('exit', onExit);
        ended(s);
      };
      const onMessage = (m: FromWorker): void => {
        if (m.kind === 'batch') {
          for (const o of m.observations) opts.onObservation(o);
          for (const p of m.positions) checkpoint.complete(p);
        } else if (m.kind === 'end') finish(m.stats);
      };
      const onExit = (): void => finish(null);
      t.on('message', onMessage);
      t.on('exit', onExit);
      // The cap dealt out exactly: the first concurrency % n threads take one more.
      const own = Math.floor(concurrency / n) + (index < concurrency % n ? 1 : 0);
      t.postMessage({ kind: 'scan', ...base, concurrency: own, share: { index, count: n } } satisfies ToWorker);
    });
    if (opts.signal?.aborted) stop();
  });
}
