// OPC UA Binary encoding of the built-in types this engine reads (IEC 62541-6 §5.2): String and
// ByteString (Int32 length, -1 = null), NodeId in its six encodings, LocalizedText,
// DiagnosticInfo, ExtensionObject, and the request/response headers (IEC 62541-4 §7.28/§7.29).
import { ByteReader } from '../../wire/index.ts';

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

/** Reads a String; null for length -1, undefined (and overrun) when the length is not possible. */
export function readString(r: ByteReader): string | null | undefined {
  const bytes = readByteString(r);
  if (bytes === undefined || bytes === null) return bytes;
  return new TextDecoder().decode(bytes);
}

export function readByteString(r: ByteReader): Uint8Array | null | undefined {
  const len = r.i32le();
  if (r.overrun) return undefined;
  if (len === -1) return null;
  if (len < 0 || len > MAX_STRING || len > r.remaining) {
    r.overrun = true;
    return undefined;
  }
  return r.bytesView(len).slice();
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
      const g = r.bytesView(16);
      const h = [...g].map((b) => b.toString(16).padStart(2, '0'));
      return { namespace, kind: 'guid', id: h.join('') };
    }
    case 5: {
      const namespace = r.u16le();
      const b = readByteString(r) ?? new Uint8Array(0);
      return { namespace, kind: 'opaque', id: [...b].map((x) => x.toString(16).padStart(2, '0')).join('') };
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

/** IEC 62541-4 §7.28 RequestHeader; returns the request handle. */
export function readRequestHeader(r: ByteReader): number {
  readNodeId(r); // authenticationToken
  r.skip(8); // timestamp
  const handle = r.u32le();
  r.skip(4); // returnDiagnostics
  readString(r); // auditEntryId
  r.skip(4); // timeoutHint
  skipExtensionObject(r);
  return handle;
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
