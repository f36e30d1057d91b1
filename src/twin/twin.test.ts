// The twin on real loopback sockets: every service of a 200-device province answers a client
// built from the protocol engine exactly as the ground truth says; the CLI writes that truth
// once listening; a taken port falls back to per-address sockets; resources are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_FIELDS, type Transport } from '../model/index.ts';
import type { Message } from '../protocols/index.ts';
import { BEHAVIOURS, DeviceSession, type ProtocolName } from '../personas/index.ts';
import { planTwin, startTwin, twinPublicAddress, type ServiceStatus, type TruthRecord, type TwinDevice } from './index.ts';

const REPO = join(import.meta.dirname, '../..');

/**
 * Runs the protocol's identification probes against a twin device over a real socket. How many
 * replies each probe draws is learnt from the same behaviour run locally, so the client knows
 * when an answer is complete without sleeping.
 */
export function probeOverNetwork(twin: TwinDevice, protocol: ProtocolName, transport: Transport, port: number, timeoutMs = 3000): Promise<Message[]> {
  const behaviour = BEHAVIOURS[protocol];
  const probes = behaviour.probes(twin.device, transport).map((m) => behaviour.protocol.encode(m));
  const local = new DeviceSession(twin.device, protocol, transport);
  const expected = probes.map((p) => local.receive(p).length);
  const state = {};
  const messages: Message[] = [];
  return new Promise((resolve, reject) => {
    let step = 0;
    let want = 0;
    const timer = setTimeout(() => finish(new Error(`${protocol}/${transport} ${twin.address}:${port}: ${messages.length}/${want} replies`)), timeoutMs);
    let send: (b: Uint8Array) => void;
    let close: () => void;
    const finish = (err?: Error) => {
      clearTimeout(timer);
      close();
      if (err) reject(err);
      else resolve(messages);
    };
    const advance = () => {
      while (messages.length >= want) {
        if (step === probes.length) return finish();
        want += expected[step];
        send(probes[step++]);
      }
    };
    if (transport === 'tcp') {
      let buffer = new Uint8Array(0);
      const socket = connect({ host: twin.address, port });
      send = (b) => socket.write(b);
      close = () => socket.destroy();
      socket.on('connect', advance);
      socket.on('error', (e) => finish(e));
      socket.on('data', (chunk) => {
        const joined = new Uint8Array(buffer.length + chunk.length);
        joined.set(buffer);
        joined.set(chunk, buffer.length);
        let offset = 0;
        for (;;) {
          const r = behaviour.protocol.parse(joined.subarray(offset), 'to-client', state);
          if (r.kind !== 'done') break;
          messages.push(r.message);
          offset += r.consumed;
        }
        buffer = joined.slice(offset);
        advance();
      });
    } else {
      const socket = createSocket('udp4');
      send = (b) => socket.send(b, port, twin.address);
      close = () => socket.close();
      socket.on('message', (msg) => {
        const r = behaviour.protocol.parse(new Uint8Array(msg), 'to-client', state);
        if (r.kind === 'done') messages.push(r.message);
        advance();
      });
      socket.bind(0, '127.0.0.1', advance);
    }
  });
}

/**
 * Services whose port another program holds on the wildcard address (another twin, run by
 * another test at the same time): no socket of this twin can bind there. Said plainly, then
 * left out — the truth leaves them out too.
 */
function heldElsewhere(services: ServiceStatus[]): ServiceStatus[] {
  const held = services.filter((s) => s.failures.length > 0 && s.failures.every((f) => f.error === 'EADDRINUSE'));
  for (const s of held) console.log(`# not served here, port held by another program: ${s.protocol} ${s.transport}/${s.port}`);
  return held;
}

function identityFields(protocol: ProtocolName, messages: Message[]): Record<string, string> {
  const id = BEHAVIOURS[protocol].protocol.identify(messages);
  const out: Record<string, string> = {};
  for (const f of IDENTITY_FIELDS) if (typeof id?.[f] === 'string' && id[f] !== '') out[f] = id[f] as string;
  return out;
}

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

test('a twin of 200 devices answers every service of every device as its ground truth says', async () => {
  // Per-address sockets, so this runs beside other twins (other test files, other engineers).
  const twin = await startTwin({ devices: 200, seed: 'twin-test', cidr: '127.31.0.0/16', bind: 'per-address' });
  try {
    assert.equal(twin.devices.length, 200);
    assert.equal(twin.truth.length, 200);
    assert.equal(new Set(twin.devices.map((d) => d.address)).size, 200);
    const protocols = new Set(twin.truth.flatMap((t) => t.services.map((s) => s.protocol)));
    const elsewhere = heldElsewhere(twin.services);
    if (elsewhere.length === 0) assert.ok(protocols.size >= 9, `protocols served: ${[...protocols].join(', ')}`);
    for (const s of twin.services) {
      if (!elsewhere.includes(s)) assert.deepEqual(s.failures, [], `${s.protocol} ${s.transport}/${s.port} started everywhere`);
    }
    const jobs = twin.truth.flatMap((t) => t.services.map((s) => ({ t, s })));
    let identified = 0;
    await pool(jobs, 32, async ({ t, s }) => {
      const messages = await probeOverNetwork(twin.byAddress(t.address)!, s.protocol, s.transport, s.port);
      assert.deepEqual(identityFields(s.protocol, messages), s.exposes, `${t.address} ${t.persona} ${s.protocol}/${s.transport}`);
      if (Object.keys(s.exposes).length) identified++;
    });
    console.log(`${jobs.length} services over loopback, ${identified} with identity fields`);
    assert.ok(identified > jobs.length * 0.7);
  } finally {
    await twin.close();
  }
});

test('one shared socket per port serves every device and drops connections to other addresses', async () => {
  const twin = await startTwin({ devices: 5, seed: 'twin-test', cidr: '127.34.0.0/24', personas: ['schneider-m221-tm221ce24r'] });
  try {
    const modbus = twin.services.find((s) => s.protocol === 'modbus')!;
    if (heldElsewhere([modbus]).length) return;
    assert.equal(modbus.mode, 'shared');
    for (const d of twin.devices) {
      const messages = await probeOverNetwork(d, 'modbus', 'tcp', 502);
      assert.equal(identityFields('modbus', messages).firmware, d.device.identity.firmware, d.address);
    }
    const got = await new Promise<number>((resolve) => {
      let n = 0;
      const s = connect({ host: '127.34.0.200', port: 502 });
      s.on('connect', () => s.write(new Uint8Array([0, 0, 0, 0, 0, 5, 1, 0x2b, 0x0e, 1, 0])));
      s.on('data', (d) => (n += d.length));
      s.on('error', () => resolve(n));
      s.on('close', () => resolve(n));
      setTimeout(() => (s.destroy(), resolve(n)), 1000);
    });
    assert.equal(got, 0, 'no device at 127.34.0.200: the connection is dropped unanswered');
  } finally {
    await twin.close();
  }
});

test('the same seed deploys the same province; another seed a different one', () => {
  const a = planTwin({ devices: 50, seed: 'same', cidr: '127.35.0.0/24' });
  const b = planTwin({ devices: 50, seed: 'same', cidr: '127.35.0.0/24' });
  const c = planTwin({ devices: 50, seed: 'other', cidr: '127.35.0.0/24' });
  assert.deepEqual(a.map((d) => [d.address, d.publicIp, d.device.persona.id, d.device.vars]), b.map((d) => [d.address, d.publicIp, d.device.persona.id, d.device.vars]));
  assert.notDeepEqual(a.map((d) => d.device.persona.id), c.map((d) => d.device.persona.id));
  assert.ok(new Set(a.map((d) => d.device.persona.id)).size > 15, 'a mix of personas');
});

function listen(server: Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host, port }, () => resolve(true));
  });
}

test('a port already taken is served per device address instead (MQTT next to Mosquitto, DNP3 next to a blocker)', async () => {
  // Mosquitto holds 127.0.0.1:1883 on this machine; where it does not run, the test holds it.
  const mqttBlocker = createServer((s) => s.destroy());
  const mineMqtt = await listen(mqttBlocker, '127.0.0.1', 1883);
  // Occupy 127.0.0.1:20000 too, so the twin's 0.0.0.0:20000 cannot bind. When the bind fails,
  // another program already holds the port on every address and nothing can be learnt here.
  const blocker = createServer((s) => s.destroy());
  const mine = await listen(blocker, '127.0.0.1', 20000);
  if (!mine) console.log('# DNP3 part skipped: port 20000 is held on 0.0.0.0 by another program');
  const twin = await startTwin({ devices: 6, seed: 'fallback', cidr: '127.36.0.0/24', personas: ['sel-3530-rtac', 'advantech-wise-edge-mosquitto'] });
  try {
    const mqtt = twin.services.find((s) => s.protocol === 'mqtt')!;
    assert.equal(mqtt.mode, 'per-address');
    assert.match(mqtt.error ?? '', /0\.0\.0\.0:1883: EADDRINUSE/);
    const dnp3 = twin.services.find((s) => s.protocol === 'dnp3')!;
    if (mine) {
      assert.equal(dnp3.mode, 'per-address');
      assert.deepEqual(dnp3.failures, []);
    }
    let checked = 0;
    for (const t of twin.truth) {
      for (const s of t.services) {
        const messages = await probeOverNetwork(twin.byAddress(t.address)!, s.protocol, s.transport, s.port);
        assert.deepEqual(identityFields(s.protocol, messages), s.exposes);
        assert.ok(Object.keys(s.exposes).length >= 2);
        checked++;
      }
    }
    assert.ok(checked >= (mine ? 6 : 1), `${checked} services answered`);
  } finally {
    await twin.close();
    if (mine) blocker.close();
    if (mineMqtt) mqttBlocker.close();
  }
});

async function closeTimes(address: string, port: number, n: number): Promise<number[]> {
  const times = await Promise.all(Array.from({ length: n }, () => new Promise<number>((resolve) => {
    const start = Date.now();
    const s = connect({ host: address, port });
    s.on('close', () => resolve(Date.now() - start));
    s.on('error', () => undefined);
  })));
  return times.sort((a, b) => a - b);
}

test('connections beyond the caps are refused and idle ones are closed', async () => {
  // MQTT: next to Mosquitto the port is per-address, so no other twin's wildcard socket can
  // take these connections.
  const personas = ['advantech-wise-edge-mosquitto'];
  const global = await startTwin({ devices: 2, seed: 'caps', cidr: '127.37.0.0/24', personas, maxConnections: 2, idleTimeoutMs: 300, bind: 'per-address' });
  try {
    const times = await closeTimes(global.devices[0].address, 1883, 3);
    assert.ok(times[0] < 250, `over the twin's cap: dropped at once (${times[0]} ms)`);
    assert.ok(times[1] >= 250 && times[2] < 3000, `the others are closed by the idle timeout (${times.slice(1)} ms)`);
  } finally {
    await global.close();
  }
  const local = await startTwin({ devices: 2, seed: 'caps', cidr: '127.37.1.0/24', personas, maxConnectionsPerDevice: 1, idleTimeoutMs: 300, bind: 'per-address' });
  try {
    const [a, b] = local.devices.map((d) => d.address);
    const [ta, tb] = await Promise.all([closeTimes(a, 1883, 2), closeTimes(b, 1883, 1)]);
    assert.ok(ta[0] < 250 && ta[1] >= 250, `one connection per device: the second is dropped (${ta} ms)`);
    assert.ok(tb[0] >= 250, `another device is not affected (${tb} ms)`);
  } finally {
    await local.close();
  }
});

test('otscope twin writes the ground truth once listening and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-twin-'));
  const file = join(dir, 'truth.json');
  const child = spawn(process.execPath, [join(REPO, 'bin/otscope.js'), 'twin', '--devices', '30', '--seed', 'cli', '--cidr', '127.38.0.0/24', '--truth', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const deadline = Date.now() + 15_000;
    while (!existsSync(file) || !stderr.includes('listening')) {
      assert.ok(Date.now() < deadline, `truth file written in time; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const truth = JSON.parse(readFileSync(file, 'utf8')) as TruthRecord[];
    assert.equal(truth.length, 30);
    for (const t of truth) {
      assert.match(t.address, /^127\.38\.0\.\d+$/);
      assert.equal(t.publicIp, twinPublicAddress(t.address));
      assert.ok(t.persona && t.identity.vendor);
      for (const s of t.services) assert.ok(s.port > 0 && (s.transport === 'tcp' || s.transport === 'udp') && typeof s.exposes === 'object');
    }
    const s7 = truth.find((t) => t.services.some((s) => s.protocol === 's7comm'));
    if (s7) assert.equal(s7.services.find((s) => s.protocol === 's7comm')!.exposes.orderNumber, s7.identity.orderNumber);
    // The truth is only written once everything listens: the first device answers now.
    assert.ok(truth.some((t) => t.services.length > 0));
    const index = truth.findIndex((t) => t.services.length > 0);
    const svc = truth[index].services[0];
    const plan = planTwin({ devices: 30, seed: 'cli', cidr: '127.38.0.0/24' });
    const messages = await probeOverNetwork(plan[index], svc.protocol, svc.transport, svc.port);
    assert.deepEqual(identityFields(svc.protocol, messages), svc.exposes);
  } finally {
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    rmSync(dir, { recursive: true, force: true });
  }
});
