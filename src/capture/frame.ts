// What the decoder learned about one frame, in one object reused for every frame. Addresses stay
// as numbers (IPv4) or offsets into `addrBytes` (IPv6) so the hot path builds no strings.

/** What the link layer carried: nothing decoded, IPv4, IPv6, an 802.2 LLC payload, a BACnet MS/TP frame. */
export const L3 = { NONE: 0, IPV4: 4, IPV6: 6, LLC: 2, MSTP: 3 } as const;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** TCP header flags (RFC 9293 §3.1). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

export interface Frame {
  /** L3.* — what the link layer carried. */
  l3: number;
  /** Outermost VLAN id or -1. */
  vlan: number;
  /** 802.2 LLC: DSAP/SSAP when l3 is LLC (BACnet over LLC uses DSAP 0x82). */
  dsap: number;
  ssap: number;
  /** BACnet MS/TP frame type when l3 is MSTP (ASHRAE 135 §9.3: 5 and 6 carry an NPDU). */
  mstpFrameType: number;
  ipVersion: number;
  /** IPv4 source/destination as unsigned 32-bit numbers. */
  src4: number;
  dst4: number;
  /** IPv6 addresses: 16 bytes each at these offsets of addrBytes. */
  addrBytes: Uint8Array;
  src6: number;
  dst6: number;
  /** IP protocol number of the transport header (after IPv6 extension headers), or -1. */
  ipProto: number;
  sport: number;
  dport: number;
  tcpFlags: number;
  seq: number;
  ack: number;
  /** Transport payload (or the LLC payload): data[payloadOffset, payloadEnd). */
  data: Uint8Array;
  payloadOffset: number;
  payloadEnd: number;
  /** Malformations seen below the application layer (bad IP header, truncated TCP, …). */
  error: string | null;
  /** True when the IP datagram was reassembled from fragments in this frame. */
  reassembled: boolean;
}

export function newFrame(): Frame {
  const empty = new Uint8Array(0);
  // The 32-bit unsigned fields (addresses, sequence numbers) start as -0, a double: a field first
  // given a small integer changes representation, and the object its hidden class, when the first
  // value past 2^30 arrives, deoptimizing the compiled decoder mid-capture.
  return {
    l3: 0, vlan: -1, dsap: -1, ssap: -1, mstpFrameType: -1, ipVersion: 0, src4: -0, dst4: -0, addrBytes: empty, src6: 0, dst6: 0,
    ipProto: -1, sport: 0, dport: 0, tcpFlags: 0, seq: -0, ack: -0, data: empty, payloadOffset: 0, payloadEnd: 0,
    error: null, reassembled: false,
  };
}

export function ipv4ToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** RFC 5952 text form: lowercase, longest run of two or more zero groups compressed. */
export function ipv6ToString(b: Uint8Array, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[o + 2 * i] << 8) | b[o + 2 * i + 1]);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

export function srcString(f: Frame): string {
  return f.ipVersion === 4 ? ipv4ToString(f.src4) : ipv6ToString(f.addrBytes, f.src6);
}

export function dstString(f: Frame): string {
  return f.ipVersion === 4 ? ipv4ToString(f.dst4) : ipv6ToString(f.addrBytes, f.dst6);
}
