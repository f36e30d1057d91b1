// IEC 60870-5-104 APDU = APCI (start 0x68, length, four control octets) + optional ASDU
// (IEC 60870-5-101 §7 with the 104 parameters of §9: COT 2 octets, common address 2, IOA 3).
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import type { Message, Parsed } from '../protocol.ts';
import { CAUSES, ELEMENT_SIZE, TYPE_IDS, U_FUNCTIONS, type Element, type UFunction } from './type-ids.ts';

export const START = 0x68;
/** §5: the length octet counts the four control octets plus the ASDU, at most 253. */
export const MIN_LENGTH = 4;
export const MAX_LENGTH = 253;

export type Apci =
  | { format: 'I'; sendSequence: number; receiveSequence: number }
  | { format: 'S'; receiveSequence: number }
  | { format: 'U'; function: UFunction | 'invalid'; control: number };

/** IEC 60870-5-101 §7.2.6.18 CP56Time2a, kept field by field so encode restores it exactly. */
export interface Cp56Time2a {
  milliseconds: number;
  minute: number;
  hour: number;
  day: number;
  dayOfWeek: number;
  month: number;
  year: number;
  invalid: boolean;
  summerTime: boolean;
}

export interface InformationObject {
  address: number;
  /** SPI, DPI, VTI value, BSI, NVA/SVA raw integer, R32, BCR counter, SCS/DCS/RCS, QOI, QCC, COI, FBP, TSC. */
  value?: number;
  /** QDS, the quality bits of SIQ/DIQ, or the sequence/flags octet of BCR. */
  quality?: number;
  /** The qualifier bits of a command (S/E, QU, QL) or QOS/QPM/QPA/QRP. */
  qualifier?: number;
  transient?: boolean;
  time?: Cp56Time2a;
  /** Element octets of a type this engine has no layout for. */
  raw?: Uint8Array;
}

export interface Asdu {
  typeId: number;
  typeName: string;
  /** Variable structure qualifier SQ: one address followed by consecutive elements. */
  sequence: boolean;
  count: number;
  cause: number;
  causeName: string;
  negative: boolean;
  test: boolean;
  originatorAddress: number;
  commonAddress: number;
  objects: InformationObject[];
  /**
   * Set when the APDU ends inside the 6-octet ASDU header: how many of its octets arrived. Only
   * those carry fields (tshark shows the type id of a 2-octet ASDU, not a cause it never read).
   */
  headerOctets?: number;
}

export interface Iec104Message extends Message {
  apci: Apci;
  asdu?: Asdu;
  /**
   * An APDU whose length octet is below 4, as received: tshark takes 2 + length octets for a
   * malformed APDU with no fields (its apci is a placeholder); encode gives these bytes back.
   */
  malformed?: Uint8Array;
}

export function parseApdu(bytes: Uint8Array): Parsed<Iec104Message> {
  if (bytes.length === 0) return { kind: 'incomplete', needed: 2 + MIN_LENGTH };
  if (bytes[0] !== START) return afterJunk(bytes);
  if (bytes.length < 2) return { kind: 'incomplete', needed: 2 + MIN_LENGTH };
  const length = bytes[1];
  if (length > MAX_LENGTH) return { kind: 'not-mine' };
  const total = 2 + length;
  if (length < MIN_LENGTH) return shortApdu(bytes, total);
  if (bytes.length < total) return { kind: 'incomplete', needed: total };

  const anomalies: string[] = [];
  const c = bytes.subarray(2, 6);
  let apci: Apci;
  if ((c[0] & 0x01) === 0) {
    apci = { format: 'I', sendSequence: ((c[0] | (c[1] << 8)) >>> 1) & 0x7fff, receiveSequence: ((c[2] | (c[3] << 8)) >>> 1) & 0x7fff };
    if ((c[2] & 0x01) !== 0) anomalies.push('control-field-reserved-bit');
  } else if ((c[0] & 0x03) === 0x01) {
    apci = { format: 'S', receiveSequence: ((c[2] | (c[3] << 8)) >>> 1) & 0x7fff };
    if (c[0] !== 0x01 || c[1] !== 0 || (c[2] & 0x01) !== 0) anomalies.push('control-field-reserved-bit');
  } else {
    const bits = c[0] & 0xfc;
    const name = (Object.keys(U_FUNCTIONS) as UFunction[]).find((k) => U_FUNCTIONS[k] === bits);
    apci = { format: 'U', function: name ?? 'invalid', control: c[0] };
    if (!name) anomalies.push('u-format-invalid-function');
    if (c[1] !== 0 || c[2] !== 0 || c[3] !== 0) anomalies.push('control-field-reserved-bit');
  }

  const message: Iec104Message = { apci, anomalies };
  if (apci.format === 'I') {
    if (length === MIN_LENGTH) anomalies.push('i-format-without-asdu');
    else message.asdu = parseAsdu(new ByteReader(bytes, 6, total), anomalies);
  } else if (length > MIN_LENGTH) {
    anomalies.push('trailing-bytes');
  }
  return { kind: 'done', message, consumed: total };
}

/** Length octet below 4 (no room for the control field): a malformed APDU, as for tshark. */
function shortApdu(bytes: Uint8Array, total: number): Parsed<Iec104Message> {
  if (bytes.length < total) return { kind: 'incomplete', needed: total };
  const message: Iec104Message = {
    anomalies: ['apdu-length-below-minimum'],
    apci: { format: 'U', function: 'invalid', control: 0x03 },
    malformed: bytes.slice(0, total),
  };
  return { kind: 'done', message, consumed: total };
}

/**
 * Bytes before the start octet: like tshark's dissector (get_iec104apdu_len and its
 * "<ERR prefix n bytes>"), skip to the next 0x68 and decode the APDU there, the skipped bytes
 * counted as part of it. Not mine when no start octet follows.
 */
function afterJunk(bytes: Uint8Array): Parsed<Iec104Message> {
  const at = bytes.indexOf(START, 1);
  if (at < 0) return { kind: 'not-mine' };
  const r = parseApdu(bytes.subarray(at));
  if (r.kind === 'incomplete') return { kind: 'incomplete', needed: at + r.needed };
  if (r.kind === 'not-mine') return r;
  r.message.anomalies.unshift('junk-before-start');
  return { kind: 'done', message: r.message, consumed: at + r.consumed };
}

function parseAsdu(r: ByteReader, anomalies: string[]): Asdu {
  const available = r.remaining;
  const typeId = r.u8();
  const vsq = r.u8();
  const cot = r.u8();
  const originatorAddress = r.u8();
  const commonAddress = r.u16le();
  const info = TYPE_IDS[typeId];
  const asdu: Asdu = {
    typeId,
    typeName: info?.name ?? 'unknown',
    sequence: (vsq & 0x80) !== 0,
    count: vsq & 0x7f,
    cause: cot & 0x3f,
    causeName: CAUSES[cot & 0x3f] ?? 'unknown',
    negative: (cot & 0x40) !== 0,
    test: (cot & 0x80) !== 0,
    originatorAddress,
    commonAddress,
    objects: [],
  };
  if (r.overrun) {
    anomalies.push('asdu-truncated');
    asdu.headerOctets = available;
    return asdu;
  }
  if (asdu.count === 0) anomalies.push('asdu-no-objects');
  if (!info) anomalies.push('unknown-type-id');
  if (!info?.elements) {
    // No layout: keep the rest as one opaque object so encode can restore the bytes.
    if (r.remaining > 0) {
      const address = u24le(r);
      asdu.objects.push({ address, raw: r.bytesView(r.remaining).slice() });
    }
    return asdu;
  }
  const elements = info.elements;
  const size = elements.reduce((n, e) => n + ELEMENT_SIZE[e], 0);
  let address = 0;
  for (let i = 0; i < asdu.count; i++) {
    if (i === 0 || !asdu.sequence) address = u24le(r);
    else address = (address + 1) & 0xffffff;
    if (!r.has(size)) break;
    asdu.objects.push(readElements(r, address, elements));
  }
  if (r.overrun) anomalies.push('asdu-truncated');
  else if (r.remaining > 0) anomalies.push('asdu-trailing-bytes');
  return asdu;
}

function readElements(r: ByteReader, address: number, elements: readonly Element[]): InformationObject {
  const o: InformationObject = { address };
  for (const e of elements) {
    switch (e) {
      case 'siq': {
        const b = r.u8();
        o.value = b & 0x01;
        o.quality = b & 0xf0;
        break;
      }
      case 'diq': {
        const b = r.u8();
        o.value = b & 0x03;
        o.quality = b & 0xf0;
        break;
      }
      case 'vti': {
        const b = r.u8();
        o.value = (b & 0x40) !== 0 ? (b & 0x7f) - 0x80 : b & 0x7f;
        o.transient = (b & 0x80) !== 0;
        break;
      }
      case 'bsi':
        o.value = r.u32le();
        break;
      case 'nva':
      case 'sva':
        o.value = (r.u16le() << 16) >> 16;
        break;
      case 'r32': {
        const v = r.bytesView(4);
        o.value = v.length === 4 ? new DataView(v.buffer, v.byteOffset, 4).getFloat32(0, true) : 0;
        break;
      }
      case 'qds':
        o.quality = r.u8();
        break;
      case 'bcr':
        o.value = r.i32le();
        o.quality = r.u8();
        break;
      case 'sco':
        splitCommand(o, r.u8(), 0x01);
        break;
      case 'dco':
      case 'rco':
        splitCommand(o, r.u8(), 0x03);
        break;
      case 'qos':
      case 'qpm':
      case 'qpa':
      case 'qrp':
        o.qualifier = r.u8();
        break;
      case 'qoi':
      case 'qcc':
      case 'coi':
        o.value = r.u8();
        break;
      case 'fbp':
      case 'tsc':
        o.value = r.u16le();
        break;
      case 'cp56':
        o.time = readCp56(r);
        break;
    }
  }
  return o;
}

function splitCommand(o: InformationObject, b: number, stateMask: number): void {
  o.value = b & stateMask;
  o.qualifier = b & ~stateMask & 0xff;
}

function readCp56(r: ByteReader): Cp56Time2a {
  const milliseconds = r.u16le();
  const min = r.u8();
  const hour = r.u8();
  const day = r.u8();
  const month = r.u8();
  const year = r.u8();
  return {
    milliseconds,
    minute: min & 0x3f,
    invalid: (min & 0x80) !== 0,
    hour: hour & 0x1f,
    summerTime: (hour & 0x80) !== 0,
    day: day & 0x1f,
    dayOfWeek: day >>> 5,
    month: month & 0x0f,
    year: year & 0x7f,
  };
}

// IEC 60870-5-104 §9: information object addresses are three octets, least significant first.
function u24le(r: ByteReader): number {
  const lo = r.u16le();
  return lo | (r.u8() << 16);
}

export function encodeApdu(m: Iec104Message): Uint8Array {
  if (m.malformed) return m.malformed.slice();
  const w = new ByteWriter(32);
  w.u8(START).u8(0);
  const a = m.apci;
  if (a.format === 'I') w.u16le((a.sendSequence << 1) & 0xfffe).u16le((a.receiveSequence << 1) & 0xfffe);
  else if (a.format === 'S') w.u16le(0x0001).u16le((a.receiveSequence << 1) & 0xfffe);
  else w.u8(a.function === 'invalid' ? a.control | 0x03 : U_FUNCTIONS[a.function] | 0x03).u8(0).u16le(0);
  if (a.format === 'I' && m.asdu) encodeAsdu(w, m.asdu);
  w.patchU8(1, Math.min(w.length - 2, 0xff));
  return w.finish();
}

function encodeAsdu(w: ByteWriter, a: Asdu): void {
  if (a.headerOctets !== undefined) {
    const header = [a.typeId, (a.sequence ? 0x80 : 0) | (a.count & 0x7f), (a.cause & 0x3f) | (a.negative ? 0x40 : 0) | (a.test ? 0x80 : 0), a.originatorAddress, a.commonAddress & 0xff, a.commonAddress >>> 8];
    for (const b of header.slice(0, Math.min(a.headerOctets, 5))) w.u8(b);
    return;
  }
  w.u8(a.typeId)
    .u8((a.sequence ? 0x80 : 0) | (a.count & 0x7f))
    .u8((a.cause & 0x3f) | (a.negative ? 0x40 : 0) | (a.test ? 0x80 : 0))
    .u8(a.originatorAddress)
    .u16le(a.commonAddress);
  const elements = TYPE_IDS[a.typeId]?.elements;
  a.objects.forEach((o, i) => {
    if (i === 0 || !a.sequence || !elements) w.u16le(o.address).u8(o.address >>> 16);
    if (!elements) {
      if (o.raw) w.bytes(o.raw);
      return;
    }
    for (const e of elements) writeElement(w, e, o);
  });
}

function writeElement(w: ByteWriter, e: Element, o: InformationObject): void {
  const v = o.value ?? 0;
  switch (e) {
    case 'siq':
      w.u8((v & 0x01) | ((o.quality ?? 0) & 0xf0));
      break;
    case 'diq':
      w.u8((v & 0x03) | ((o.quality ?? 0) & 0xf0));
      break;
    case 'vti':
      w.u8((v & 0x7f) | (o.transient ? 0x80 : 0));
      break;
    case 'bsi':
      w.u32le(v);
      break;
    case 'nva':
    case 'sva':
      w.u16le(v);
      break;
    case 'r32': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, v, true);
      w.bytes(b);
      break;
    }
    case 'qds':
      w.u8(o.quality ?? 0);
      break;
    case 'bcr':
      w.i32le(v).u8(o.quality ?? 0);
      break;
    case 'sco':
      w.u8((v & 0x01) | ((o.qualifier ?? 0) & 0xfe));
      break;
    case 'dco':
    case 'rco':
      w.u8((v & 0x03) | ((o.qualifier ?? 0) & 0xfc));
      break;
    case 'qos':
    case 'qpm':
    case 'qpa':
    case 'qrp':
      w.u8(o.qualifier ?? 0);
      break;
    case 'qoi':
    case 'qcc':
    case 'coi':
      w.u8(v);
      break;
    case 'fbp':
    case 'tsc':
      w.u16le(v);
      break;
    case 'cp56': {
      const t = o.time;
      if (!t) {
        w.bytes(new Uint8Array(7));
        break;
      }
      w.u16le(t.milliseconds)
        .u8((t.minute & 0x3f) | (t.invalid ? 0x80 : 0))
        .u8((t.hour & 0x1f) | (t.summerTime ? 0x80 : 0))
        .u8((t.day & 0x1f) | ((t.dayOfWeek & 0x07) << 5))
        .u8(t.month & 0x0f)
        .u8(t.year & 0x7f);
      break;
    }
  }
}
