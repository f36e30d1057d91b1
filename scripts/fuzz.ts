// Mutation fuzzer for every registered protocol (issue 3, "Robustness"). Seeds are the PDUs the
// analyzer decodes from the corpus (reference/corpus/pcap) plus each protocol folder's fixtures;
// each input is a seed after 1-4 mutations (bit flips, byte sets, inserts, deletes, length-field
// extremes, splices with another protocol's PDU, truncations). Every input goes through `parse`
// in both directions with a fresh FlowState and with one reused for the whole run (and the
// protocol's tally first, on the same state), `recognize` on both transports, and `fields`,
// `identify` and `encode` on what parses.
//
// A finding is: a throw; an input slower than the per-input budget twice in a row (a hang); a
// result that claims more than it has (`consumed` past the input, `needed` not past it or beyond
// LIMITS.maxPdu); a modified input; heap that keeps growing (checked after a forced GC at every
// checkpoint); a worker that stops making progress or dies (out of memory). Each is written to
// the output folder as <protocol>-<kind>-<index>.bin with a .json beside it.
//
// The loop runs in a worker thread so a hang or an allocation blow-up can be caught and the run
// carried on past it. Inputs are derived from (seed, protocol, index) alone, so a run is
// reproducible and `--resume` continues from the state file written at every checkpoint.
//   node --expose-gc --import tsx scripts/fuzz.ts [--inputs 1000000] [--seed 1] [--protocols modbus,dnp3]
//        [--budget-ms 200] [--out .otscope/fuzz] [--resume] [--replay file.bin --protocol name]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TALLY_PARSE, type Direction, type FlowState, type Message, type Parsed, type Protocol, type Tally } from '../src/protocols/index.ts';
import { allFixtures, corpusCaptures } from '../src/protocols/all-fixtures.ts';
import { mulberry32 } from '../src/model/index.ts';

/** Where the fuzzer's tally calls count: nowhere (only their outcome is checked). */
const tallySink: Tally = { own: false, flawed: false, add() {}, addText() {} };

/** Mutated inputs are capped here; the corpus' largest PDUs (OPC UA) are about 13 KB. */
const MAX_INPUT = 1 << 16;
/** Inputs between checkpoints (progress line, state file, heap check). */
const CHECKPOINT = 20_000;
/** Retained heap may grow this much over a protocol's run before it counts as unbounded. */
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;
/** Seeds kept per protocol from the corpus (deduplicated, spread over the corpus). */
const SEEDS_PER_PROTOCOL = 3_000;

interface Options {
  inputs: number;
  seed: number;
  protocols: string[] | null;
  budgetMs: number;
  out: string;
  resume: boolean;
  stallMs: number;
}

interface Totals {
  inputs: number;
  done: number;
  incomplete: number;
  notMine: number;
  throws: number;
  hangs: number;
  allocation: number;
  other: number;
  cpuSeconds: number;
}

type Finding = { protocol: string; index: number; kind: string; detail: string; bytes: Uint8Array; direction?: Direction };

function options(argv: string[]): Options {
  const val = (name: string, dflt: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
  };
  const list = val('protocols', '');
  return {
    inputs: Number(val('inputs', '1000000')),
    seed: Number(val('seed', '1')) >>> 0,
    protocols: list ? list.split(',') : null,
    budgetMs: Number(val('budget-ms', '200')),
    out: val('out', '.otscope/fuzz'),
    resume: argv.includes('--resume'),
    stallMs: Number(val('stall-ms', '20000')),
  };
}

function mix(...xs: number[]): number {
  let h = 2166136261;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 16777619);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
  }
  return h >>> 0;
}

function nameHash(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

// ---------------------------------------------------------------------------------------------
// Seeds

interface Seed {
  protocol: string;
  direction: Direction;
  bytes: Uint8Array;
}

async function fixtureSeeds(): Promise<Seed[]> {
  return (await allFixtures()).map((f) => ({ protocol: f.protocol, direction: f.direction, bytes: f.bytes.slice() }));
}

/** The PDUs the analyzer decodes from every corpus capture: each protocol's parse is wrapped to record them. */
async function corpusSeeds(protocols: readonly Protocol[]): Promise<Seed[]> {
  const { summarizeCapture } = await import('../src/traffic/index.ts');
  const seen = new Set<string>();
  const byProtocol = new Map<string, Seed[]>();
  const wrapped = protocols.map((p) => {
    const w = Object.create(p) as Protocol;
    w.parse = (bytes: Uint8Array, direction: Direction, state?: FlowState) => {
      const r = p.parse(bytes, direction, state);
      if (r.kind === 'done' && r.consumed > 0) {
        const pdu = bytes.subarray(0, r.consumed);
        const key = `${p.name}|${direction}|${toHex(pdu.subarray(0, 512))}|${pdu.length}`;
        if (!seen.has(key)) {
          seen.add(key);
          const list = byProtocol.get(p.name) ?? [];
          list.push({ protocol: p.name, direction, bytes: pdu.slice() });
          byProtocol.set(p.name, list);
        }
      }
      return r;
    };
    return w;
  });
  for (const f of corpusCaptures()) await summarizeCapture(f, f, wrapped);
  const out: Seed[] = [];
  for (const list of byProtocol.values()) {
    // Spread the kept seeds over the whole list, so one long capture does not crowd out the rest.
    const step = Math.max(1, list.length / SEEDS_PER_PROTOCOL);
    for (let i = 0; i < list.length && out.length < Number.MAX_SAFE_INTEGER; i += step) out.push(list[Math.floor(i)]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mutations

const INTERESTING_8 = [0x00, 0x01, 0x02, 0x05, 0x7f, 0x80, 0xfe, 0xff, 0x68, 0x64, 0x03];
const INTERESTING_LEN = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

function writeInt(b: Uint8Array, at: number, width: number, v: number, little: boolean): void {
  for (let k = 0; k < width && at + k < b.length; k++) {
    const shift = 8 * (little ? k : width - 1 - k);
    b[at + k] = Math.floor(v / 2 ** shift) & 0xff;
  }
}

function mutate(rnd: () => number, base: Uint8Array, seeds: readonly Seed[]): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  let b = base.slice();
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const op = int(12);
    const at = b.length ? (rnd() < 0.5 ? int(Math.min(b.length, 24)) : int(b.length)) : 0;
    switch (op) {
      case 0: // bit flip
      case 1:
        if (b.length) b[at] ^= 1 << int(8);
        break;
      case 2: // byte set
        if (b.length) b[at] = rnd() < 0.5 ? INTERESTING_8[int(INTERESTING_8.length)] : int(256);
        break;
      case 3: {
        // insert 1-16 bytes
        const n = 1 + int(16);
        const ins = new Uint8Array(n);
        const fill = rnd() < 0.5 ? -1 : INTERESTING_8[int(INTERESTING_8.length)];
        for (let i = 0; i < n; i++) ins[i] = fill < 0 ? int(256) : fill;
        const c = new Uint8Array(b.length + n);
        c.set(b.subarray(0, at));
        c.set(ins, at);
        c.set(b.subarray(at), at + n);
        b = c;
        break;
      }
      case 4: {
        // delete a range
        const n = Math.min(b.length - at, 1 + int(16));
        if (n > 0) {
          const c = new Uint8Array(b.length - n);
          c.set(b.subarray(0, at));
          c.set(b.subarray(at + n), at);
          b = c;
        }
        break;
      }
      case 5:
      case 6: {
        // a length field at its extremes, or off by a little from the real length
        const width = [1, 2, 4][int(3)];
        const choices = [...INTERESTING_LEN, b.length, b.length - 1, b.length + 1, b.length - at, b.length - at - width];
        writeInt(b, at, width, choices[int(choices.length)] >>> 0, rnd() < 0.5);
        break;
      }
      case 7: {
        // truncate
        b = b.slice(0, int(b.length + 1));
        break;
      }
      case 8: {
        // splice: this input's head with another PDU's tail (any protocol)
        const other = seeds[int(seeds.length)].bytes;
        const cut = int(other.length + 1);
        const c = new Uint8Array(at + other.length - cut);
        c.set(b.subarray(0, at));
        c.set(other.subarray(cut), at);
        b = c;
        break;
      }
      case 9: {
        // append another PDU (several PDUs in one segment)
        const other = seeds[int(seeds.length)].bytes;
        const c = new Uint8Array(b.length + other.length);
        c.set(b);
        c.set(other, b.length);
        b = c;
        break;
      }
      case 10: {
        // duplicate a chunk in place
        const n = Math.min(b.length - at, 1 + int(32));
        if (n > 0) {
          const c = new Uint8Array(b.length + n);
          c.set(b.subarray(0, at + n));
          c.set(b.subarray(at, at + n), at + n);
          c.set(b.subarray(at + n), at + 2 * n);
          b = c;
        }
        break;
      }
      default: {
        // MQTT-style variable length integer at its maximum, or a run of 0xff
        const n = 1 + int(4);
        for (let k = 0; k < n && at + k < b.length; k++) b[at + k] = k === n - 1 && rnd() < 0.5 ? 0x7f : 0xff;
      }
    }
    if (b.length > MAX_INPUT) b = b.slice(0, MAX_INPUT);
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// Worker: the loop

interface WorkerInput {
  opts: Options;
  protocol: string;
  start: number;
  /** Shared: [0] inputs finished, [1] length of the current input; then the input's bytes. */
  shared: SharedArrayBuffer;
}

type WorkerMessage =
  | { type: 'progress'; next: number; totals: Totals; heap: number }
  | { type: 'finding'; finding: Finding }
  | { type: 'end'; next: number; totals: Totals };

async function workerMain(): Promise<void> {
  const { opts, protocol: name, start, shared } = workerData as WorkerInput;
  const { PROTOCOLS, protocolByName } = await import('../src/protocols/index.ts');
  const { LIMITS } = await import('../src/wire/index.ts');
  const { HISTOGRAM_FIELDS } = await import('../src/traffic/index.ts');
  const p = protocolByName(name)!;
  const fixtures = await fixtureSeeds();
  const corpus = await corpusSeeds(PROTOCOLS);
  const all = [...fixtures, ...corpus];
  const own = all.filter((s) => s.protocol === name);
  const counter = new Int32Array(shared, 0, 2);
  const current = new Uint8Array(shared, 8);
  const gc = (globalThis as { gc?: () => void }).gc;
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  const totals: Totals = { inputs: 0, done: 0, incomplete: 0, notMine: 0, throws: 0, hangs: 0, allocation: 0, other: 0, cpuSeconds: 0 };
  const reused: Record<Direction, FlowState> = { 'to-server': {}, 'to-client': {} };
  const found = (index: number, kind: string, detail: string, bytes: Uint8Array, direction?: Direction) => {
    if (kind === 'throw') totals.throws++;
    else if (kind === 'hang') totals.hangs++;
    else if (kind === 'allocation') totals.allocation++;
    else totals.other++;
    post({ type: 'finding', finding: { protocol: name, index, kind, detail, bytes, direction } });
  };

  /**
   * The summary's counting path on the state parse is about to get: never throws; TALLY_PARSE when
   * it hands the PDU to parse (or threw).
   */
  const tally = (bytes: Uint8Array, direction: Direction, state: FlowState, index: number): number => {
    if (!p.tally) return TALLY_PARSE;
    tallySink.flawed = false;
    try {
      return p.tally.count(bytes, 0, bytes.length, direction, tallySink, state);
    } catch (e) {
      found(index, 'throw', `tally: ${(e as Error).stack ?? String(e)}`, bytes, direction);
      return TALLY_PARSE;
    }
  };

  /** Runs every entry point on one input; returns the first problem or null. */
  const run = (bytes: Uint8Array, index: number): void => {
    const copy = bytes.slice();
    for (const direction of ['to-server', 'to-client'] as const) {
      for (const state of [{}, reused[direction]]) {
        const n = tally(bytes, direction, state, index);
        let r: Parsed<Message>;
        try {
          r = p.parse(bytes, direction, state);
        } catch (e) {
          found(index, 'throw', `parse: ${(e as Error).stack ?? String(e)}`, bytes, direction);
          continue;
        }
        // Where the tally answers, it gives parse's outcome on the same state (tally.test.ts
        // checks the counts themselves, and that neither changes the state).
        if (n !== TALLY_PARSE) {
          const agrees =
            n > 0 ? r.kind === 'done' && r.consumed === n && (r.message.anomalies.length > 0) === tallySink.flawed : n === 0 ? r.kind === 'not-mine' : r.kind === 'incomplete' && r.needed === -n;
          if (!agrees) found(index, 'result', `tally gave ${n}, parse ${r.kind}`, bytes, direction);
        }
        if (r.kind === 'incomplete') {
          totals.incomplete++;
          if (!(r.needed > bytes.length)) found(index, 'result', `incomplete needs ${r.needed} of ${bytes.length} it has`, bytes, direction);
          if (r.needed > LIMITS.maxPdu) found(index, 'allocation', `incomplete needs ${r.needed} > LIMITS.maxPdu`, bytes, direction);
          continue;
        }
        if (r.kind === 'not-mine') {
          totals.notMine++;
          continue;
        }
        totals.done++;
        if (!(r.consumed > 0 && r.consumed <= bytes.length)) found(index, 'allocation', `consumed ${r.consumed} of ${bytes.length}`, bytes, direction);
        try {
          const fields = p.fields(r.message);
          for (const k in fields) {
            const v = fields[k];
            const ok = (x: unknown) => typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
            if (!(ok(v) || (Array.isArray(v) && v.every(ok)))) found(index, 'result', `field ${k} is not a rule value`, bytes, direction);
          }
          if (p.summaryFields) {
            // The summary's fast path must agree with fields (see Protocol.summaryFields).
            const sf = p.summaryFields(r.message);
            const prefixes = new Set(Object.keys(sf).map((k) => k.split('.')[0]));
            for (const k in sf) if (!sameValue(sf[k], fields[k])) found(index, 'result', `summaryFields ${k} differs from fields`, bytes, direction);
            for (const k in fields) {
              if ((k in HISTOGRAM_FIELDS && !(k in sf)) || !prefixes.has(k.split('.')[0])) found(index, 'result', `summaryFields lacks ${k}`, bytes, direction);
            }
          }
          p.identify([r.message]);
          const encoded = p.encode(r.message);
          if (encoded.length > LIMITS.maxPdu) found(index, 'allocation', `encode gave ${encoded.length} bytes`, bytes, direction);
        } catch (e) {
          found(index, 'throw', `fields/identify/encode: ${(e as Error).stack ?? String(e)}`, bytes, direction);
        }
      }
    }
    for (const direction of ['to-server', 'to-client'] as const) {
      for (const transport of ['tcp', 'udp'] as const) {
        try {
          p.recognize(bytes, direction, transport);
        } catch (e) {
          found(index, 'throw', `recognize ${transport}: ${(e as Error).stack ?? String(e)}`, bytes, direction);
        }
      }
    }
    if (Buffer.compare(copy, bytes) !== 0) found(index, 'result', 'the input was modified', copy);
  };

  gc?.();
  const heapStart = process.memoryUsage().heapUsed;
  let heapMax = heapStart;
  const cpu0 = process.cpuUsage();
  const end = opts.inputs;
  let i = start;
  for (; i < end; i++) {
    const rnd = mulberry32(mix(opts.seed, nameHash(name), i));
    const pool = rnd() < 0.75 && own.length ? own : all;
    const base = pool[Math.floor(rnd() * pool.length)].bytes;
    const bytes = mutate(rnd, base, all);
    current.set(bytes);
    Atomics.store(counter, 1, bytes.length);
    const t = performance.now();
    run(bytes, i);
    if (performance.now() - t > opts.budgetMs) {
      // Over budget: once may be a GC pause or the shared machine; twice is the input.
      const t2 = performance.now();
      run(bytes.slice(), i);
      const ms = performance.now() - t2;
      if (ms > opts.budgetMs) found(i, 'hang', `${ms.toFixed(0)} ms (budget ${opts.budgetMs} ms)`, bytes);
    }
    totals.inputs++;
    Atomics.store(counter, 0, i + 1);
    if ((i + 1) % CHECKPOINT === 0) {
      gc?.();
      const heap = process.memoryUsage().heapUsed;
      heapMax = Math.max(heapMax, heap);
      if (gc && heap - heapStart > HEAP_GROWTH_LIMIT) {
        found(i, 'allocation', `retained heap grew ${((heap - heapStart) / 1e6).toFixed(0)} MB (reused FlowState?)`, bytes);
        reused['to-server'] = {};
        reused['to-client'] = {};
      }
      const u = process.cpuUsage(cpu0);
      totals.cpuSeconds = (u.user + u.system) / 1e6;
      post({ type: 'progress', next: i + 1, totals: { ...totals }, heap });
    }
  }
  const u = process.cpuUsage(cpu0);
  totals.cpuSeconds = (u.user + u.system) / 1e6;
  post({ type: 'end', next: i, totals });
}

// ---------------------------------------------------------------------------------------------
// Main: one worker per protocol at a time (one core), watchdog, findings, state file

interface State {
  seed: number;
  inputs: number;
  protocols: Record<string, { next: number; totals: Totals }>;
}

function addTotals(a: Totals, b: Totals): Totals {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof Totals)[]) out[k] += b[k];
  return out;
}

function emptyTotals(): Totals {
  return { inputs: 0, done: 0, incomplete: 0, notMine: 0, throws: 0, hangs: 0, allocation: 0, other: 0, cpuSeconds: 0 };
}

function writeFinding(out: string, f: Finding, seed: number): void {
  const base = join(out, `${f.protocol}-${f.kind}-${f.index}`);
  writeFileSync(`${base}.bin`, f.bytes);
  writeFileSync(`${base}.json`, JSON.stringify({ ...f, bytes: toHex(f.bytes), seed }, null, 2));
}

function fuzzOne(opts: Options, name: string, start: number, prior: Totals, onCheckpoint: (next: number, totals: Totals) => void): Promise<{ next: number; totals: Totals }> {
  return new Promise((resolve) => {
    const shared = new SharedArrayBuffer(8 + MAX_INPUT);
    const counter = new Int32Array(shared, 0, 2);
    const current = new Uint8Array(shared, 8);
    Atomics.store(counter, 0, start);
    Atomics.store(counter, 1, -1);
    // The worker loads this file through tsx's loader (a worker does not inherit --import hooks
    // for its entry point).
    const entry = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(entry, {
      eval: true,
      workerData: { opts, protocol: name, start, shared } satisfies WorkerInput,
      // V8 flags such as --expose-gc are process-wide: the worker has gc() without them.
      execArgv: process.execArgv.filter((a) => a !== '--expose-gc'),
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    let totals = prior;
    let base = prior;
    let settled = false;
    let lastCount = -1;
    let lastChange = Date.now();
    const t0 = Date.now();
    const finish = (next: number) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      resolve({ next, totals });
    };
    /** The worker died or stalled on the input in the shared buffer: record it, carry on past it. */
    const lost = (kind: 'hang' | 'allocation', detail: string) => {
      if (Atomics.load(counter, 1) < 0) {
        // Died before its first input: a setup error, not a finding.
        console.error(`fuzz worker for ${name} failed to start: ${detail}`);
        process.exit(2);
      }
      const index = Atomics.load(counter, 0);
      const bytes = current.slice(0, Atomics.load(counter, 1));
      const f: Finding = { protocol: name, index, kind, detail, bytes };
      writeFinding(opts.out, f, opts.seed);
      console.log(`FINDING ${name} #${index} ${kind}: ${detail}`);
      totals = addTotals(totals, { ...emptyTotals(), [kind === 'hang' ? 'hangs' : 'allocation']: 1, inputs: 1 });
      finish(index + 1);
    };
    const watch = setInterval(() => {
      const n = Atomics.load(counter, 0);
      if (n !== lastCount) {
        lastCount = n;
        lastChange = Date.now();
      } else if (Atomics.load(counter, 1) < 0) {
        // Still loading (the corpus seeds take a while on a busy machine): not a stall yet.
        if (Date.now() - t0 > 20 * opts.stallMs) lost('hang', `worker did not start within ${20 * opts.stallMs} ms`);
        lastChange = Date.now();
      } else if (Date.now() - lastChange > opts.stallMs) {
        void worker.terminate();
        lost('hang', `no progress for ${opts.stallMs} ms`);
      }
    }, 1000);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'finding') {
        writeFinding(opts.out, m.finding, opts.seed);
        console.log(`FINDING ${name} #${m.finding.index} ${m.finding.kind}: ${m.finding.detail.split('\n').slice(0, 3).join(' | ')}`);
        return;
      }
      totals = addTotals(base, m.totals);
      if (m.type === 'progress') {
        const rate = m.totals.inputs / Math.max(1e-9, m.totals.cpuSeconds);
        console.log(`${name.padEnd(12)} ${String(m.next).padStart(8)} inputs ${rate.toFixed(0).padStart(6)}/s cpu  heap ${(m.heap / 1e6).toFixed(0)} MB`);
        onCheckpoint(m.next, totals);
      } else {
        base = totals;
        finish(m.next);
      }
    });
    worker.on('error', (e) => lost('allocation', `worker died: ${String(e)}`));
    worker.on('exit', () => finish(Atomics.load(counter, 0)));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opts = options(argv);
  mkdirSync(opts.out, { recursive: true });
  const { PROTOCOLS, protocolByName } = await import('../src/protocols/index.ts');
  const replay = argv.indexOf('--replay');
  if (replay >= 0) {
    // Re-run one saved input through every entry point in this thread, to see the stack.
    const bytes = new Uint8Array(readFileSync(argv[replay + 1]));
    const p = protocolByName(argv[argv.indexOf('--protocol') + 1])!;
    for (const d of ['to-server', 'to-client'] as const) {
      const r = p.parse(bytes, d, {});
      console.log(d, r.kind, r.kind === 'done' ? JSON.stringify(p.fields(r.message)) : r);
      if (r.kind === 'done') p.identify([r.message]), p.encode(r.message);
      console.log('recognize', p.recognize(bytes, d, 'tcp'), p.recognize(bytes, d, 'udp'));
    }
    return;
  }
  const names = opts.protocols ?? PROTOCOLS.map((p) => p.name);
  const statePath = join(opts.out, 'state.json');
  const state: State =
    opts.resume && existsSync(statePath)
      ? (JSON.parse(readFileSync(statePath, 'utf8')) as State)
      : { seed: opts.seed, inputs: opts.inputs, protocols: {} };
  if (opts.resume) opts.seed = state.seed;
  state.inputs = opts.inputs;
  const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
  console.log(`fuzz: seed ${opts.seed}, ${opts.inputs} inputs per protocol, budget ${opts.budgetMs} ms per input, findings in ${opts.out}`);
  const wall = Date.now();
  for (const name of names) {
    if (!protocolByName(name)) throw new Error(`no protocol ${name}`);
    let entry = state.protocols[name] ?? { next: 0, totals: emptyTotals() };
    while (entry.next < opts.inputs) {
      const r = await fuzzOne(opts, name, entry.next, entry.totals, (next, totals) => {
        state.protocols[name] = { next, totals };
        save();
      });
      entry = { next: r.next, totals: r.totals };
      state.protocols[name] = entry;
      save();
    }
  }
  const seconds = (Date.now() - wall) / 1000;
  console.log(`\nseed ${opts.seed}  protocol      inputs   inputs/s(cpu)  done  incomplete  not-mine  throws  hangs  alloc  other`);
  let sum = emptyTotals();
  for (const name of names) {
    const t = state.protocols[name]?.totals ?? emptyTotals();
    sum = addTotals(sum, t);
    console.log(
      `  ${name.padEnd(12)} ${String(t.inputs).padStart(9)} ${(t.inputs / Math.max(1e-9, t.cpuSeconds)).toFixed(0).padStart(9)} ${String(t.done).padStart(9)} ${String(t.incomplete).padStart(9)} ${String(t.notMine).padStart(9)} ${String(t.throws).padStart(6)} ${String(t.hangs).padStart(6)} ${String(t.allocation).padStart(6)} ${String(t.other).padStart(6)}`,
    );
  }
  console.log(`total ${sum.inputs} inputs, ${sum.throws} throws, ${sum.hangs} hangs, ${sum.allocation} allocation, ${sum.other} other; ${sum.cpuSeconds.toFixed(0)} s cpu, ${seconds.toFixed(0)} s wall this session`);
  if (sum.throws + sum.hangs + sum.allocation + sum.other > 0) process.exitCode = 1;
}

if (isMainThread) await main();
else await workerMain();
