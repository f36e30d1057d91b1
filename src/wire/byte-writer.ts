// A growable buffer for encoders: the scanner and the honeypot build packets with it.
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial = 64) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16be(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, v & 0xffff, false);
    this.length += 2;
    return this;
  }

  u16le(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, v & 0xffff, true);
    this.length += 2;
    return this;
  }

  u24be(v: number): this {
    return this.u8(v >>> 16).u8(v >>> 8).u8(v);
  }

  u32be(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, false);
    this.length += 4;
    return this;
  }

  u32le(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }

  i32le(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v | 0, true);
    this.length += 4;
    return this;
  }

  u64le(v: bigint): this {
    this.ensure(8);
    this.view.setBigUint64(this.length, v, true);
    this.length += 8;
    return this;
  }

  f32be(v: number): this {
    this.ensure(4);
    this.view.setFloat32(this.length, v, false);
    this.length += 4;
    return this;
  }

  f64le(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
    return this;
  }

  bytes(v: Uint8Array | readonly number[]): this {
    this.ensure(v.length);
    this.buf.set(v, this.length);
    this.length += v.length;
    return this;
  }

  /** Latin-1 text, padded with `pad` (or truncated) to `width` bytes when a width is given. */
  ascii(s: string, width?: number, pad = 0): this {
    const n = width ?? s.length;
    this.ensure(n);
    for (let i = 0; i < n; i++) this.buf[this.length++] = i < s.length ? s.charCodeAt(i) & 0xff : pad;
    return this;
  }

  utf8(s: string): this {
    return this.bytes(encoder.encode(s));
  }

  /** Writes a placeholder now and lets the caller fill a length once the body is known. */
  patchU16be(at: number, v: number): this {
    this.view.setUint16(at, v & 0xffff, false);
    return this;
  }

  patchU16le(at: number, v: number): this {
    this.view.setUint16(at, v & 0xffff, true);
    return this;
  }

  patchU32le(at: number, v: number): this {
    this.view.setUint32(at, v >>> 0, true);
    return this;
  }

  patchU8(at: number, v: number): this {
    this.buf[at] = v & 0xff;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const encoder = new TextEncoder();
