// A bounded cursor over bytes. Reads past the end never throw: they return 0 (or an empty view)
// and set the sticky `overrun` flag, so a parser can read a whole structure and check once.
// Integers are assembled from the bytes by hand: a DataView per reader cost 8-10% of the DPI
// bench (one reader per PDU and per sub-structure); floats and 64-bit values, which are rare,
// go through one shared scratch DataView.
export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly end: number;
  offset: number;
  overrun = false;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    const len = bytes.length;
    const o = start < 0 ? 0 : start > len ? len : start;
    this.offset = o;
    this.end = end < o ? o : end > len ? len : end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** True when n more bytes can be read; otherwise marks the overrun and returns false. */
  has(n: number): boolean {
    if (n >= 0 && this.offset + n <= this.end) return true;
    this.overrun = true;
    return false;
  }

  u8(): number {
    if (!this.has(1)) return 0;
    return this.bytes[this.offset++];
  }

  u16be(): number {
    if (!this.has(2)) return 0;
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 2;
    return (b[o] << 8) | b[o + 1];
  }

  u16le(): number {
    if (!this.has(2)) return 0;
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 2;
    return b[o] | (b[o + 1] << 8);
  }

  u24be(): number {
    if (!this.has(3)) return 0;
    const b = this.bytes;
    const o = this.offset;
    this.offset += 3;
    return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
  }

  u32be(): number {
    if (!this.has(4)) return 0;
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  u32le(): number {
    if (!this.has(4)) return 0;
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  }

  i32le(): number {
    if (!this.has(4)) return 0;
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
  }

  u64le(): bigint {
    if (!this.has(8)) return 0n;
    const v = this.scratch(8).getBigUint64(0, true);
    this.offset += 8;
    return v;
  }

  f32be(): number {
    if (!this.has(4)) return 0;
    const v = this.scratch(4).getFloat32(0, false);
    this.offset += 4;
    return v;
  }

  f64le(): number {
    if (!this.has(8)) return 0;
    const v = this.scratch(8).getFloat64(0, true);
    this.offset += 8;
    return v;
  }

  /** The next n (≤ 8) bytes copied into the shared scratch view, for float and 64-bit reads. */
  private scratch(n: number): DataView {
    scratchBytes.set(this.bytes.subarray(this.offset, this.offset + n));
    return scratchView;
  }

  /** A view (no copy) of the next n bytes, clamped to what is left. */
  bytesView(n: number): Uint8Array {
    const take = this.has(n) ? n : Math.max(0, Math.min(n, this.remaining));
    const out = this.bytes.subarray(this.offset, this.offset + take);
    this.offset += take;
    return out;
  }

  /** Latin-1 text of n bytes, NULs and trailing spaces trimmed (device strings are padded both ways). */
  ascii(n: number): string {
    const v = this.bytesView(n);
    let s = '';
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) s += String.fromCharCode(v[i]);
    return s.trimEnd();
  }

  utf8(n: number): string {
    return decoder.decode(this.bytesView(n));
  }

  skip(n: number): void {
    if (this.has(n)) this.offset += n;
    else this.offset = this.end;
  }

  /** A reader over the next n bytes (clamped), advancing this one past them. */
  sub(n: number): ByteReader {
    const start = this.offset;
    const take = this.has(n) ? n : this.remaining;
    this.offset += take;
    return new ByteReader(this.bytes, start, start + take);
  }

  /**
   * Reads `count` items, refusing counts that cannot fit (each item needs at least `minItemSize`
   * bytes) or exceed `max`. A refused count reads nothing, marks the overrun and returns [].
   */
  list<T>(count: number, item: (r: ByteReader, index: number) => T, max: number = LIMITS.maxItems, minItemSize: number = 1): T[] {
    if (count < 0 || count > max || count * minItemSize > this.remaining) {
      this.overrun = true;
      return [];
    }
    const out: T[] = [];
    for (let i = 0; i < count && !this.overrun; i++) out.push(item(this, i));
    return out;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const scratchBytes = new Uint8Array(8);
const scratchView = new DataView(scratchBytes.buffer);

/** Bounds shared by every protocol, so one setting caps allocation from hostile length fields. */
export const LIMITS = {
  maxItems: 65_535,
  maxPdu: 1 << 24,
  maxString: 1 << 16,
} as const;
