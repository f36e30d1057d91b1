// A real S7 client nobody here wrote, Snap7's (npm node-snap7, built from source), against the
// honeypot's S7-300 persona on 127.0.102.8:102: it reads the identity the persona wears, stops
// and restarts the CPU and writes a data block, and sees each stick as on a real CPU; the sensor
// reports every one of those operations. A missing Snap7 skips with the reason, except in CI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startHoneypot, type HoneypotEvent } from '../src/honeypot/index.ts';
import { unavailable } from './support/peers.ts';

// No other test binds this address (Snap7's server test uses 127.0.102.7).
const ADDRESS = '127.0.102.8';

type Callback<R> = (err: number | null | undefined, result: R) => void;
interface CpuInfo {
  ModuleTypeName: string;
  SerialNumber: string;
  ASName: string;
  Copyright: string;
  ModuleName: string;
}
interface S7Client {
  ConnectTo(ip: string, rack: number, slot: number, cb: Callback<void>): void;
  ReadSZL(id: number, index: number, cb: Callback<Buffer>): void;
  GetCpuInfo(cb: Callback<CpuInfo>): void;
  PlcStatus(cb: Callback<number>): void;
  PlcStop(cb: Callback<void>): void;
  PlcHotStart(cb: Callback<void>): void;
  DBRead(db: number, start: number, size: number, cb: Callback<Buffer>): void;
  DBWrite(db: number, start: number, size: number, data: Buffer, cb: Callback<void>): void;
  Disconnect(): boolean;
  ErrorText(code: number): string;
  S7CpuStatusRun: number;
  S7CpuStatusStop: number;
}

function call<R>(client: S7Client, fn: (cb: Callback<R>) => void): Promise<R> {
  return new Promise((resolve, reject) => fn((err, r) => (err ? reject(new Error(client.ErrorText(err))) : resolve(r))));
}

test("Snap7's client reads the honeypot's S7-300 identity, stops and starts its CPU and writes DB1", async (t) => {
  let snap7: { S7Client: new () => S7Client };
  try {
    snap7 = createRequire(import.meta.url)('node-snap7') as typeof snap7;
  } catch (e) {
    return unavailable(t, `node-snap7 does not load (${(e as Error).message.split('\n')[0]})`);
  }
  const events: HoneypotEvent[] = [];
  let hp: Awaited<ReturnType<typeof startHoneypot>>;
  try {
    hp = await startHoneypot({ persona: 'siemens-s7-300-cpu315-2pndp', seed: 'snap7-client', bind: ADDRESS, ports: { s7comm: 102 }, onEvent: (e) => events.push(e) });
  } catch (e) {
    return unavailable(t, `the honeypot cannot listen on ${ADDRESS}:102 (${(e as Error).message}; port 102 needs root)`);
  }
  t.after(() => hp.close());
  const s7 = hp.services.find((s) => s.protocol === 's7comm');
  if (s7?.error) return unavailable(t, `the honeypot's S7 service did not start on ${ADDRESS}:102: ${s7.error}`);
  const identity = hp.device.identity;

  const client = new snap7.S7Client();
  t.after(() => client.Disconnect());
  await call<void>(client, (cb) => client.ConnectTo(ADDRESS, 0, 2, cb));

  // Identity: SZL 0x001C through GetCpuInfo, SZL 0x0011 records as Snap7 hands them over
  // (LENTHDR and N_DR little-endian, then index, MlfB[20], BGTyp, Ausbg, Ausbe big-endian).
  const info = await call<CpuInfo>(client, (cb) => client.GetCpuInfo(cb));
  assert.deepEqual(info, {
    ModuleTypeName: 'CPU 315-2 PN/DP',
    SerialNumber: identity.serial,
    ASName: 'SIMATIC 300(1)',
    Copyright: 'Original Siemens Equipment',
    ModuleName: identity.moduleName,
  });
  const szl = await call<Buffer>(client, (cb) => client.ReadSZL(0x0011, 0x0000, cb));
  const length = szl.readUInt16LE(0);
  const records = new Map<number, Buffer>();
  for (let i = 0; i < szl.readUInt16LE(2); i++) records.set(szl.readUInt16BE(4 + i * length), szl.subarray(4 + i * length, 4 + (i + 1) * length));
  const module = records.get(1)!;
  const firmware = records.get(7)!;
  assert.equal(module.toString('latin1', 2, 22).trim(), identity.orderNumber);
  assert.equal(String(module.readUInt16BE(24)), identity.hardware);
  assert.equal(firmware.readUInt8(24), 0x56); // 'V'
  assert.equal(`V${firmware.readUInt8(25)}.${firmware.readUInt8(26)}.${firmware.readUInt8(27)}`, identity.firmware);

  // CPU state: what PlcStop and PlcHotStart set, SZL 0x0424 reads back.
  assert.equal(await call<number>(client, (cb) => client.PlcStatus(cb)), client.S7CpuStatusRun);
  await call<void>(client, (cb) => client.PlcStop(cb));
  assert.equal(await call<number>(client, (cb) => client.PlcStatus(cb)), client.S7CpuStatusStop);
  assert.equal(hp.state.cpu, 'stop');
  await call<void>(client, (cb) => client.PlcHotStart(cb));
  assert.equal(await call<number>(client, (cb) => client.PlcStatus(cb)), client.S7CpuStatusRun);
  assert.equal(hp.state.cpu, 'run');

  // DB1: the persona's initial bytes, then what the client wrote.
  const before = await call<Buffer>(client, (cb) => client.DBRead(1, 0, 8, cb));
  assert.deepEqual([...before], [...hp.state.s7.get(`${0x84}/1`)!.subarray(0, 8)]);
  const written = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
  await call<void>(client, (cb) => client.DBWrite(1, 2, written.length, written, cb));
  const after = await call<Buffer>(client, (cb) => client.DBRead(1, 0, 8, cb));
  assert.deepEqual([...after], [...before.subarray(0, 2), ...written, ...before.subarray(6, 8)]);

  client.Disconnect();
  await new Promise((r) => setTimeout(r, 100));
  const ops = events.map((e) => `${e.operation} ${e.detail}`);
  for (const expected of ['connect tcp connect', 'session cotp CR', 'discovery read szl 0x001c', 'discovery read szl 0x0011', 'stop plc stop', 'start plc control', 'read read var DB1', 'write write var DB1']) {
    assert.ok(ops.includes(expected), `no '${expected}' among ${JSON.stringify(ops)}`);
  }
  assert.ok(events.every((e) => e.protocol === 's7comm' && e.dst.ip === ADDRESS && e.dst.port === 102));
});
