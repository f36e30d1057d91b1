// Builders for hand-made capture files in tests: each writes the on-disk layout of its format
// field by field (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng), so a test states the frames
// and the format variant and gets the exact bytes a capture tool would write.

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u16(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, le);
  return b;
}

function u32(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, le);
  return b;
}

export interface PcapRecord {
  sec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  frac: number;
  frame: Uint8Array;
  origLen?: number;
}

/** A libpcap file: 24-byte header, then 16-byte record headers and frames. */
export function pcapFile(opts: { le?: boolean; nano?: boolean; linkType: number; snapLen?: number }, records: PcapRecord[]): Uint8Array {
  const le = opts.le ?? true;
  const header = concat([
    u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, le),
    u16(2, le),
    u16(4, le),
    u32(0, le),
    u32(0, le),
    u32(opts.snapLen ?? 65535, le),
    u32(opts.linkType, le),
  ]);
  const recs = records.map((r) =>
    concat([u32(r.sec, le), u32(r.frac, le), u32(r.frame.length, le), u32(r.origLen ?? r.frame.length, le), r.frame]),
  );
  return concat([header, ...recs]);
}

function pad4(b: Uint8Array): Uint8Array {
  const n = (4 - (b.length % 4)) % 4;
  return n ? concat([b, new Uint8Array(n)]) : b;
}

/** One pcapng block: type, total length, body (padded), total length. */
export function block(type: number, body: Uint8Array, le = true): Uint8Array {
  const padded = pad4(body);
  const total = padded.length + 12;
  return concat([u32(type, le), u32(total, le), padded, u32(total, le)]);
}

export function shb(le = true): Uint8Array {
  // Byte-order magic, version 1.0, section length -1 (unknown).
  return block(0x0a0d0d0a, concat([u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), u32(0xffffffff, le), u32(0xffffffff, le)]), le);
}

/** Interface Description Block; `tsresol` is the raw if_tsresol byte (6 = µs, 9 = ns, 0x80|n = 2^-n). */
export function idb(linkType: number, opts: { le?: boolean; tsresol?: number; snapLen?: number } = {}): Uint8Array {
  const le = opts.le ?? true;
  const options: Uint8Array[] = [];
  if (opts.tsresol !== undefined) options.push(u16(9, le), u16(1, le), new Uint8Array([opts.tsresol, 0, 0, 0]));
  if (options.length) options.push(u16(0, le), u16(0, le));
  return block(1, concat([u16(linkType, le), u16(0, le), u32(opts.snapLen ?? 0, le), ...options]), le);
}

/** Enhanced Packet Block with a 64-bit timestamp in the interface's units. */
export function epb(ifId: number, ts: bigint, frame: Uint8Array, le = true, origLen = frame.length): Uint8Array {
  return block(
    6,
    concat([u32(ifId, le), u32(Number(ts >> 32n), le), u32(Number(ts & 0xffffffffn), le), u32(frame.length, le), u32(origLen, le), pad4(frame)]),
    le,
  );
}

export function spb(frame: Uint8Array, le = true): Uint8Array {
  return block(3, concat([u32(frame.length, le), pad4(frame)]), le);
}

/** Obsolete Packet Block (type 2): 16-bit interface id and drops count. */
export function pb(ifId: number, ts: bigint, frame: Uint8Array, le = true): Uint8Array {
  return block(
    2,
    concat([u16(ifId, le), u16(0, le), u32(Number(ts >> 32n), le), u32(Number(ts & 0xffffffffn), le), u32(frame.length, le), u32(frame.length, le), pad4(frame)]),
    le,
  );
}

export { concat };

function checksumless(b: number[]): Uint8Array {
  return new Uint8Array(b);
}

function ip4(a: string): number[] {
  return a.split('.').map(Number);
}

export const MAC_A = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
export const MAC_B = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

export function ethernet(type: number, payload: Uint8Array, tags: { tpid: number; vid: number }[] = []): Uint8Array {
  const t = tags.flatMap((x) => [x.tpid >> 8, x.tpid & 255, (x.vid >> 8) & 0x0f, x.vid & 255]);
  return concat([new Uint8Array([...MAC_B, ...MAC_A, ...t, type >> 8, type & 255]), payload]);
}

/** IPv4 header (RFC 791) without options; checksum left 0 (readers do not check it). */
export function ipv4(src: string, dst: string, proto: number, payload: Uint8Array, frag: { id?: number; offset?: number; more?: boolean } = {}): Uint8Array {
  const total = 20 + payload.length;
  const off = ((frag.offset ?? 0) / 8) | (frag.more ? 0x2000 : 0);
  const id = frag.id ?? 1;
  return concat([
    checksumless([0x45, 0, total >> 8, total & 255, id >> 8, id & 255, off >> 8, off & 255, 64, proto, 0, 0, ...ip4(src), ...ip4(dst)]),
    payload,
  ]);
}

/** IPv6 header (RFC 8200) with a chain of raw extension headers before the payload. */
export function ipv6(src: Uint8Array, dst: Uint8Array, next: number, payload: Uint8Array): Uint8Array {
  const len = payload.length;
  return concat([new Uint8Array([0x60, 0, 0, 0, len >> 8, len & 255, next, 64]), src, dst, payload]);
}

export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** TCP header (RFC 9293) of 20 bytes. */
export function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint32(4, seq >>> 0);
  v.setUint32(8, ack >>> 0);
  h[12] = 5 << 4;
  h[13] = flags;
  v.setUint16(14, 65535);
  return concat([h, payload]);
}

export function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  return concat([new Uint8Array([sport >> 8, sport & 255, dport >> 8, dport & 255, len >> 8, len & 255, 0, 0]), payload]);
}
