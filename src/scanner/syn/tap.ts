// For tests: what crosses the wire in the sweep's namespace, through the addon's packet tap,
// forged TCP segments to inject, and the pairs to sweep.
import { intToIpv4, ipv4ToInt } from '../../net/index.ts';
import type { SynAddon } from './addon.ts';
import { ifindex } from './netns.ts';

export const ip = (s: string): number => ipv4ToInt(s)!;
export const text = intToIpv4;

/** Every (address, port) pair, port-major, so consecutive SYNs go to different devices. */
export function pairsOf(addresses: readonly number[], ports: readonly number[]): Uint32Array {
  const out = new Uint32Array(addresses.length * ports.length * 2);
  let k = 0;
  for (const port of ports) {
    for (const a of addresses) {
      out[k++] = a >>> 0;
      out[k++] = port;
    }
  }
  return out;
}

export interface Segment {
  src: number;
  dst: number;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  /** Seen arriving on loopback or at the far end of the veth: on the wire, each packet once. */
  sent: boolean;
}
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;

function segment(b: Buffer, sent: boolean): Segment | null {
  if (b.length < 40 || b[0] >> 4 !== 4 || b[9] !== 6) return null;
  const t = (b[0] & 15) * 4;
  return { src: b.readUInt32BE(12), dst: b.readUInt32BE(16), sport: b.readUInt16BE(t), dport: b.readUInt16BE(t + 2), seq: b.readUInt32BE(t + 4), ack: b.readUInt32BE(t + 8), flags: b[t + 13], sent };
}

/** An IPv4 TCP segment with its checksum (RFC 793 §3.1); the kernel fills the IP checksum. */
export function forge(s: Omit<Segment, 'sent'>): Buffer {
  const b = Buffer.alloc(40);
  b[0] = 0x45;
  b.writeUInt16BE(40, 2);
  b[8] = 64;
  b[9] = 6;
  b.writeUInt32BE(s.src, 12);
  b.writeUInt32BE(s.dst, 16);
  b.writeUInt16BE(s.sport, 20);
  b.writeUInt16BE(s.dport, 22);
  b.writeUInt32BE(s.seq >>> 0, 24);
  b.writeUInt32BE(s.ack >>> 0, 28);
  b[32] = 5 << 4;
  b[33] = s.flags;
  b.writeUInt16BE(65535, 34);
  let sum = (s.src >>> 16) + (s.src & 0xffff) + (s.dst >>> 16) + (s.dst & 0xffff) + 6 + 20;
  for (let i = 20; i < 40; i += 2) sum += b.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b.writeUInt16BE(~sum & 0xffff, 36);
  return b;
}

export class Tap {
  private readonly fd: number;
  readonly seen: Segment[] = [];
  private readonly loopback = ifindex('lo');
  private readonly peer = ifindex('v1'); // the far end of the tests' veth, when there is one
  constructor(private readonly addon: SynAddon) {
    this.fd = addon.tapOpen();
  }
  read(): Segment[] {
    for (const p of this.addon.tapRead(this.fd)) {
      const s = segment(p.bytes, !p.outgoing && (p.ifindex === this.loopback || p.ifindex === this.peer));
      if (s) this.seen.push(s);
    }
    return this.seen;
  }
  /** Segments this host sent from `port`. */
  from(port: number): Segment[] {
    return this.read().filter((s) => s.sent && s.sport === port);
  }
  async until(what: () => boolean, ms = 2000): Promise<void> {
    for (const end = Date.now() + ms; !what(); ) {
      if (Date.now() > end) throw new Error('tap: timed out');
      await new Promise((r) => setTimeout(r, 5));
      this.read();
    }
  }
  close(): void {
    this.addon.tapClose(this.fd);
  }
}

