// A real Modbus client nobody here wrote (Debian's python3-pymodbus) against `otscope honeypot`
// run as a separate process with --log and --submit: the registers it writes read back, the log
// holds exactly its operations, and the platform stores them as events and one indicator for the
// source. Then the platform's honeypot flag: Conpot's default identity is flagged at ingest, a
// randomised persona's identity (as a perfect scanner reads it) is not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Platform } from '../src/main.ts';
import { deploy, exposes, personaById, protocolsOf } from '../src/personas/index.ts';
import type { HoneypotEvent } from '../src/honeypot/index.ts';
import { client } from './support/api.ts';
import { dialectTargets } from './support/stores.ts';
import { ADMIN_PASSWORD, startTestPlatform } from './support/platform.ts';

const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);
const BIN = new URL('../bin/otscope.js', import.meta.url).pathname;

async function pymodbusReady(): Promise<boolean> {
  const ok = existsSync(PYTHON) && (await run(PYTHON, ['-c', 'import pymodbus.client']).then(() => true, () => false));
  if (ok) return true;
  if (process.env.CI === 'true') assert.fail(`${PYTHON} with pymodbus is missing and CI is true`);
  console.log(`# skipped: ${PYTHON} with python3-pymodbus is not installed`);
  return false;
}

const target = dialectTargets()[0];
let platform: Platform;
let api: ReturnType<typeof client>;
let admin: string;
const dir = mkdtempSync(join(tmpdir(), 'otscope-honeypot-'));

before(async () => {
  platform = await startTestPlatform(target);
  api = client(platform.url);
  admin = await api.login('admin', ADMIN_PASSWORD);
});
after(async () => {
  await platform.close();
  await target.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the CLI; resolves once it says it listens. */
function startCli(args: string[]): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'honeypot', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'listening' from the sensor: ${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening')) {
        clearTimeout(timer);
        resolve({ child, stderr: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sensor exited ${code}: ${err}`));
    });
  });
}

const PYMODBUS_SESSION = `
import json, sys
from pymodbus.client import ModbusTcpClient
c = ModbusTcpClient(sys.argv[1], port=int(sys.argv[2]), timeout=3)
assert c.connect()
before = c.read_holding_registers(100, 3, slave=1).registers
c.write_register(100, 4242, slave=1)
c.write_registers(101, [7, 8], slave=1)
after = c.read_holding_registers(100, 3, slave=1).registers
c.close()
print(json.dumps({"before": before, "after": after}))
`;

test('pymodbus reads and writes registers on `otscope honeypot`; the log and the platform show exactly those operations', { timeout: 60_000 }, async () => {
  if (!(await pymodbusReady())) return;
  await api.post('/api/v1/users', { username: 'sensor-1', password: 'sensor-pass-1234', role: 'sensor' }, admin);
  const token = await api.login('sensor-1', 'sensor-pass-1234');
  const log = join(dir, 'events.jsonl');
  const host = `127.77.250.${(process.pid % 250) + 2}`;
  const port = 26000 + (process.pid % 2000);
  const { child, stderr } = await startCli(['--persona', 'schneider-m221-tm221ce24r', '--bind', host, '--ports', `modbus=${port}`, '--log', log, '--submit', platform.url, '--token', token, '--sensor-id', 'hp-pymodbus']);
  let out: { before: number[]; after: number[] };
  try {
    const { stdout } = await run(PYTHON, ['-c', PYMODBUS_SESSION, host, String(port)], { timeout: 20_000 });
    out = JSON.parse(stdout);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  assert.equal(out.before.length, 3);
  assert.deepEqual(out.after, [4242, 7, 8]);
  assert.match(stderr(), /5 events logged, 5 submitted, 0 dropped/);

  const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HoneypotEvent);
  assert.deepEqual(
    events.map((e) => [e.operation, e.detail]),
    [
      ['connect', 'tcp connect'],
      ['read', 'read-holding-registers 100+3'],
      ['write', 'write-single-register 100'],
      ['write', 'write-multiple-registers 101+2'],
      ['read', 'read-holding-registers 100+3'],
    ],
  );
  assert.ok(events.every((e) => e.sensor === 'hp-pymodbus' && e.src.ip === '127.0.0.1' && e.dst.port === port && e.session === events[0].session));
  // pymodbus's write single register, as sent (MBAP + §6.6 PDU): unit 1, address 100 (0x64), 4242 (0x1092).
  assert.match(events[2].raw, /^[0-9a-f]{4}00000006010600641092$/);

  const listed = await api.get('/api/v1/honeypot/events?ip=127.0.0.1&pageSize=50', admin);
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  // Requests within one millisecond share a time; the sequence number orders them.
  const stored = [...listed.body.items].sort((x: { detail: { seq: number } }, y: { detail: { seq: number } }) => x.detail.seq - y.detail.seq);
  assert.deepEqual(stored.map((e: { summary: string }) => e.summary), events.map((e) => `modbus ${e.operation}: ${e.detail}`));
  const writes = await api.get('/api/v1/honeypot/events?ip=127.0.0.1&operation=write', admin);
  assert.equal(writes.body.total, 2);
  const source = await api.get('/api/v1/honeypot/sources/127.0.0.1', admin);
  assert.equal(source.status, 200, JSON.stringify(source.body));
  assert.deepEqual([source.body.indicator.detail.classification, source.body.indicator.detail.operations], ['manipulation', { connect: 1, read: 2, write: 2 }]);
  const activity = await api.get('/api/v1/honeypot/activity?bucket=hour', admin);
  assert.deepEqual(
    activity.body.items.map((p: { protocol: string; operation: string; count: number }) => `${p.protocol} ${p.operation} ${p.count}`).sort(),
    ['modbus connect 1', 'modbus read 2', 'modbus write 2'],
  );
  // The same batch again (a sensor retrying after a lost answer) stores nothing twice.
  const again = await api.post('/api/v1/honeypot/events', { events }, token);
  assert.deepEqual([again.body.accepted, again.body.duplicates], [0, events.length]);
});

test("the platform flags an asset showing Conpot's default identity, and not one showing a randomised persona", async () => {
  const observe = (ip: string, identity: Record<string, string>) => ({ ip, port: 102, transport: 'tcp', protocol: 's7comm', observedAt: '2026-11-01T08:00:00.000Z', source: 'test-scanner', identity });
  const conpot = deploy(personaById('conpot-default')!, 'flag', 0);
  // What a sensor wearing an S7 persona shows a perfect scanner, for a few fresh deployments.
  const worn = [0, 1, 2].map((i) => deploy(personaById('siemens-s7-300-cpu315-2pndp')!, `hp-${i}-${Date.now()}`, 0));
  const items = [observe('36.192.195.40', exposes(conpot, 's7comm', 'tcp')), ...worn.map((d, i) => observe(`36.192.195.${41 + i}`, exposes(d, 's7comm', 'tcp')))];
  assert.ok(protocolsOf(conpot).includes('s7comm'));
  const r = await api.post('/api/v1/observations', items, admin);
  assert.equal(r.body.accepted, 4, JSON.stringify(r.body));
  const flags = await platform.ctx.store.db.selectFrom('assets').select(['ip', 'honeypot']).where('ip', 'in', items.map((o) => o.ip)).orderBy('ip').execute();
  assert.deepEqual(flags.map((a) => [a.ip, a.honeypot]), [['36.192.195.40', 1], ['36.192.195.41', 0], ['36.192.195.42', 0], ['36.192.195.43', 0]]);
  // Later evidence without the defaults (its Modbus service) does not clear the flag.
  await api.post('/api/v1/observations', [{ ...observe('36.192.195.40', exposes(conpot, 'modbus', 'tcp')), port: 502, protocol: 'modbus', observedAt: '2026-11-02T08:00:00.000Z' }], admin);
  const still = await platform.ctx.store.db.selectFrom('assets').select('honeypot').where('ip', '=', '36.192.195.40').executeTakeFirstOrThrow();
  assert.equal(still.honeypot, 1);
});
