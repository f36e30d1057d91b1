// A bounded cursor over bytes. Reads past the end never throw: they return 0 (or an empty view)
// and set the sticky `overrun` flag, so a parser can read a whole structure and check once.
export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly end: number;
  offset: number;
  overrun = false;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = Math.min(Math.max(0, start), bytes.length);
    this.end = Math.min(Math.max(this.offset, end), bytes.length);
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
    const v = this.view.getUint16(this.offset, false);
    this.offset += 2;
    return v;
  }

  u16le(): number {
    if (!this.has(2)) return 0;
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
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
    const v = this.view.getUint32(this.offset, false);
    this.offset += 4;
    return v;
  }

  u32le(): number {
    if (!this.has(4)) return 0;
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  i32le(): number {
    if (!this.has(4)) return 0;
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  u64le(): bigint {
    if (!this.has(8)) return 0n;
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  f32be(): number {
    if (!this.has(4)) return 0;
    const v = this.view.getFloat32(this.offset, false);
    this.offset += 4;
    return v;
  }

  f64le(): number {
    if (!this.has(8)) return 0;
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
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

/** Bounds shared by every protocol, so one setting caps allocation from hostile length fields. */
export const LIMITS = {
  maxItems: 65_535,
  maxPdu: 1 << 24,
  maxString: 1 << 16,
} as const;
