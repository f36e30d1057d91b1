// MQTT data representations (MQTT 3.1.1 §1.5, MQTT 5.0 §1.5): variable byte integers of at
// most four octets and length-prefixed UTF-8 strings.
import { ByteReader, ByteWriter } from '../../wire/index.ts';

/**
 * §1.5.5: at most four octets; a fifth continuation makes it malformed (undefined). Shifts, not
 * `128 ** i`: the value (at most 28 bits) stays a small integer, where a power made it a heap
 * number that every parse result and reader carrying a length then held as a double.
 */
export function readVarInt(r: ByteReader): number | undefined {
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (!r.has(1)) return undefined;
    const b = r.u8();
    value |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return value;
  }
  return undefined;
}

export function varIntSize(v: number): number {
  return v < 128 ? 1 : v < 16_384 ? 2 : v < 2_097_152 ? 3 : 4;
}

export function writeVarInt(w: ByteWriter, v: number): void {
  let n = Math.max(0, Math.min(v, 268_435_455));
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    w.u8(b);
  } while (n > 0);
}

export function readUtf8String(r: ByteReader): string {
  return r.utf8(r.u16be());
}

export function writeUtf8String(w: ByteWriter, s: string): void {
  const b = new TextEncoder().encode(s);
  w.u16be(b.length).bytes(b);
}
