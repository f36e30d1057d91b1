// `otscope scan` as a process: refusals before any socket, the block-list, kill-and-resume
// covering every pair exactly once, and batches posted to the platform's observation API.
// The devices here are small Modbus servers built from the engine's persona answers, one per
// loopback address; identification against software nobody here wrote is in scanner-peers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { twinPublicAddress } from '../src/twin/index.ts';
import { deviceIdResponse, modbus, reportServerIdResponse, type ModbusMessage } from '../src/protocols/modbus/index.ts';

const BIN = fileURLToPath(new URL('../bin/otscope.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'otscope-scan-'));

interface Devices {
  port: number;
  connections: Map<string, number>;
  close(): Promise<void>;
}

/** One Modbus server per address 127.77.<net>.1 … n, all on one port, counting connections. */
async function modbusDevices(net: number, n: number): Promise<Devices> {
  const connections = new Map<string, number>();
  const servers: Server[] = [];
  let port = 0;
  for (let i = 1; i <= n; i++) {
    const address = `127.77.${net}.${i}`;
    const server = createServer((socket) => {
      connections.set(address, (connections.get(address) ?? 0) + 1);
      let buf = Buffer.alloc(0);
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          const r = modbus.parse(buf, 'to-server');
          if (r.kind !== 'done') break;
          buf = buf.subarray(r.consumed);
          const req: ModbusMessage = r.message;
          const answer =
            req.function.code === 17
              ? reportServerIdResponse(req, new TextEncoder().encode(`T-${address}`))
              : deviceIdResponse(req, [
                  { id: 0, value: 'Otscope Test' },
                  { id: 1, value: `T-${address}` },
                  { id: 2, value: 'V1.0' },
                ]);
          socket.write(modbus.encode(answer));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    if (!port) port = (server.address() as { port: number }).port;
    servers.push(server);
  }
  return { port, connections, close: () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined) };
}

/** Runs the CLI without blocking this process's event loop (the devices live in it). */
function otscope(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'scan', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

interface Line {
  ip: string;
  via?: string;
  port: number;
  protocol: string;
  identity?: Record<string, unknown>;
}

/** Observations keyed by the loopback address probed (`via` for twin-mapped ones, else `ip`). */
const lines = (text: string) =>
  text.split('\n').filter(Boolean).map((l) => {
    const o = JSON.parse(l) as Line;
    return { ...o, ip: o.via ?? o.ip, reportedIp: o.ip };
  });

const devices = await modbusDevices(1, 64);
after(() => devices.close());

test('out-of-scope targets are refused with SCOPE_DENIED naming them, before any socket or file', async () => {
  const resume = join(dir, 'refused.resume');
  for (const target of ['10.0.0.1', '8.8.8.8']) {
    const r = await otscope(['127.77.1.1', target, '--ports', `modbus:${devices.port}`, '--resume', resume]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`SCOPE_DENIED: target ${target.replace(/\./g, '\\.')}`));
    assert.equal(r.stdout, '', 'nothing was scanned, not even the in-scope loopback target');
  }
  assert.equal(existsSync(resume), false);
  assert.equal(devices.connections.size, 0);
});

test('the block-list is honoured: listed addresses get no connection, the rest are identified', async () => {
  const block = join(dir, 'block.txt');
  writeFileSync(block, '# owners opted out\n127.77.1.0/29   # .1 … .7\n127.77.1.20\n');
  const before = new Map(devices.connections);
  const r = await otscope(['127.77.1.0/27', '--ports', `modbus:${devices.port}`, '--blocklist', block, '--rate', '0']);
  assert.equal(r.status, 0, r.stderr);
  const seen = lines(r.stdout).map((o) => o.ip).sort();
  const expected = Array.from({ length: 31 }, (_, i) => `127.77.1.${i + 1}`).filter((a) => {
    const last = Number(a.split('.')[3]);
    return last >= 8 && last !== 20;
  });
  assert.deepEqual(seen, expected.sort());
  for (let i = 1; i <= 7; i++) assert.equal(devices.connections.get(`127.77.1.${i}`) ?? 0, before.get(`127.77.1.${i}`) ?? 0, `127.77.1.${i} was contacted`);
  assert.equal(devices.connections.get('127.77.1.20') ?? 0, before.get('127.77.1.20') ?? 0);
  const one = lines(r.stdout).find((o) => o.ip === '127.77.1.9')!;
  // Loopback devices stand for the twin's public addresses (src/twin), reported as ip with via.
  assert.equal(one.via, '127.77.1.9');
  assert.equal(one.reportedIp, twinPublicAddress('127.77.1.9'));
  assert.deepEqual(
    { vendor: one.identity?.vendor, orderNumber: one.identity?.orderNumber, firmware: one.identity?.firmware },
    { vendor: 'Otscope Test', orderNumber: 'T-127.77.1.9', firmware: 'V1.0' },
  );
});

/**
 * Runs `args` and SIGKILLs it half-way between two output flushes (every 100 ms), then resumes it
 * with `resumed` and checks that the two runs cover the 63 devices exactly once. A kill landing
 * inside a flush, between the output write and the checkpoint write, would repeat that flush's
 * lines on resume (at-least-once); the window is two adjacent write calls, which this avoids
 * hitting on purpose rather than by luck.
 */
async function killAndResume(args: string[], resumed: string[]): Promise<void> {
  const first = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out1 = '';
  let killing = false;
  await new Promise<void>((resolve) => {
    first.stdout.on('data', (d: Buffer) => {
      out1 += d.toString();
      if (out1.split('\n').length > 15 && !killing) {
        killing = true;
        setTimeout(() => first.kill('SIGKILL'), 50);
      }
    });
    first.on('exit', () => resolve());
  });
  assert.equal(first.signalCode, 'SIGKILL', 'the first run was killed, not finished');
  const cut = lines(out1.slice(0, out1.lastIndexOf('\n') + 1));
  assert.ok(cut.length >= 15 && cut.length < 63, `killed after ${cut.length} observations`);
  const second = await otscope(resumed);
  assert.equal(second.status, 0, second.stderr);
  const all = [...cut, ...lines(second.stdout)].map((o) => `${o.ip}:${o.port}`);
  const expected = Array.from({ length: 63 }, (_, i) => `127.77.1.${i + 1}:${devices.port}`);
  assert.equal(new Set(all).size, all.length, `duplicates: ${all.filter((x, i) => all.indexOf(x) !== i).join(', ')}`);
  assert.deepEqual([...all].sort(), expected.sort());
  // A third run with the finished resume file has nothing left to do.
  const third = await otscope(args.slice(2));
  assert.equal(third.status, 0);
  assert.equal(third.stdout, '');
}

test('a scan killed mid-way and resumed covers every target exactly once', async () => {
  const resume = join(dir, 'kill.resume');
  const args = [BIN, 'scan', '127.77.1.0/26', '--ports', `modbus:${devices.port},502`, '--rate', '60', '--resume', resume, '--seed', '99'];
  await killAndResume(args, args.slice(2).concat(['--rate', '0']));
  assert.ok(readFileSync(resume, 'utf8').startsWith('{"otscopeScan":1'));
});

test('with --workers 2, a scan killed mid-way and resumed (on three threads) covers every target exactly once', async () => {
  const resume = join(dir, 'kill-workers.resume');
  const args = [BIN, 'scan', '127.77.1.0/26', '--ports', `modbus:${devices.port},502`, '--rate', '60', '--resume', resume, '--seed', '98', '--workers', '2'];
  await killAndResume(args, args.slice(2, -1).concat(['3', '--rate', '0']));
});

test('SIGTERM stops a scan cleanly: output and checkpoint agree, and the resumed scan repeats nothing', async () => {
  const resume = join(dir, 'term.resume');
  const args = [BIN, 'scan', '127.77.1.0/26', '--ports', `modbus:${devices.port}`, '--rate', '60', '--resume', resume, '--seed', '7'];
  const first = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out1 = '';
  let err1 = '';
  first.stderr.on('data', (d: Buffer) => (err1 += d));
  await new Promise<void>((resolve) => {
    first.stdout.on('data', (d: Buffer) => {
      out1 += d.toString();
      // Sent the moment output arrives: a signal is handled between events, never inside a flush.
      if (out1.split('\n').length > 10 && !first.killed) first.kill('SIGTERM');
    });
    first.on('close', () => resolve());
  });
  assert.equal(first.exitCode, 1);
  assert.match(err1, /interrupted/);
  const second = await otscope(args.slice(2).concat(['--rate', '0']));
  assert.equal(second.status, 0, second.stderr);
  const all = [...lines(out1), ...lines(second.stdout)].map((o) => o.ip);
  assert.equal(new Set(all).size, all.length, `duplicates: ${all.filter((x, i) => all.indexOf(x) !== i).join(', ')}`);
  assert.equal(all.length, 63);
});

test('--submit posts observations in batches to /api/v1/observations with the bearer token', async () => {
  const received: { auth: string | undefined; count: number; first: Record<string, unknown> }[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const items = (JSON.parse(body) as { observations: Record<string, unknown>[] }).observations;
      received.push({ auth: req.headers.authorization, count: items.length, first: items[0] });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ accepted: items.length, rejected: [], assets: items.length, findings: 0 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const child = spawn(process.execPath, [BIN, 'scan', '127.77.1.40/29', '--ports', `modbus:${devices.port}`, '--submit', url, '--token', 'sensor-token', '--output', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  server.close();
  assert.equal(code, 0, stderr);
  assert.equal(stdout, '');
  assert.equal(received.reduce((n, b) => n + b.count, 0), 8);
  assert.ok(received.every((b) => b.auth === 'Bearer sensor-token' && b.count <= 1000));
  const o = received[0].first;
  assert.deepEqual(Object.keys(o).sort(), ['identity', 'ip', 'observedAt', 'port', 'protocol', 'source', 'transport', 'via']);
  assert.equal(o.ip, twinPublicAddress(String(o.via)));
  assert.equal(o.transport, 'tcp');
  assert.equal(o.protocol, 'modbus');
  assert.match(String(o.observedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.match(stderr, /submitted 8 accepted/);
});

test('enterprise targets are the networks the platform has registered for them, scope-checked like any other', async () => {
  const networks: Record<string, string[]> = { E1: ['127.77.1.50/31'], E2: ['127.77.1.60/32', '10.9.0.0/24'] };
  const asked: string[] = [];
  const server = createHttpServer((req, res) => {
    const m = /^\/api\/v1\/enterprises\/([^/]+)\/networks$/.exec(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && m && networks[m[1]] && req.headers.authorization === 'Bearer t') {
      asked.push(m[1]);
      res.end(JSON.stringify({ items: networks[m[1]].map((cidr) => ({ id: cidr, enterpriseId: m[1], cidr })) }));
      return;
    }
    if (req.method === 'POST') {
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ accepted: 0, rejected: [] })));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const ok = await otscope(['enterprise:E1', '--ports', `modbus:${devices.port}`, '--submit', url, '--token', 't']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(lines(ok.stdout).map((o) => o.ip).sort(), ['127.77.1.50', '127.77.1.51']);
    const denied = await otscope(['enterprise:E2', '--ports', `modbus:${devices.port}`, '--submit', url, '--token', 't']);
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /SCOPE_DENIED: target enterprise:E2 \(10\.9\.0\.0\/24\)/);
    assert.equal(denied.stdout, '');
    assert.deepEqual(asked, ['E1', 'E2']);
  } finally {
    server.close();
  }
});
