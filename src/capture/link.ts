// Link layers: where the network-layer packet starts in a frame of a given LINKTYPE.
import { L3, type Frame } from './frame.ts';
import { LINKTYPE } from './packet.ts';

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
/** IEEE 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ tag. */
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
/** Linux SLL protocol value meaning "802.2 LLC frame follows" (ETH_P_802_2). */
const SLL_P_802_2 = 0x0004;
/** MPLS unicast and multicast (RFC 3032). */
const ETH_MPLS = 0x8847;
const ETH_MPLS_MULTICAST = 0x8848;
const MAX_LABELS = 8;
/** PPPoE session stage (RFC 2516 §4) and the PPP protocol numbers of IPv4 and IPv6 (RFC 1332, 5072). */
const ETH_PPPOE_SESSION = 0x8864;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
const MAX_TAGS = 4;

/** BSD AF_INET and the AF_INET6 values of the BSDs and Linux (LINKTYPE_NULL/LOOP, tcpdump.org). */
const AF_INET = 2;
function isAfInet6(v: number): boolean {
  return v === 24 || v === 28 || v === 30 || v === 10;
}

/**
 * Decodes the link layer and returns the offset of the network-layer header, with `frame.l3`
 * saying what it is (L3.NONE when the frame carries nothing we decode). `end` is the frame end.
 */
export function decodeLink(linkType: number, b: Uint8Array, o: number, end: number, frame: Frame): number {
  frame.l3 = L3.NONE;
  frame.vlan = -1;
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      if (end - o < 14) return fail(frame, 'truncated-ethernet');
      return ethertype(b, o + 12, end, frame);
    case LINKTYPE.LINUX_SLL:
      // https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html: 16 bytes, protocol last.
      if (end - o < 16) return fail(frame, 'truncated-sll');
      return sllProtocol(b, o + 14, o + 16, end, frame);
    case LINKTYPE.LINUX_SLL2:
      // LINKTYPE_LINUX_SLL2: 20 bytes, protocol first.
      if (end - o < 20) return fail(frame, 'truncated-sll2');
      return sllProtocol(b, o, o + 20, end, frame);
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (end - o < 4) return fail(frame, 'truncated-loopback');
      // The family is in the capturing host's byte order (NULL) or network order (LOOP); real
      // files break both rules, so take whichever reading is a small number.
      const le = b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
      const family = le >>> 0 < 256 ? le : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
      if (family === AF_INET) frame.l3 = L3.IPV4;
      else if (isAfInet6(family)) frame.l3 = L3.IPV6;
      return o + 4;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_OPENBSD:
    case LINKTYPE.RAW_BSDOS:
      if (end - o < 1) return fail(frame, 'truncated-ip');
      frame.l3 = b[o] >> 4 === 6 ? L3.IPV6 : b[o] >> 4 === 4 ? L3.IPV4 : L3.NONE;
      return o;
    case LINKTYPE.IPV4:
      frame.l3 = L3.IPV4;
      return o;
    case LINKTYPE.IPV6:
      frame.l3 = L3.IPV6;
      return o;
    default:
      return o;
  }
}

function fail(frame: Frame, error: string): number {
  frame.error = error;
  return -1;
}

function sllProtocol(b: Uint8Array, at: number, payload: number, end: number, frame: Frame): number {
  const proto = (b[at] << 8) | b[at + 1];
  if (proto === SLL_P_802_2) return llc(b, payload, end, frame);
  return byType(proto, b, payload, end, frame);
}

/** Ethernet II type / 802.3 length at `at`, after any VLAN tags (IEEE 802.1Q §9). */
function ethertype(b: Uint8Array, at: number, end: number, frame: Frame): number {
  let type = (b[at] << 8) | b[at + 1];
  let o = at + 2;
  for (let tags = 0; (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) && tags < MAX_TAGS; tags++) {
    if (end - o < 4) return fail(frame, 'truncated-vlan');
    if (frame.vlan < 0) frame.vlan = ((b[o] << 8) | b[o + 1]) & 0x0fff;
    type = (b[o + 2] << 8) | b[o + 3];
    o += 4;
  }
  // IEEE 802.3 §3.2.6: values up to 1500 are a length and an 802.2 LLC header follows.
  if (type <= 1500) return llc(b, o, Math.min(end, o + type), frame);
  return byType(type, b, o, end, frame);
}

function byType(type: number, b: Uint8Array, o: number, end: number, frame: Frame): number {
  if (type === ETH_IPV4) frame.l3 = L3.IPV4;
  else if (type === ETH_IPV6) frame.l3 = L3.IPV6;
  else if (type === ETH_MPLS || type === ETH_MPLS_MULTICAST) return mpls(b, o, end, frame);
  else if (type === ETH_PPPOE_SESSION) return pppoe(b, o, end, frame);
  else if (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) return ethertype(b, o - 2, end, frame);
  return o;
}

/** IEEE 802.2 LLC: DSAP, SSAP, control (1 byte for U-format, 2 for I/S); SNAP carries an ethertype. */
function llc(b: Uint8Array, o: number, end: number, frame: Frame): number {
  if (end - o < 3) return fail(frame, 'truncated-llc');
  const dsap = b[o];
  const ssap = b[o + 1];
  const control = (b[o + 2] & 3) === 3 ? 1 : 2;
  const payload = o + 2 + control;
  if (dsap === 0xaa && ssap === 0xaa) {
    if (end - payload < 5) return fail(frame, 'truncated-snap');
    const oui = (b[payload] << 16) | (b[payload + 1] << 8) | b[payload + 2];
    const pid = (b[payload + 3] << 8) | b[payload + 4];
    if (oui === OUI_CIMETRICS && pid === 1) return cimetricsMstp(b, payload + 5, end, frame);
    if (oui !== 0) return payload + 5;
    return byType(pid, b, payload + 5, end, frame);
  }
  frame.l3 = L3.LLC;
  frame.dsap = dsap;
  frame.ssap = ssap;
  frame.data = b;
  frame.payloadOffset = Math.min(payload, end);
  frame.payloadEnd = end;
  return payload;
}

/** SNAP OUI of Cimetrics, whose PID 1 carries BACnet MS/TP frames captured from an RS-485 line. */
const OUI_CIMETRICS = 0x001090;
const MSTP_HEADER = 6;

/**
 * Cimetrics "U+4" MS/TP encapsulation (as Wireshark's cimetrics dissector reads it): a 2-byte timer
 * and a 1-byte value, then the MS/TP frame without its 55 FF preamble (ASHRAE 135 §9.3): frame
 * type, destination, source, 16-bit data length, header CRC, data, data CRC. The data is exposed
 * as the payload, and the frame type in `mstpFrameType` (5 and 6 carry a BACnet NPDU).
 */
function cimetricsMstp(b: Uint8Array, o: number, end: number, frame: Frame): number {
  const h = o + 3;
  if (end - h < MSTP_HEADER) return fail(frame, 'truncated-mstp');
  const len = (b[h + 3] << 8) | b[h + 4];
  frame.l3 = L3.MSTP;
  frame.mstpFrameType = b[h];
  frame.data = b;
  frame.payloadOffset = h + MSTP_HEADER;
  frame.payloadEnd = Math.min(end, h + MSTP_HEADER + len);
  return h + MSTP_HEADER;
}

/**
 * MPLS label stack (RFC 3032 §2.1): 4-byte entries until the bottom-of-stack bit; the payload's
 * first nibble tells IPv4 from IPv6 (RFC 4182 leaves no other indication).
 */
function mpls(b: Uint8Array, o: number, end: number, frame: Frame): number {
  for (let i = 0; i < MAX_LABELS; i++) {
    if (end - o < 4) return fail(frame, 'truncated-mpls');
    const bottom = (b[o + 2] & 0x01) !== 0;
    o += 4;
    if (!bottom) continue;
    if (end - o < 1) return fail(frame, 'truncated-mpls');
    const v = b[o] >> 4;
    if (v === 4) frame.l3 = L3.IPV4;
    else if (v === 6) frame.l3 = L3.IPV6;
    return o;
  }
  return fail(frame, 'mpls-stack-too-deep');
}

/** PPPoE session header (6 bytes: ver/type, code, session id, length), then the PPP protocol. */
function pppoe(b: Uint8Array, o: number, end: number, frame: Frame): number {
  if (end - o < 8) return fail(frame, 'truncated-pppoe');
  const proto = (b[o + 6] << 8) | b[o + 7];
  if (proto === PPP_IPV4) frame.l3 = L3.IPV4;
  else if (proto === PPP_IPV6) frame.l3 = L3.IPV6;
  return o + 8;
}
