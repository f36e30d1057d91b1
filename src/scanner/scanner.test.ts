// The scan loop's limits, measured at the devices: at most one connection per device at a time by
// default, the concurrency cap, and the global rate of new connections.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { slowModbusDevices } from './fixtures.ts';
import { Plan } from './plan.ts';
import { parsePorts } from './ports.ts';
import { resolveTargets } from './targets.ts';
import { scan } from './scanner.ts';
import { noTwinMapping } from './twin-address.ts';
import { TokenBucket } from './rate.ts';

// 127.78.0.0 has no device: five addresses are scanned, four answer.
const ADDRESSES = ['127.78.0.1', '127.78.0.2', '127.78.0.3', '127.78.0.4'];
const open = new Map<string, number>();
const peak = new Map<string, number>();
let openAll = 0;
let peakAll = 0;
const connectTimes: number[] = [];

const { servers, ports } = await slowModbusDevices(ADDRESSES, 3, {
  delayMs: 30,
  objects: () => [{ id: 0, value: 'Slow' }],
  onConnect: () => void connectTimes.push(performance.now()),
  onRequest(address) {
    open.set(address, (open.get(address) ?? 0) + 1);
    peak.set(address, Math.max(peak.get(address) ?? 0, open.get(address)!));
    peakAll = Math.max(peakAll, ++openAll);
  },
  onAnswer(address) {
    open.set(address, open.get(address)! - 1);
    openAll--;
  },
});
after(() => servers.forEach((s) => s.close()));

function reset(): void {
  peak.clear();
  peakAll = 0;
  connectTimes.length = 0;
}

async function run(opts: { perDevice?: number; concurrency?: number; rate?: number }) {
  reset();
  const plan = new Plan(await resolveTargets(['127.78.0.1/30', '127.78.0.4']), parsePorts(ports.map((p) => `modbus:${p}`).join(',')), 11);
  let observed = 0;
  const stats = await scan({ plan, ...opts, timeoutMs: 1000, publicAddress: noTwinMapping, onObservation: () => observed++ });
  return { stats, observed };
}

test('one connection per device at a time by default, however high the concurrency', async () => {
  const { stats, observed } = await run({ concurrency: 64, rate: 0 });
  assert.equal(observed, 12, 'four devices, three services each');
  assert.equal(stats.finished, 15, 'five addresses, three ports each');
  for (const a of ADDRESSES) assert.equal(peak.get(a), 1, `${a} had ${peak.get(a)} connections at once`);
  assert.ok(peakAll > 1, 'devices were still probed in parallel');
});

test('--per-device and --concurrency raise and cap the overlap', async () => {
  await run({ concurrency: 64, rate: 0, perDevice: 3 });
  assert.ok(ADDRESSES.some((a) => (peak.get(a) ?? 0) > 1), 'per-device 3 lets a device see several probes');
  await run({ concurrency: 2, rate: 0, perDevice: 3 });
  assert.ok(peakAll <= 2, `concurrency 2 but ${peakAll} connections at once`);
});

test('the global rate limits new connections per second', async () => {
  await run({ concurrency: 64, rate: 40 });
  assert.equal(connectTimes.length, 12);
  const span = connectTimes[connectTimes.length - 1] - connectTimes[0];
  // 12 connections at 40/s with a burst of 2: at least ~9 token intervals of 25 ms.
  assert.ok(span >= 200, `12 connections within ${span.toFixed(0)} ms at --rate 40`);
});

test('token bucket: bursts of 50 ms worth, then one token per 1/rate s', () => {
  const b = new TokenBucket(100, 0);
  assert.equal(b.take(0), true);
  assert.equal(b.take(0), false);
  assert.equal(b.take(9), false);
  assert.equal(b.take(10), true);
  assert.equal(b.take(1000), true);
  let n = 1;
  while (b.take(1000)) n++;
  assert.equal(n, 5, 'after a long pause, at most a burst of rate/20');
  assert.equal(new TokenBucket(0).unlimited, true);
});
