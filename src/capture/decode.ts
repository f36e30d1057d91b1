// Frame → link → IPv4/IPv6 (reassembling fragments) → TCP/UDP, filling one reused Frame.
import { IPPROTO_TCP, IPPROTO_UDP, L3, newFrame, type Frame } from './frame.ts';
import { FragmentReassembler } from './ip-fragments.ts';
import { decodeLink } from './link.ts';
import { LINKTYPE, type CapturePacket } from './packet.ts';

/** IPv6 extension headers skipped on the way to the transport (RFC 8200 §4). */
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_DEST_OPTS = 60;
const MAX_EXTENSION_HEADERS = 8;
/** IP-in-IP (RFC 2003), IPv6-in-IP (RFC 4213) and GRE (RFC 2784/2890). */
const IPPROTO_IPIP = 4;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;
/** GRE protocol types: IPv4, IPv6, transparent Ethernet bridging (NVGRE and friends). */
const GRE_IPV4 = 0x0800;
const GRE_IPV6 = 0x86dd;
const GRE_ETHERNET = 0x6558;
/** VXLAN's UDP port (RFC 7348 §5): an 8-byte header, then an Ethernet frame. */
const VXLAN_PORT = 4789;
/** Tunnels are followed this deep; the innermost addresses and ports are reported, as tshark does. */
const MAX_TUNNEL_DEPTH = 4;

export class PacketDecoder {
  readonly frame: Frame = newFrame();
  readonly fragments = new FragmentReassembler();
  private depth = 0;
  private now = 0;

  /**
   * Decodes the packet into `this.frame`. Returns true when the frame carries TCP or UDP (the
   * payload is data[payloadOffset, payloadEnd)), an 802.2 LLC payload (l3 === L3.LLC) or a BACnet
   * MS/TP frame (l3 === L3.MSTP); false otherwise.
   */
  decode(p: CapturePacket, now = p.tsSec): boolean {
    const f = this.frame;
    f.error = null;
    f.ipVersion = 0;
    f.ipProto = -1;
    f.reassembled = false;
    f.dsap = -1;
    f.mstpFrameType = -1;
    this.depth = 0;
    this.now = now;
    return this.link(p.linkType, p.bytes, p.offset, p.offset + p.capLen);
  }

  private link(linkType: number, b: Uint8Array, start: number, end: number): boolean {
    const f = this.frame;
    let o: number;
    // Untagged Ethernet II carrying IPv4, most frames of most captures, without the general walk.
    // Both ways end in the same call of ipv4, so the first frame of another kind does not reach a
    // call the compiled decoder has never seen made.
    if (linkType === LINKTYPE.ETHERNET && end - start >= 14 && b[start + 12] === 0x08 && b[start + 13] === 0x00) {
      f.l3 = L3.IPV4;
      f.vlan = -1;
      o = start + 14;
    } else {
      o = decodeLink(linkType, b, start, end, f);
      if (o < 0) return false;
    }
    if (f.l3 === L3.IPV4) return this.ipv4(b, o, end);
    if (f.l3 === L3.IPV6) return this.ipv6(b, o, end);
    return f.l3 === L3.LLC || f.l3 === L3.MSTP;
  }

  /** The next header inside a tunnel, bounded in depth. */
  private inner(): boolean {
    if (++this.depth > MAX_TUNNEL_DEPTH) return this.bad('tunnel-too-deep');
    return true;
  }

  /** GRE (RFC 2784 §2.1, RFC 2890 §2): flags, protocol type, then optional checksum, key, sequence. */
  private gre(b: Uint8Array, o: number, end: number): boolean {
    if (end - o < 4) return this.bad('truncated-gre');
    const flags = b[o];
    const type = (b[o + 2] << 8) | b[o + 3];
    let h = o + 4;
    if (flags & 0x80) h += 4; // checksum present (with the reserved word)
    if (flags & 0x20) h += 4; // key present
    if (flags & 0x10) h += 4; // sequence number present
    if (h > end || (b[o + 1] & 0x07) !== 0) return this.bad('unsupported-gre');
    if (type === GRE_IPV4) return this.ipv4(b, h, end);
    if (type === GRE_IPV6) return this.ipv6(b, h, end);
    if (type === GRE_ETHERNET) return this.link(LINKTYPE.ETHERNET, b, h, end);
    return false;
  }

  /** RFC 791 §3.1. */
  private ipv4(b: Uint8Array, o: number, end: number): boolean {
    const f = this.frame;
    if (end - o < 20 || b[o] >> 4 !== 4) return this.bad('bad-ipv4-header');
    const ihl = (b[o] & 0x0f) * 4;
    const total = (b[o + 2] << 8) | b[o + 3];
    if (ihl < 20 || total < ihl || end - o < ihl) return this.bad('bad-ipv4-header');
    // A snaplen-truncated frame holds less than total; Ethernet padding makes it hold more.
    const ipEnd = Math.min(end, o + total);
    f.ipVersion = 4;
    f.src4 = ((b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15]) >>> 0;
    f.dst4 = ((b[o + 16] << 24) | (b[o + 17] << 16) | (b[o + 18] << 8) | b[o + 19]) >>> 0;
    const proto = b[o + 9];
    f.ipProto = proto;
    const fragField = (b[o + 6] << 8) | b[o + 7];
    const more = (fragField & 0x2000) !== 0;
    const fragOffset = (fragField & 0x1fff) * 8;
    if (more || fragOffset > 0) {
      const key = `4/${f.src4}/${f.dst4}/${proto}/${(b[o + 4] << 8) | b[o + 5]}`;
      const whole = this.fragments.add(key, fragOffset, more, b, o + ihl, ipEnd, this.now);
      if (!whole) return false;
      f.reassembled = true;
      return this.transport(proto, whole, 0, whole.length);
    }
    return this.transport(proto, b, o + ihl, ipEnd);
  }

  /** RFC 8200 §3–4. */
  private ipv6(b: Uint8Array, o: number, end: number): boolean {
    const f = this.frame;
    if (end - o < 40 || b[o] >> 4 !== 6) return this.bad('bad-ipv6-header');
    const payloadLen = (b[o + 4] << 8) | b[o + 5];
    const ipEnd = Math.min(end, o + 40 + payloadLen);
    f.ipVersion = 6;
    f.addrBytes = b;
    f.src6 = o + 8;
    f.dst6 = o + 24;
    let next = b[o + 6];
    let h = o + 40;
    for (let i = 0; i < MAX_EXTENSION_HEADERS; i++) {
      if (next === IPV6_HOP_BY_HOP || next === IPV6_ROUTING || next === IPV6_DEST_OPTS || next === IPV6_AH) {
        if (ipEnd - h < 8) return this.bad('truncated-ipv6-extension');
        const len = next === IPV6_AH ? (b[h + 1] + 2) * 4 : (b[h + 1] + 1) * 8;
        next = b[h];
        h += len;
        continue;
      }
      if (next === IPV6_FRAGMENT) {
        if (ipEnd - h < 8) return this.bad('truncated-ipv6-extension');
        const proto = b[h];
        const field = (b[h + 2] << 8) | b[h + 3];
        const fragOffset = field & 0xfff8;
        const more = (field & 1) !== 0;
        const id = ((b[h + 4] << 24) | (b[h + 5] << 16) | (b[h + 6] << 8) | b[h + 7]) >>> 0;
        h += 8;
        f.ipProto = proto;
        if (!more && fragOffset === 0) {
          next = proto;
          continue;
        }
        // The addresses must outlive this frame's buffer once fragments are held: copy them.
        const addrs = b.slice(o + 8, o + 40);
        const key = `6/${Buffer.from(addrs).toString('hex')}/${proto}/${id}`;
        const whole = this.fragments.add(key, fragOffset, more, b, h, ipEnd, this.now);
        if (!whole) return false;
        f.addrBytes = addrs;
        f.src6 = 0;
        f.dst6 = 16;
        f.reassembled = true;
        return this.transport(proto, whole, 0, whole.length);
      }
      break;
    }
    if (h > ipEnd) return this.bad('truncated-ipv6-extension');
    f.ipProto = next;
    return this.transport(next, b, h, ipEnd);
  }

  private transport(proto: number, b: Uint8Array, o: number, end: number): boolean {
    const f = this.frame;
    f.ipProto = proto;
    if (proto === IPPROTO_IPIP || proto === IPPROTO_IPV6 || proto === IPPROTO_GRE) {
      if (!this.inner()) return false;
      if (proto === IPPROTO_IPIP) return this.ipv4(b, o, end);
      if (proto === IPPROTO_IPV6) return this.ipv6(b, o, end);
      return this.gre(b, o, end);
    }
    if (proto === IPPROTO_TCP) {
      // RFC 9293 §3.1: data offset in 32-bit words, at least 5.
      if (end - o < 20) return this.bad('truncated-tcp');
      const dataOffset = (b[o + 12] >> 4) * 4;
      if (dataOffset < 20 || end - o < dataOffset) return this.bad('bad-tcp-header');
      f.sport = (b[o] << 8) | b[o + 1];
      f.dport = (b[o + 2] << 8) | b[o + 3];
      f.seq = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
      f.ack = ((b[o + 8] << 24) | (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11]) >>> 0;
      f.tcpFlags = b[o + 13];
      f.data = b;
      f.payloadOffset = o + dataOffset;
      f.payloadEnd = end;
      return true;
    }
    if (proto === IPPROTO_UDP) {
      // RFC 768: the length field covers header and data.
      if (end - o < 8) return this.bad('truncated-udp');
      const len = (b[o + 4] << 8) | b[o + 5];
      f.sport = (b[o] << 8) | b[o + 1];
      f.dport = (b[o + 2] << 8) | b[o + 3];
      f.tcpFlags = 0;
      f.data = b;
      f.payloadOffset = o + 8;
      f.payloadEnd = len >= 8 ? Math.min(end, o + len) : end;
      // VXLAN with the I flag (RFC 7348 §5): the inner Ethernet frame is the one to analyse.
      if (f.dport === VXLAN_PORT && f.payloadEnd - f.payloadOffset >= 8 + 14 && (b[f.payloadOffset] & 0x08) !== 0 && this.inner()) {
        return this.link(LINKTYPE.ETHERNET, b, f.payloadOffset + 8, f.payloadEnd);
      }
      return true;
    }
    return false;
  }

  private bad(error: string): boolean {
    this.frame.error = error;
    return false;
  }
}
