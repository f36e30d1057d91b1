// The S7comm PDU carried in a COTP DT: header (protocol id 0x32, ROSCTR, PDU reference, parameter
// and data lengths, error class/code on ack and ack-data), parameter and data. Layouts as
// documented by Wireshark's packet-s7comm.c and Snap7; every length is checked against the bytes.
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import { ROSCTR_NAMES } from './names.ts';

export const S7_PROTOCOL_ID = 0x32;
/** S7comm-plus (protocol id 0x72) shares TPKT/COTP but is a protocol of its own. */
export const S7COMM_PLUS_ID = 0x72;

export interface S7AnyItem {
  kind: 'any';
  transportSize: number;
  /** Element count in units of the transport size. */
  length: number;
  dbNumber: number;
  area: number;
  byteAddress: number;
  bitAddress: number;
}

/** A variable specification with another syntax id: the octets after its length, as sent. */
export interface S7RawItem {
  kind: 'raw';
  varSpec: number;
  bytes: Uint8Array;
}

export type S7VarItem = S7AnyItem | S7RawItem;

export type S7Param =
  | { kind: 'none' }
  | { kind: 'setup-communication'; function: 0xf0; reserved: number; maxAmqCalling: number; maxAmqCalled: number; pduLength: number }
  /** Read / write var: the job lists item specifications; the ack-data only counts them. */
  | { kind: 'var'; function: 0x04 | 0x05; itemCount: number; items: S7VarItem[] }
  | {
      kind: 'userdata';
      head: number;
      /** 0x11 request, 0x12 response. */
      method: number;
      type: number;
      group: number;
      subfunction: number;
      sequence: number;
      /** Only in the 12-octet (response) form. */
      continuation?: { dataUnitRef: number; lastDataUnit: number; errorCode: number };
    }
  /** Other functions (block up/download, PI service, PLC stop …): the octets after the code. */
  | { kind: 'function'; function: number; bytes: Uint8Array }
  | { kind: 'raw'; bytes: Uint8Array };

export interface S7DataItem {
  returnCode: number;
  transportSize: number;
  /** The length field as sent: bits for transport sizes 3, 4 and 5, octets otherwise. */
  length: number;
  data: Uint8Array;
}

export type S7Data =
  | { kind: 'none' }
  | { kind: 'items'; items: S7DataItem[] }
  | { kind: 'return-codes'; codes: number[] }
  | { kind: 'userdata'; returnCode: number; transportSize: number; payload: Uint8Array }
  | { kind: 'raw'; bytes: Uint8Array };

export interface S7Pdu {
  rosctr: number;
  redundancyId: number;
  pduRef: number;
  /** Ack and ack-data only. */
  error?: { errorClass: number; errorCode: number };
  param: S7Param;
  data: S7Data;
}

const MAX_ITEMS = 255;

function itemByteLength(transportSize: number, length: number): number {
  return transportSize >= 3 && transportSize <= 5 ? (length + 7) >> 3 : length;
}

function decodeVarItem(r: ByteReader): S7VarItem {
  const varSpec = r.u8();
  const specLength = r.u8();
  if (!r.has(specLength)) return { kind: 'raw', varSpec, bytes: r.bytesView(specLength) };
  if (varSpec === 0x12 && specLength === 10 && r.bytes[r.offset] === 0x10) {
    r.skip(1);
    const transportSize = r.u8();
    const length = r.u16be();
    const dbNumber = r.u16be();
    const area = r.u8();
    const address = r.u24be();
    return { kind: 'any', transportSize, length, dbNumber, area, byteAddress: address >> 3, bitAddress: address & 7 };
  }
  return { kind: 'raw', varSpec, bytes: r.bytesView(specLength) };
}

/** The parameter block bytes[start, end); a view of it is made only when it is kept raw. */
function decodeParam(rosctr: number, bytes: Uint8Array, start: number, end: number): S7Param | null {
  const size = end - start;
  if (size === 0) return { kind: 'none' };
  const r = new ByteReader(bytes, start, end);
  if (rosctr === 7) {
    const head = r.u24be();
    const len = r.u8();
    if (len !== size - 4 || (len !== 4 && len !== 8)) return null;
    const method = r.u8();
    const tg = r.u8();
    const subfunction = r.u8();
    const sequence = r.u8();
    const param: S7Param = { kind: 'userdata', head, method, type: tg >> 4, group: tg & 0x0f, subfunction, sequence };
    if (len === 8) param.continuation = { dataUnitRef: r.u8(), lastDataUnit: r.u8(), errorCode: r.u16be() };
    return param;
  }
  if (rosctr !== 1 && rosctr !== 3) return { kind: 'raw', bytes: bytes.subarray(start, end) };
  const fn = r.u8();
  if (fn === 0xf0) {
    if (size !== 8) return null;
    return { kind: 'setup-communication', function: 0xf0, reserved: r.u8(), maxAmqCalling: r.u16be(), maxAmqCalled: r.u16be(), pduLength: r.u16be() };
  }
  if (fn === 0x04 || fn === 0x05) {
    const itemCount = r.u8();
    if (r.overrun) return null;
    if (rosctr === 3) return size === 2 ? { kind: 'var', function: fn, itemCount, items: [] } : null;
    // ByteReader.list's bounds (each item at least 2 octets), into an array of the exact size.
    if (itemCount * 2 > r.remaining) return null;
    const items = new Array<S7VarItem>(itemCount);
    for (let i = 0; i < itemCount && !r.overrun; i++) items[i] = decodeVarItem(r);
    return r.overrun || r.remaining ? null : { kind: 'var', function: fn, itemCount, items };
  }
  return { kind: 'function', function: fn, bytes: r.bytesView(r.remaining) };
}

function decodeDataItems(r: ByteReader, count: number): S7DataItem[] | null {
  // ByteReader.list's bounds (each item at least 4 octets), as a loop without a closure per PDU.
  if (count > MAX_ITEMS || count * 4 > r.remaining) return null;
  // Sized up front (an array grown by push from empty reserves 16 slots); a short read returns null.
  const items = new Array<S7DataItem>(count);
  for (let i = 0; i < count && !r.overrun; i++) {
    const returnCode = r.u8();
    const transportSize = r.u8();
    const length = r.u16be();
    const n = itemByteLength(transportSize, length);
    if (!r.has(n)) {
      items[i] = { returnCode, transportSize, length, data: new Uint8Array(0) };
      continue;
    }
    const data = r.bytesView(n);
    // A fill octet keeps the next item on an even offset; none follows the last item.
    if (n % 2 && i < count - 1) r.skip(1);
    items[i] = { returnCode, transportSize, length, data };
  }
  return r.overrun || r.remaining ? null : items;
}

/** The data block bytes[start, end); a view of it is made only when it is kept raw. */
function decodeData(rosctr: number, param: S7Param, bytes: Uint8Array, start: number, end: number): S7Data | null {
  const size = end - start;
  if (size === 0) return { kind: 'none' };
  const r = new ByteReader(bytes, start, end);
  if (param.kind === 'userdata') {
    const returnCode = r.u8();
    const transportSize = r.u8();
    const length = r.u16be();
    if (r.overrun || length !== r.remaining) return null;
    return { kind: 'userdata', returnCode, transportSize, payload: r.bytesView(length) };
  }
  if (param.kind === 'var') {
    if ((param.function === 0x04 && rosctr === 3) || (param.function === 0x05 && rosctr === 1)) {
      const items = decodeDataItems(r, param.itemCount);
      return items ? { kind: 'items', items } : null;
    }
    if (param.function === 0x05 && rosctr === 3) {
      if (size !== param.itemCount) return null;
      return { kind: 'return-codes', codes: Array.from(bytes.subarray(start, end)) };
    }
  }
  return { kind: 'raw', bytes: bytes.subarray(start, end) };
}

export type S7Result = { pdu: S7Pdu; anomalies: string[] } | null;

/** Decodes a whole S7 PDU; null when the header does not hold (not S7, or lengths do not add up). */
export function decodeS7(bytes: Uint8Array): S7Result {
  const r = new ByteReader(bytes);
  if (r.u8() !== S7_PROTOCOL_ID) return null;
  const rosctr = r.u8();
  const redundancyId = r.u16be();
  const pduRef = r.u16be();
  const paramLength = r.u16be();
  const dataLength = r.u16be();
  const pdu: S7Pdu = { rosctr, redundancyId, pduRef, param: { kind: 'none' }, data: { kind: 'none' } };
  if (rosctr === 2 || rosctr === 3) pdu.error = { errorClass: r.u8(), errorCode: r.u8() };
  if (r.overrun || paramLength + dataLength !== r.remaining) return null;
  const anomalies: string[] = [];
  // Both blocks fit (checked above): they are decoded in place, views made only for raw ones.
  const paramStart = r.offset;
  const dataStart = paramStart + paramLength;
  const dataEnd = dataStart + dataLength;
  const param = decodeParam(rosctr, bytes, paramStart, dataStart);
  if (param) pdu.param = param;
  else {
    anomalies.push('malformed-parameter');
    pdu.param = { kind: 'raw', bytes: bytes.subarray(paramStart, dataStart) };
  }
  const data = decodeData(rosctr, pdu.param, bytes, dataStart, dataEnd);
  if (data) pdu.data = data;
  else {
    anomalies.push('malformed-data');
    pdu.data = { kind: 'raw', bytes: bytes.subarray(dataStart, dataEnd) };
  }
  if (!(rosctr in ROSCTR_NAMES)) anomalies.push('unknown-rosctr');
  return { pdu, anomalies };
}

function encodeParam(w: ByteWriter, p: S7Param): void {
  switch (p.kind) {
    case 'none':
      return;
    case 'setup-communication':
      w.u8(0xf0).u8(p.reserved).u16be(p.maxAmqCalling).u16be(p.maxAmqCalled).u16be(p.pduLength);
      return;
    case 'var':
      w.u8(p.function).u8(p.itemCount);
      for (const it of p.items) {
        if (it.kind === 'any') {
          w.u8(0x12).u8(10).u8(0x10).u8(it.transportSize).u16be(it.length).u16be(it.dbNumber).u8(it.area);
          w.u24be((it.byteAddress << 3) | (it.bitAddress & 7));
        } else {
          w.u8(it.varSpec).u8(it.bytes.length).bytes(it.bytes);
        }
      }
      return;
    case 'userdata':
      w.u24be(p.head).u8(p.continuation ? 8 : 4).u8(p.method).u8((p.type << 4) | (p.group & 0x0f)).u8(p.subfunction).u8(p.sequence);
      if (p.continuation) w.u8(p.continuation.dataUnitRef).u8(p.continuation.lastDataUnit).u16be(p.continuation.errorCode);
      return;
    case 'function':
      w.u8(p.function).bytes(p.bytes);
      return;
    case 'raw':
      w.bytes(p.bytes);
      return;
  }
}

function encodeData(w: ByteWriter, d: S7Data): void {
  switch (d.kind) {
    case 'none':
      return;
    case 'items':
      d.items.forEach((it, i) => {
        w.u8(it.returnCode).u8(it.transportSize).u16be(it.length).bytes(it.data);
        if (it.data.length % 2 && i < d.items.length - 1) w.u8(0);
      });
      return;
    case 'return-codes':
      for (const c of d.codes) w.u8(c);
      return;
    case 'userdata':
      w.u8(d.returnCode).u8(d.transportSize).u16be(d.payload.length).bytes(d.payload);
      return;
    case 'raw':
      w.bytes(d.bytes);
      return;
  }
}

export function encodeS7(w: ByteWriter, pdu: S7Pdu): void {
  const start = w.length;
  w.u8(S7_PROTOCOL_ID).u8(pdu.rosctr).u16be(pdu.redundancyId).u16be(pdu.pduRef).u16be(0).u16be(0);
  if (pdu.rosctr === 2 || pdu.rosctr === 3) w.u8(pdu.error?.errorClass ?? 0).u8(pdu.error?.errorCode ?? 0);
  const p0 = w.length;
  encodeParam(w, pdu.param);
  const d0 = w.length;
  encodeData(w, pdu.data);
  w.patchU16be(start + 6, d0 - p0);
  w.patchU16be(start + 8, w.length - d0);
}
