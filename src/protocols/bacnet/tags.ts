// ASHRAE 135 §20.2: tagged encoding. One tag octet (tag number, class, length/value/type), an
// optional extended tag number and extended length, then the data.
import { ByteReader, ByteWriter } from '../../wire/index.ts';

export interface Tag {
  number: number;
  context: boolean;
  opening: boolean;
  closing: boolean;
  /** Boolean application tags carry their value in the LVT bits (§20.2.3). */
  lvt: number;
  data: Uint8Array;
}

export interface ObjectId {
  objectType: number;
  instance: number;
}

export type BacnetValue = null | boolean | number | string | Uint8Array | ObjectId;

export function readTag(r: ByteReader): Tag | undefined {
  if (!r.has(1)) return undefined;
  const b = r.u8();
  let number = b >>> 4;
  if (number === 0x0f) number = r.u8();
  const context = (b & 0x08) !== 0;
  const lvt = b & 0x07;
  if (context && (lvt === 6 || lvt === 7)) return { number, context, opening: lvt === 6, closing: lvt === 7, lvt, data: new Uint8Array(0) };
  if (!context && number === 1) return { number, context, opening: false, closing: false, lvt, data: new Uint8Array(0) };
  let length = lvt;
  if (lvt === 5) {
    length = r.u8();
    if (length === 254) length = r.u16be();
    else if (length === 255) length = r.u32be();
  }
  if (r.overrun || !r.has(length)) return undefined;
  return { number, context, opening: false, closing: false, lvt, data: r.bytesView(length) };
}

export function peekTag(r: ByteReader): Tag | undefined {
  const at = r.offset;
  const t = readTag(r);
  r.offset = at;
  r.overrun = false;
  return t;
}

export function unsigned(d: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < d.length && i < 6; i++) n = n * 256 + d[i];
  return n;
}

export function objectId(d: Uint8Array): ObjectId {
  const v = unsigned(d.subarray(0, 4));
  return { objectType: Math.floor(v / 0x400000), instance: v % 0x400000 };
}

/** §20.2.9: the first octet names the character set: 0 UTF-8, 4 UCS-2, 3 UCS-4, 5 ISO 8859-1. */
export function characterString(d: Uint8Array): string {
  const charset = d[0];
  const body = d.subarray(1);
  if (charset === 4) {
    let s = '';
    for (let i = 0; i + 1 < body.length; i += 2) s += String.fromCharCode((body[i] << 8) | body[i + 1]);
    return s;
  }
  if (charset === 3) {
    let s = '';
    for (let i = 0; i + 3 < body.length; i += 4) s += String.fromCodePoint(Math.min(unsigned(body.subarray(i, i + 4)), 0x10ffff));
    return s;
  }
  if (charset === 0) return new TextDecoder().decode(body);
  let s = '';
  for (const c of body) s += String.fromCharCode(c);
  return s;
}

export function applicationValue(t: Tag): BacnetValue {
  const d = t.data;
  switch (t.number) {
    case 0:
      return null;
    case 1:
      return t.lvt !== 0;
    case 2:
    case 9:
      return unsigned(d);
    case 3: {
      const n = unsigned(d);
      return d.length > 0 && d.length <= 6 && d[0] & 0x80 ? n - 2 ** (8 * d.length) : n;
    }
    case 4:
      return d.length === 4 ? new DataView(d.buffer, d.byteOffset, 4).getFloat32(0) : NaN;
    case 5:
      return d.length === 8 ? new DataView(d.buffer, d.byteOffset, 8).getFloat64(0) : NaN;
    case 7:
      return d.length ? characterString(d) : '';
    case 8: {
      // §20.2.10: first octet = unused bits in the last octet; shown as a string of bits.
      let bits = '';
      for (let i = 1; i < d.length; i++) bits += d[i].toString(2).padStart(8, '0');
      return bits.slice(0, Math.max(0, bits.length - (d[0] ?? 0)));
    }
    case 10:
      return d.length === 4 ? `${d[0] === 255 ? '*' : 1900 + d[0]}-${wild(d[1])}-${wild(d[2])}` : '';
    case 11:
      return d.length === 4 ? `${wild(d[0])}:${wild(d[1])}:${wild(d[2])}.${wild(d[3])}` : '';
    case 12:
      return objectId(d);
    default:
      return d.slice();
  }
}

function wild(n: number): string {
  return n === 255 ? '*' : String(n).padStart(2, '0');
}

export function writeTag(w: ByteWriter, number: number, context: boolean, data: Uint8Array | readonly number[]): void {
  const len = data.length;
  const first = (number < 15 ? number << 4 : 0xf0) | (context ? 0x08 : 0) | (len < 5 ? len : 5);
  w.u8(first);
  if (number >= 15) w.u8(number);
  if (len >= 5) {
    if (len < 254) w.u8(len);
    else if (len < 65_536) w.u8(254).u16be(len);
    else w.u8(255).u32be(len);
  }
  w.bytes(data);
}

export function unsignedBytes(n: number): number[] {
  const out: number[] = [];
  let v = Math.max(0, Math.floor(n));
  do {
    out.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return out;
}

export function objectIdBytes(o: ObjectId): number[] {
  const v = (o.objectType & 0x3ff) * 0x400000 + (o.instance & 0x3fffff);
  return [Math.floor(v / 2 ** 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}
