// What one honeypot deployment remembers across connections, so an attacker who writes a
// register, stops the CPU or publishes a retained topic sees it stick — as on a real device.
// Everything here is bounded: a flood of writes cannot grow it past a few hundred kilobytes.
import { hash32, random, type Device } from '../personas/index.ts';

/** Modbus holding registers / coils kept per address (§4.3 data model), at most this many each. */
export const MAX_WRITTEN = 4096;
/** S7 memory areas a client may write (DBs, M, Q), each at most this many octets. */
export const S7_AREA_BYTES = 1024;
export const MAX_S7_AREAS = 32;
export const MAX_RETAINED = 64;
export const MAX_RETAINED_BYTES = 512;

export interface HoneypotState {
  readonly bootedAt: number;
  holding: Map<number, number>;
  coils: Map<number, number>;
  /** Modbus §6.9 communication event counter, starting where a running device's would be. */
  eventCounter: number;
  cpu: 'run' | 'stop';
  /** `${area}/${db}` → octets (0x84 = DB, 0x83 = M, 0x82 = Q, 0x81 = I). */
  s7: Map<string, Uint8Array>;
  /** Data blocks the CPU reports in its block list and answers reads for. */
  dataBlocks: number[];
  retained: Map<string, Uint8Array>;
  /** BACnet device object properties written by clients (§12.11: object-name, description, location). */
  bacnet: Map<number, string>;
  /** IEC 104 single points (IOA → value), changing now and then to be sent spontaneously. */
  points: Map<number, 0 | 1>;
}

const DAY = 86_400_000;

/** A fresh state, its starting values drawn from the device's own variables. */
export function newState(device: Device, now = Date.now()): HoneypotState {
  const next = random(`${device.vars.serial}/state`);
  // Up between 3 and 400 days: controllers run for months between maintenance windows.
  const bootedAt = now - Math.floor((3 + next() * 397) * DAY);
  const dbCount = 3 + Math.floor(next() * 6);
  const dataBlocks = Array.from({ length: dbCount }, (_, i) => i + 1).concat(100 + Math.floor(next() * 50));
  const s7 = new Map<string, Uint8Array>();
  for (const db of dataBlocks) {
    const bytes = new Uint8Array(64 + Math.floor(next() * 192));
    for (let i = 0; i < bytes.length; i++) bytes[i] = hash32(`${device.vars.serial}/db${db}/${i}`) & 0xff;
    s7.set(`${0x84}/${db}`, bytes);
  }
  const points = new Map<number, 0 | 1>();
  for (let i = 0; i < (device.persona.services.iec104?.points ?? 0); i++) points.set(1001 + i, (hash32(`${device.vars.serial}/${i}`) & 1) as 0 | 1);
  const retained = new Map<string, Uint8Array>();
  const site = device.vars.station ?? 'site';
  const enc = new TextEncoder();
  for (const [topic, value] of [
    [`${site}/status`, 'online'],
    [`${site}/line1/temperature`, (40 + next() * 30).toFixed(1)],
    [`${site}/line1/pressure`, (1 + next() * 5).toFixed(2)],
    [`${site}/pump1/state`, next() < 0.8 ? 'running' : 'stopped'],
  ] as const) retained.set(topic, enc.encode(value));
  return {
    bootedAt,
    holding: new Map(),
    coils: new Map(),
    eventCounter: Math.floor(((now - bootedAt) / 1000) * (0.2 + next())) & 0xffff,
    cpu: 'run',
    s7,
    dataBlocks,
    retained,
    points,
    bacnet: new Map(),
  };
}

/** Base register value where nothing was written: stable per device and address. */
export function baseRegister(device: Device, table: number, address: number): number {
  return hash32(`${device.vars.serial}/${(table << 16) + address}`) & 0xffff;
}

/** Sets a bounded map entry; refuses a new key once the map is full (the write is still answered). */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): boolean {
  if (!map.has(key) && map.size >= max) return false;
  map.set(key, value);
  return true;
}
