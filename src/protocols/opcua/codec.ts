// OPC UA Binary encoding of the built-in types this engine reads (IEC 62541-6 §5.2): String and
// ByteString (Int32 length, -1 = null), NodeId in its six encodings, LocalizedText,
// DiagnosticInfo, ExtensionObject, and the request/response headers (IEC 62541-4 §7.28/§7.29).
import { ByteReader, type ByteWriter } from '../../wire/index.ts';

/** Longest String/ByteString accepted; certificates and URIs are far shorter. */
export const MAX_STRING = 1 << 16;
const MAX_ARRAY = 1024;

export type NodeId =
  | { namespace: number; kind: 'numeric'; id: number }
  | { namespace: number; kind: 'string'; id: string }
  | { namespace: number; kind: 'guid' | 'opaque'; id: string };

/** The NodeId's text form (IEC 62541-6 §5.3.1.10): "i=2258", "ns=2;s=Boiler.Temp", "ns=1;g=…", "ns=1;b=…". */
export function nodeIdText(n: NodeId): string {
  const ns = n.namespace ? `ns=${n.namespace};` : '';
  const kind = n.kind === 'numeric' ? 'i' : n.kind === 'string' ? 's' : n.kind === 'guid' ? 'g' : 'b';
  return `${ns}${kind}=${n.id}`;
}

/** One decoder for every String: decoding without `stream` keeps no state between calls. */
const UTF8 = new TextDecoder();

/** Reads a String; null for length -1, undefined (and overrun) when the length is not possible. */
export function readString(r: ByteReader): string | null | undefined {
  const bytes = byteStringView(r);
  if (bytes === undefined || bytes === null) return bytes;
  return UTF8.decode(bytes);
}

export function readByteString(r: ByteReader): Uint8Array | null | undefined {
  const bytes = byteStringView(r);
  return bytes ? bytes.slice() : bytes;
}

/** A ByteString's octets viewed in place: null for length -1, undefined (and overrun) when the length is not possible. */
function byteStringView(r: ByteReader): Uint8Array | null | undefined {
  const len = r.i32le();
  if (r.overrun) return undefined;
  if (len === -1) return null;
  if (len < 0 || len > MAX_STRING || len > r.remaining) {
    r.overrun = true;
    return undefined;
  }
  return r.bytesView(len);
}

export function readArray<T>(r: ByteReader, item: (r: ByteReader) => T): T[] | null {
  const n = r.i32le();
  if (n === -1 || r.overrun) return null;
  if (n < 0 || n > MAX_ARRAY || n > r.remaining) {
    r.overrun = true;
    return [];
  }
  const out: T[] = [];
  for (let i = 0; i < n && !r.overrun; i++) out.push(item(r));
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexOf(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

/** An opaque identifier's octets, viewed in place (bounded like any ByteString). */
function opaqueView(r: ByteReader): Uint8Array {
  const len = r.i32le();
  if (r.overrun || len <= 0) return new Uint8Array(0);
  if (len > MAX_STRING || len > r.remaining) {
    r.overrun = true;
    return new Uint8Array(0);
  }
  return r.bytesView(len);
}

export function readNodeId(r: ByteReader): NodeId {
  const enc = r.u8();
  const id = readNodeIdBody(r, enc & 0x0f);
  // ExpandedNodeId flags (§5.2.2.10): namespace URI and server index follow.
  if (enc & 0x80) readString(r);
  if (enc & 0x40) r.u32le();
  return id;
}

function readNodeIdBody(r: ByteReader, kind: number): NodeId {
  switch (kind) {
    case 0:
      return { namespace: 0, kind: 'numeric', id: r.u8() };
    case 1: {
      const namespace = r.u8();
      return { namespace, kind: 'numeric', id: r.u16le() };
    }
    case 2: {
      const namespace = r.u16le();
      return { namespace, kind: 'numeric', id: r.u32le() };
    }
    case 3: {
      const namespace = r.u16le();
      return { namespace, kind: 'string', id: readString(r) ?? '' };
    }
    case 4: {
      const namespace = r.u16le();
      return { namespace, kind: 'guid', id: hexOf(r.bytesView(16)) };
    }
    case 5: {
      const namespace = r.u16le();
      return { namespace, kind: 'opaque', id: hexOf(opaqueView(r)) };
    }
    default:
      r.overrun = true;
      return { namespace: 0, kind: 'numeric', id: 0 };
  }
}

export interface LocalizedText {
  locale?: string;
  text?: string;
}

export function readLocalizedText(r: ByteReader): LocalizedText {
  const mask = r.u8();
  const out: LocalizedText = {};
  if (mask & 0x01) out.locale = readString(r) ?? undefined;
  if (mask & 0x02) out.text = readString(r) ?? undefined;
  return out;
}

export function skipDiagnosticInfo(r: ByteReader, depth = 0): void {
  const mask = r.u8();
  if (mask & 0x01) r.skip(4);
  if (mask & 0x02) r.skip(4);
  if (mask & 0x04) r.skip(4);
  if (mask & 0x08) r.skip(4);
  if (mask & 0x10) readString(r);
  if (mask & 0x20) r.skip(4);
  if (mask & 0x40) {
    if (depth >= 8) r.overrun = true;
    else skipDiagnosticInfo(r, depth + 1);
  }
}

export function skipExtensionObject(r: ByteReader): void {
  readNodeId(r);
  const enc = r.u8();
  if (enc === 1 || enc === 2) readByteString(r);
}

export interface RequestHeader {
  authenticationToken: NodeId;
  /** DateTime as ms since 1970 (see dateTimeMs); 0 ticks (unset) reads as DATE_TIME_UNSET. */
  timestamp: number;
  requestHandle: number;
}

/** IEC 62541-4 §7.28 RequestHeader. */
export function readRequestHeader(r: ByteReader): RequestHeader {
  const authenticationToken = readNodeId(r);
  const lo = r.u32le();
  const hi = r.u32le();
  // Two halves instead of a BigInt: a float loses a few ticks (µs), never a millisecond.
  const timestamp = Math.floor((hi * 4_294_967_296 + lo) / 10_000) + DATE_TIME_UNSET;
  const requestHandle = r.u32le();
  r.skip(4); // returnDiagnostics
  readString(r); // auditEntryId
  r.skip(4); // timeoutHint
  skipExtensionObject(r);
  return { authenticationToken, timestamp, requestHandle };
}

/** IEC 62541-4 §7.29 ResponseHeader; returns the service result status code. */
export function readResponseHeader(r: ByteReader): number {
  r.skip(8); // timestamp
  r.skip(4); // requestHandle
  const result = r.u32le();
  skipDiagnosticInfo(r);
  readArray(r, readString); // stringTable
  skipExtensionObject(r);
  return result;
}

/** Fixed sizes of the built-in types a Variant may hold (IEC 62541-6 §5.1.2), by type id. */
const FIXED_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 4, 8: 8, 9: 8, 10: 4, 11: 8, 13: 8, 14: 16, 19: 4 };

export interface ExtensionObject {
  typeId: NodeId;
  body: Uint8Array;
}

/**
 * Reads a Variant (§5.2.2.16), returning the ExtensionObjects it holds and stepping over every
 * other value; `depth` bounds the nesting of Variants and DataValues inside Variants.
 */
export function readVariant(r: ByteReader, found: ExtensionObject[], depth = 0): void {
  const mask = r.u8();
  const type = mask & 0x3f;
  const count = mask & 0x80 ? r.i32le() : 1;
  if (count < 0) return; // null array
  if (count > MAX_ARRAY || count > r.remaining + 1 || depth > 4) {
    r.overrun = true;
    return;
  }
  for (let i = 0; i < count && !r.overrun; i++) readBuiltIn(r, type, found, depth);
  if (mask & 0x40) readArray(r, (x) => x.i32le());
}

function readBuiltIn(r: ByteReader, type: number, found: ExtensionObject[], depth: number): void {
  if (FIXED_SIZE[type]) {
    r.skip(FIXED_SIZE[type]);
    return;
  }
  switch (type) {
    case 0:
      return;
    case 12:
    case 15:
    case 16:
      readByteString(r);
      return;
    case 17:
    case 18:
      readNodeId(r);
      return;
    case 20:
      r.skip(2);
      readString(r);
      return;
    case 21:
      readLocalizedText(r);
      return;
    case 22: {
      const typeId = readNodeId(r);
      const enc = r.u8();
      if (enc === 1) {
        const body = readByteString(r);
        if (body) found.push({ typeId, body });
      } else if (enc === 2) readByteString(r);
      return;
    }
    case 23:
      readDataValue(r, found, depth + 1);
      return;
    case 24:
      readVariant(r, found, depth + 1);
      return;
    case 25:
      skipDiagnosticInfo(r);
      return;
    default:
      r.overrun = true;
  }
}

/** DataValue (§5.2.2.17): an encoding mask, then value, status and timestamps as flagged. */
export function readDataValue(r: ByteReader, found: ExtensionObject[], depth = 0): void {
  const mask = r.u8();
  if (mask & 0x01) readVariant(r, found, depth);
  if (mask & 0x02) r.skip(4);
  if (mask & 0x04) r.skip(8);
  if (mask & 0x10) r.skip(2);
  if (mask & 0x08) r.skip(8);
  if (mask & 0x20) r.skip(2);
}

export interface QualifiedName {
  namespace: number;
  name: string;
}

export function readQualifiedName(r: ByteReader): QualifiedName {
  const namespace = r.u16le();
  return { namespace, name: readString(r) ?? '' };
}

/** Built-in type ids (IEC 62541-6 §5.1.2 Table 1), as a Variant's encoding mask carries them. */
export const BUILT_IN = {
  Null: 0, Boolean: 1, SByte: 2, Byte: 3, Int16: 4, UInt16: 5, Int32: 6, UInt32: 7, Int64: 8, UInt64: 9, Float: 10, Double: 11,
  String: 12, DateTime: 13, Guid: 14, ByteString: 15, XmlElement: 16, NodeId: 17, ExpandedNodeId: 18, StatusCode: 19,
  QualifiedName: 20, LocalizedText: 21, ExtensionObject: 22, DataValue: 23, Variant: 24, DiagnosticInfo: 25,
} as const;

/** ms since 1970 of a DateTime that is 0 (unset: 1601-01-01). */
export const DATE_TIME_UNSET = -11_644_473_600_000;

/** DateTime (§5.2.2.5, 100 ns ticks since 1601-01-01 UTC) → ms since 1970, JSON-safe. */
export function dateTimeMs(ticks: bigint): number {
  return Number(ticks / 10_000n) + DATE_TIME_UNSET;
}

/** ms since 1970 → DateTime ticks. */
export function dateTimeTicks(ms: number): bigint {
  return (BigInt(Math.floor(ms)) - BigInt(DATE_TIME_UNSET)) * 10_000n;
}

/**
 * One decoded scalar: numbers for the numeric types, StatusCode and DateTime (ms since 1970),
 * decimal text for 64-bit integers (messages stay JSON-safe), text for String/XmlElement/Guid,
 * octets for ByteString. Nested DataValues, Variants and DiagnosticInfos are stepped over and read as null.
 */
export type Scalar = boolean | number | string | Uint8Array | NodeId | QualifiedName | LocalizedText | ExtensionObject | null;

export interface Variant {
  type: number;
  value: Scalar | Scalar[];
}

/** DataValue (§5.2.2.17); timestamps in ms since 1970. */
export interface DataValue {
  value?: Variant;
  status?: number;
  sourceTimestamp?: number;
  serverTimestamp?: number;
}

/** Reads a Variant's value (§5.2.2.16); at most MAX_ARRAY elements, nesting bounded by `depth`. */
export function readVariantValue(r: ByteReader, depth = 0): Variant {
  const mask = r.u8();
  const type = mask & 0x3f;
  if (!(mask & 0x80)) return { type, value: readScalar(r, type, depth) };
  const count = r.i32le();
  const value: Scalar[] = [];
  if (count > MAX_ARRAY || count > r.remaining + 1) r.overrun = true;
  else for (let i = 0; i < count && !r.overrun; i++) value.push(readScalar(r, type, depth));
  if (mask & 0x40) readArray(r, (x) => x.i32le()); // array dimensions
  return { type, value };
}

function readScalar(r: ByteReader, type: number, depth: number): Scalar {
  switch (type) {
    case 0: return null;
    case 1: return r.u8() !== 0;
    case 2: return (r.u8() << 24) >> 24;
    case 3: return r.u8();
    case 4: return (r.u16le() << 16) >> 16;
    case 5: return r.u16le();
    case 6: return r.i32le();
    case 7: case 19: return r.u32le();
    case 8: return BigInt.asIntN(64, r.u64le()).toString();
    case 9: return r.u64le().toString();
    case 13: return dateTimeMs(r.u64le());
    case 10: {
      if (!r.has(4)) return 0;
      const v = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.offset, 4).getFloat32(0, true);
      r.skip(4);
      return v;
    }
    case 11: return r.f64le();
    case 12: case 16: return readString(r) ?? null;
    case 14: {
      const g = r.bytesView(16);
      return [...g].map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    case 15: return readByteString(r) ?? null;
    case 17: case 18: return readNodeId(r);
    case 20: return readQualifiedName(r);
    case 21: return readLocalizedText(r);
    case 22: {
      const typeId = readNodeId(r);
      const enc = r.u8();
      if (enc === 1 || enc === 2) return { typeId, body: readByteString(r) ?? new Uint8Array(0) };
      return { typeId, body: new Uint8Array(0) };
    }
    case 23:
      if (depth > 4) r.overrun = true;
      else readDataValue(r, [], depth + 1);
      return null;
    case 24:
      if (depth > 4) r.overrun = true;
      else readVariant(r, [], depth + 1);
      return null;
    case 25:
      skipDiagnosticInfo(r);
      return null;
    default:
      r.overrun = true;
      return null;
  }
}

/** A DataValue with its Variant decoded (§5.2.2.17). */
export function readDataValueFull(r: ByteReader): DataValue {
  const mask = r.u8();
  const out: DataValue = {};
  if (mask & 0x01) out.value = readVariantValue(r);
  if (mask & 0x02) out.status = r.u32le();
  if (mask & 0x04) out.sourceTimestamp = dateTimeMs(r.u64le());
  if (mask & 0x10) r.skip(2);
  if (mask & 0x08) out.serverTimestamp = dateTimeMs(r.u64le());
  if (mask & 0x20) r.skip(2);
  return out;
}

const utf8 = new TextEncoder();

export function writeString(w: ByteWriter, s: string | null | undefined): void {
  if (s === null || s === undefined) w.i32le(-1);
  else {
    const b = utf8.encode(s);
    w.i32le(b.length).bytes(b);
  }
}

export function writeByteString(w: ByteWriter, b: Uint8Array | null | undefined): void {
  if (!b) w.i32le(-1);
  else w.i32le(b.length).bytes(b);
}

function hexBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(h.slice(2 * i, 2 * i + 2), 16) || 0;
  return out;
}

/** Writes a NodeId in its shortest encoding (§5.2.2.9): two-byte, four-byte, numeric, string, guid, opaque. */
export function writeNodeId(w: ByteWriter, n: NodeId, flags = 0): void {
  if (n.kind === 'numeric') {
    if (n.namespace === 0 && n.id <= 0xff) w.u8(0x00 | flags).u8(n.id);
    else if (n.namespace <= 0xff && n.id <= 0xffff) w.u8(0x01 | flags).u8(n.namespace).u16le(n.id);
    else w.u8(0x02 | flags).u16le(n.namespace).u32le(n.id);
  } else if (n.kind === 'string') {
    w.u8(0x03 | flags).u16le(n.namespace);
    writeString(w, n.id);
  } else if (n.kind === 'guid') {
    w.u8(0x04 | flags).u16le(n.namespace).bytes(hexBytes(n.id.padEnd(32, '0').slice(0, 32)));
  } else {
    w.u8(0x05 | flags).u16le(n.namespace);
    writeByteString(w, hexBytes(n.id));
  }
}

export function numericNodeId(id: number, namespace = 0): NodeId {
  return { namespace, kind: 'numeric', id };
}

export function writeQualifiedName(w: ByteWriter, q: QualifiedName): void {
  w.u16le(q.namespace);
  writeString(w, q.name);
}

export function writeLocalizedText(w: ByteWriter, t: LocalizedText): void {
  w.u8((t.locale !== undefined ? 0x01 : 0) | (t.text !== undefined ? 0x02 : 0));
  if (t.locale !== undefined) writeString(w, t.locale);
  if (t.text !== undefined) writeString(w, t.text);
}

function writeScalar(w: ByteWriter, type: number, v: Scalar): void {
  switch (type) {
    case 1: w.u8(v ? 1 : 0); return;
    case 2: case 3: w.u8(Number(v)); return;
    case 4: case 5: w.u16le(Number(v)); return;
    case 6: w.i32le(Number(v)); return;
    case 7: case 19: w.u32le(Number(v)); return;
    case 8: case 9: w.u64le(BigInt.asUintN(64, BigInt(v as string | number))); return;
    case 13: w.u64le(dateTimeTicks(Number(v))); return;
    case 10: {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, Number(v), true);
      w.bytes(b);
      return;
    }
    case 11: {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, Number(v), true);
      w.bytes(b);
      return;
    }
    case 12: case 16: writeString(w, v as string | null); return;
    case 14: w.bytes(hexBytes(String(v).padEnd(32, '0').slice(0, 32))); return;
    case 15: writeByteString(w, v as Uint8Array | null); return;
    case 17: case 18: writeNodeId(w, v as NodeId); return;
    case 20: writeQualifiedName(w, v as QualifiedName); return;
    case 21: writeLocalizedText(w, v as LocalizedText); return;
    case 22: {
      const e = v as ExtensionObject;
      writeNodeId(w, e.typeId);
      w.u8(0x01);
      writeByteString(w, e.body);
      return;
    }
  }
}

/** Writes a Variant (§5.2.2.16): scalar, or a one-dimensional array when `value` is an array. */
export function writeVariant(w: ByteWriter, v: Variant): void {
  if (v.type === 0) {
    w.u8(0);
    return;
  }
  if (Array.isArray(v.value)) {
    w.u8(v.type | 0x80).i32le(v.value.length);
    for (const x of v.value) writeScalar(w, v.type, x);
  } else {
    w.u8(v.type);
    writeScalar(w, v.type, v.value);
  }
}

export function writeDataValue(w: ByteWriter, d: DataValue): void {
  const mask = (d.value ? 0x01 : 0) | (d.status ? 0x02 : 0) | (d.sourceTimestamp !== undefined ? 0x04 : 0) | (d.serverTimestamp !== undefined ? 0x08 : 0);
  w.u8(mask);
  if (d.value) writeVariant(w, d.value);
  if (d.status) w.u32le(d.status);
  if (d.sourceTimestamp !== undefined) w.u64le(dateTimeTicks(d.sourceTimestamp));
  if (d.serverTimestamp !== undefined) w.u64le(dateTimeTicks(d.serverTimestamp));
}
