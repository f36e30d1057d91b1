// Identification of Snap7's S7 server (npm node-snap7, built from source), software nobody here
// wrote, on 127.0.102.7:102. What it serves is read back by two oracles that share no code with
// otscope: Snap7's own client (SZL 0x0011 records and GetCpuInfo's SZL 0x001C fields) and nmap's
// s7-info script. Missing peers skip with the reason, except in CI, where they fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { Observation } from '../src/model/index.ts';
import { Plan, noTwinMapping, parsePorts, resolveTargets, scan } from '../src/scanner/index.ts';
import { CI, unavailable } from './support/peers.ts';

const NMAP = '/usr/bin/nmap';
// No other test binds this address; port 102 is S7's own (ISO-TSAP), which needs root.
const ADDRESS = '127.0.102.7';

type Callback<R> = (err: number | null | undefined, result: R) => void;
/** Snap7's reading of SZL 0x001C (component identification). */
interface CpuInfo {
  ModuleTypeName: string;
  SerialNumber: string;
  ASName: string;
  Copyright: string;
  ModuleName: string;
}
interface S7Server {
  StartTo(ip: string): boolean;
  Stop(): boolean;
  LastError(): number;
  ErrorText(code: number): string;
}
interface S7Client {
  ConnectTo(ip: string, rack: number, slot: number, cb: Callback<void>): void;
  ReadSZL(id: number, index: number, cb: Callback<Buffer>): void;
  GetCpuInfo(cb: Callback<CpuInfo>): void;
  Disconnect(): boolean;
  ErrorText(code: number): string;
}
interface Snap7 {
  S7Server: new () => S7Server;
  S7Client: new () => S7Client;
}

function loadSnap7(): Snap7 | string {
  try {
    return createRequire(import.meta.url)('node-snap7') as Snap7;
  } catch (e) {
    return `node-snap7 does not load (${(e as Error).message.split('\n')[0]})`;
  }
}

/** A Snap7 client call as a promise; Snap7's error codes become its own error text. */
function call<R>(client: S7Client, fn: (cb: Callback<R>) => void): Promise<R> {
  return new Promise((resolve, reject) => fn((err, r) => (err ? reject(new Error(client.ErrorText(err))) : resolve(r))));
}

/**
 * SZL 0x0011 as Snap7's client hands it over: LENTHDR and N_DR (little-endian, Snap7's own
 * header), then N_DR records of index, MlfB[20], BGTyp, Ausbg, Ausbe (big-endian, as on the wire).
 */
function moduleRecords(szl: Buffer): Map<number, { mlfb: string; ausbg: number; ausbe: number }> {
  const length = szl.readUInt16LE(0);
  const count = szl.readUInt16LE(2);
  const out = new Map<number, { mlfb: string; ausbg: number; ausbe: number }>();
  for (let i = 0; i < count; i++) {
    const at = 4 + i * length;
    out.set(szl.readUInt16BE(at), { mlfb: szl.toString('latin1', at + 2, at + 22), ausbg: szl.readUInt16BE(at + 24), ausbe: szl.readUInt16BE(at + 26) });
  }
  return out;
}

/** nmap's s7-info lines (`|   Module: …`) as key → value, the value exactly as printed. */
function s7Info(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^\|[_ ]\s+([A-Za-z ]+): (.*)$/gm)) out[m[1]] = m[2];
  return out;
}

test("identifies Snap7's S7 server as Snap7's client and nmap's s7-info read it", async (t) => {
  const snap7 = loadSnap7();
  if (typeof snap7 === 'string') return unavailable(t, snap7);
  const server = new snap7.S7Server();
  if (!server.StartTo(ADDRESS)) return unavailable(t, `Snap7's server cannot listen on ${ADDRESS}:102 (${server.ErrorText(server.LastError())}; port 102 needs root)`);
  t.after(() => server.Stop());

  const observations: Observation[] = [];
  const plan = new Plan(await resolveTargets([ADDRESS]), parsePorts('102'), 1);
  const stats = await scan({ plan, timeoutMs: 2000, publicAddress: noTwinMapping, onObservation: (o) => observations.push(o) });
  assert.equal(stats.finished, 1);
  assert.equal(observations.length, 1);
  const [o] = observations;
  assert.deepEqual({ ip: o.ip, port: o.port, transport: o.transport, protocol: o.protocol, via: o.via }, { ip: ADDRESS, port: 102, transport: 'tcp', protocol: 's7comm', via: undefined });
  const id = o.identity!;
  assert.ok(id, 'no identity from Snap7');

  // Oracle 1: Snap7's client, over its own connection (rack 0, slot 2).
  const client = new snap7.S7Client();
  t.after(() => client.Disconnect());
  await call<void>(client, (cb) => client.ConnectTo(ADDRESS, 0, 2, cb));
  const records = moduleRecords(await call<Buffer>(client, (cb) => client.ReadSZL(0x0011, 0x0000, cb)));
  const info = await call<CpuInfo>(client, (cb) => client.GetCpuInfo(cb));
  const module = records.get(0x0001)!;
  const basic = records.get(0x0006)!;
  const firmware = records.get(0x0007)!;
  assert.ok(module && basic && firmware, `SZL 0x0011 records ${[...records.keys()]}`);
  assert.equal(firmware.ausbg >> 8, 0x56, "record 7's Ausbg starts with 'V'");
  assert.deepEqual(
    {
      orderNumber: id.orderNumber,
      hardware: id.hardware,
      firmware: id.firmware,
      product: id.product,
      serial: id.serial,
      moduleName: id.moduleName,
      basicHardware: id.raw?.basicHardware,
      automationSystemName: id.raw?.automationSystemName,
      copyright: id.raw?.copyright,
    },
    {
      orderNumber: module.mlfb.trim(),
      // Ausbg of the module record is the module's version; its Ausbe the PG description file's release.
      hardware: String(module.ausbg),
      firmware: `V${firmware.ausbg & 0xff}.${firmware.ausbe >> 8}.${firmware.ausbe & 0xff}`,
      product: info.ModuleTypeName,
      serial: info.SerialNumber,
      moduleName: info.ModuleName,
      basicHardware: basic.mlfb.trim(),
      automationSystemName: info.ASName,
      copyright: info.Copyright,
    },
  );
  assert.equal(id.vendor, 'Siemens');
  assert.equal(id.model, 'S7-300'); // 6ES7 3xx: the order number names the family
  // Snap7 serves an empty plant identification (SZL 0x001C index 3): none is reported.
  assert.equal(id.plantId, undefined);

  // Oracle 2: nmap's s7-info, as an operator runs it.
  if (!existsSync(NMAP)) {
    if (CI) assert.fail(`${NMAP} missing in CI`);
    console.log(`# nmap part skipped: ${NMAP} missing`);
    return;
  }
  const { stdout } = await promisify(execFile)(NMAP, ['-n', '-Pn', '-sT', '-p', '102', '--script', 's7-info', ADDRESS], { timeout: 60_000 });
  const nmap = s7Info(stdout);
  assert.deepEqual(
    nmap,
    {
      // s7-info prints the space-padded MlfB as it comes off the wire; otscope trims the padding.
      Module: `${id.raw?.module} `,
      'Basic Hardware': `${id.raw?.basicHardware} `,
      Version: id.firmware!.replace(/^V/, ''),
      'System Name': id.raw?.automationSystemName,
      'Module Type': id.moduleName,
      'Serial Number': id.serial,
      Copyright: id.raw?.copyright,
    },
    stdout,
  );
});
