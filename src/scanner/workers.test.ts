// A scan spread over worker threads: shares partition the addresses, every pair is probed and
// committed exactly once, each device still sees one connection at a time, the results equal a
// single-thread scan's, and a stopped scan resumed with another thread count covers the rest.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../model/index.ts';
import { Checkpoint } from './checkpoint.ts';
import { slowModbusDevices } from './fixtures.ts';
import { Plan, SHARE_BLOCK, shareOf } from './plan.ts';
import { parsePorts } from './ports.ts';
import { resolveTargets } from './targets.ts';
import { scan } from './scanner.ts';
import { ScanWorkers } from './workers.ts';
import { noTwinMapping } from './twin-address.ts';

// Devices in each of the four 256-address blocks of 127.79.0.0/22, on two ports each.
const ADDRESSES = ['127.79.0.3', '127.79.0.200', '127.79.1.7', '127.79.1.255', '127.79.2.9', '127.79.3.1', '127.79.3.130'];
const connections = new Map<string, number>();
const open = new Map<string, number>();
let overlap = 0;
let inflight = 0;
let peakInflight = 0;

const { servers, ports } = await slowModbusDevices(ADDRESSES, 2, {
  // Late, so probes of one device would overlap if the per-device limit were broken.
  delayMs: 5,
  objects: (address) => [{ id: 0, value: 'Share' }, { id: 1, value: address }, { id: 2, value: 'V1' }],
  onConnect(address, port) {
    const key = `${address}:${port}`;
    connections.set(key, (connections.get(key) ?? 0) + 1);
  },
  onRequest(address) {
    open.set(address, (open.get(address) ?? 0) + 1);
    overlap = Math.max(overlap, open.get(address)!);
    peakInflight = Math.max(peakInflight, ++inflight);
  },
  onAnswer(address) {
    open.set(address, open.get(address)! - 1);
    inflight--;
  },
});
const pool = await ScanWorkers.start(3);
after(async () => {
  servers.forEach((s) => s.close());
  await pool.close();
});

const services = parsePorts(ports.map((p) => `modbus:${p}`).join(','));
const newPlan = async (key: number) => new Plan(await resolveTargets(['127.79.0.0/22']), services, key);
const strip = (os: Observation[]) => os.map(({ observedAt: _t, ...o }) => JSON.stringify(o)).sort();

test('shares deal blocks of the target space round-robin, cover it once, and agree with shareOf', async () => {
  const plan = await newPlan(1);
  for (const count of [1, 2, 3, 5]) {
    const seen = new Map<number, number>();
    for (let w = 0; w < count; w++) {
      for (const r of plan.shareRanges(w, count)) {
        for (let a = r.start; a <= r.end; a++) {
          assert.equal(seen.has(a), false, `address ${a} in two shares`);
          seen.set(a, w);
        }
      }
    }
    assert.equal(seen.size, plan.addressCount);
    for (let i = 0; i < plan.addressCount; i += 37) assert.equal(seen.get(plan.addressAt(i)), shareOf(i, count));
  }
  // Two target ranges: a block straddling them is split where the space jumps.
  const two = new Plan(await resolveTargets(['127.79.0.0/25', '127.79.8.0/24']), services, 1);
  assert.deepEqual(two.shareRanges(0, 2), [
    { start: ipv4('127.79.0.0'), end: ipv4('127.79.0.127') },
    { start: ipv4('127.79.8.0'), end: ipv4('127.79.8.127') },
  ]);
  assert.equal(SHARE_BLOCK, 256);
});

test('over three threads every pair is probed and committed exactly once, and the results equal one thread', async () => {
  const single: Observation[] = [];
  const plan = await newPlan(5);
  await scan({ plan, rate: 0, concurrency: 64, timeoutMs: 1000, publicAddress: noTwinMapping, onObservation: (o) => single.push(o) });

  connections.clear();
  overlap = 0;
  const spread: Observation[] = [];
  const committed: number[] = [];
  const stats = await scan({
    plan, workers: pool, rate: 0, concurrency: 64, timeoutMs: 1000, publicAddress: noTwinMapping,
    onObservation: (o) => spread.push(o),
    onFlush: (positions) => void committed.push(...positions),
  });
  assert.equal(stats.finished, plan.size);
  assert.equal(stats.answered, ADDRESSES.length * 2);
  assert.deepEqual([...committed].sort((a, b) => a - b), Array.from({ length: plan.size }, (_, i) => i));
  for (const a of ADDRESSES) for (const p of ports) assert.equal(connections.get(`${a}:${p}`), 1, `${a}:${p}`);
  assert.equal(overlap, 1, 'one connection per device at a time');
  assert.deepEqual(strip(spread), strip(single));
});

test('the concurrency cap holds in sum over the threads, and the global rate is split between them', async () => {
  const plan = await newPlan(6);
  peakInflight = 0;
  await scan({ plan, workers: pool, rate: 0, concurrency: 2, timeoutMs: 1000, publicAddress: noTwinMapping, onObservation: () => undefined });
  assert.ok(peakInflight <= 2, `${peakInflight} requests at once under --concurrency 2 on three threads`);
  // 2,048 pairs at 1,000 new connections/s over three threads: about two seconds, not less.
  const t0 = performance.now();
  const stats = await scan({ plan, workers: pool, rate: 1000, concurrency: 64, timeoutMs: 1000, publicAddress: noTwinMapping, onObservation: () => undefined });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(stats.finished, plan.size);
  assert.ok(seconds >= 1.7, `${plan.size} pairs in ${seconds.toFixed(2)} s at --rate 1000`);
});

test('a scan stopped mid-way and resumed on another number of threads covers the rest exactly once', async () => {
  const plan = await newPlan(9);
  const checkpoint = Checkpoint.memory();
  const first: Observation[] = [];
  const controller = new AbortController();
  const stats1 = await scan({
    plan, workers: pool, rate: 4000, concurrency: 8, timeoutMs: 1000, checkpoint, signal: controller.signal, publicAddress: noTwinMapping,
    onObservation: (o) => first.push(o),
    onFlush: () => {
      if (checkpoint.doneCount > 200) controller.abort();
    },
  });
  assert.equal(stats1.aborted, true);
  assert.ok(checkpoint.doneCount < plan.size, `${checkpoint.doneCount} of ${plan.size} done before the stop`);
  const second: Observation[] = [];
  const stats2 = await scan({ plan, workers: 2, rate: 0, concurrency: 64, timeoutMs: 1000, checkpoint, publicAddress: noTwinMapping, onObservation: (o) => second.push(o) });
  assert.equal(stats2.aborted, false);
  assert.equal(stats2.resumed + stats2.finished, plan.size);
  assert.equal(checkpoint.doneCount, plan.size);
  const all = [...first, ...second].map((o) => `${o.ip}:${o.port}`);
  assert.equal(new Set(all).size, all.length, 'no service reported twice');
  assert.equal(all.length, ADDRESSES.length * 2);
});

function ipv4(text: string): number {
  return text.split('.').reduce((n, x) => n * 256 + Number(x), 0) >>> 0;
}

test("a thread's checkpoint skips what was done before its scan and records nothing itself", () => {
  const main = Checkpoint.memory();
  main.commit([0, 1, 2, 5, 9]);
  const thread = Checkpoint.skipping(main.done());
  assert.deepEqual([0, 1, 2, 3, 5, 9].map((p) => thread.isDone(p)), [true, true, true, false, true, true]);
  thread.commit([3, 4, 6]);
  assert.equal(thread.isDone(3), false, 'the calling thread commits, not the worker');
  assert.equal(thread.doneCount, 5);
});
