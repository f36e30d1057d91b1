// scan() with the sweep: the same observations as connecting to every pair, with no connection
// attempted to a pair the sweep found closed; the scan's own counts stay exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { Observation } from '../../model/index.ts';
import { deviceIdResponse, modbus } from '../../protocols/modbus/index.ts';
import { Checkpoint } from '../checkpoint.ts';
import { Plan } from '../plan.ts';
import { parsePorts } from '../ports.ts';
import { scan } from '../scanner.ts';
import { loadAddon, type SynAddon } from './addon.ts';
import { inSweepNamespace } from './netns.ts';
import { SYN, Tap, ip, text } from './tap.ts';

function modbusDevice(): Server {
  return createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      const r = modbus.parse(chunk, 'to-server');
      if (r.kind === 'done') socket.write(modbus.encode(deviceIdResponse(r.message, [{ id: 0, value: 'Swept' }], 0x81)));
    });
  });
}

if (inSweepNamespace()) {
  const addon = (loadAddon() as { addon: SynAddon }).addon;
  const PORTS = [47502, 47503];
  const OPEN = ['127.64.0.2:47502', '127.64.0.3:47503', '127.64.0.9:47502'];
  const plan = (): Plan => new Plan([{ target: 't', start: ip('127.64.0.1'), end: ip('127.64.0.12') }], parsePorts(PORTS.map((p) => `modbus:${p}`).join(',')), 3);

  async function run(synSweep: boolean, checkpoint?: Checkpoint): Promise<{ observed: string[]; closed: number; finished: number; connects: string[] }> {
    const servers = await Promise.all(
      OPEN.map(async (o) => {
        const s = modbusDevice();
        await new Promise<void>((r) => s.listen(Number(o.split(':')[1]), o.split(':')[0], () => r()));
        return s;
      }),
    );
    const tap = new Tap(addon);
    try {
      const observations: Observation[] = [];
      if (!synSweep) process.env.OTSCOPE_SYN_SWEEP = 'off';
      const stats = await scan({ plan: plan(), checkpoint, rate: 0, concurrency: 16, timeoutMs: 500, onObservation: (o) => observations.push(o) }).finally(() => {
        delete process.env.OTSCOPE_SYN_SWEEP;
      });
      // A connect is a SYN from an ephemeral port; the sweep's SYNs all come from its one port,
      // the port that sent the most.
      const syns = tap.read().filter((s) => s.sent && s.flags === SYN);
      const ports = new Map<number, number>();
      for (const s of syns) ports.set(s.sport, (ports.get(s.sport) ?? 0) + 1);
      const sweepPort = synSweep ? [...ports].sort((a, b) => b[1] - a[1])[0]?.[0] : undefined;
      const connects = syns.filter((s) => s.sport !== sweepPort).map((s) => `${text(s.dst)}:${s.dport}`);
      return { observed: observations.map((o) => `${o.ip}:${o.port}`).sort(), closed: stats.closed, finished: stats.finished, connects: [...new Set(connects)].sort() };
    } finally {
      tap.close();
      servers.forEach((s) => s.close());
    }
  }

  test('with the sweep, only open pairs are connected to, and the results are those of the connect scan', async () => {
    const connect = await run(false);
    const swept = await run(true);
    assert.deepEqual(connect.observed, [...OPEN].sort());
    assert.deepEqual(swept.observed, connect.observed);
    assert.deepEqual({ closed: swept.closed, finished: swept.finished }, { closed: 24 - OPEN.length, finished: 24 });
    assert.deepEqual({ closed: connect.closed, finished: connect.finished }, { closed: 24 - OPEN.length, finished: 24 });
    assert.equal(connect.connects.length, 24, 'the connect scan tries every pair');
    assert.deepEqual(swept.connects, [...OPEN].sort(), 'with the sweep, a connection only to the open pairs');
  });

  test('a resumed scan sweeps and finishes only the pairs the first run left open', async () => {
    const checkpoint = Checkpoint.memory();
    for (let p = 0; p < 12; p++) checkpoint.complete(p);
    checkpoint.commit(checkpoint.takePending());
    const r = await run(true, checkpoint);
    assert.equal(r.finished, 12);
    const p = plan();
    const rest = new Set<string>();
    for (let i = 12; i < p.size; i++) rest.add(`${text(p.at(i).address)}:${p.at(i).service.port}`);
    assert.deepEqual(r.observed, OPEN.filter((o) => rest.has(o)).sort());
  });
}
