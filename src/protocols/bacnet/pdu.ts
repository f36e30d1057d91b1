// BACnet/IP framing (ASHRAE 135 Annex J: BVLL), the network layer (§6.2 NPDU) and the
// application layer header (§20.1 APDU). Service parameters are decoded in services.ts.
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import type { Message, Parsed } from '../protocol.ts';
import { APDU_TYPES, BVLC_FUNCTIONS, CONFIRMED_SERVICES, NETWORK_MESSAGES, UNCONFIRMED_SERVICES, nameOf } from './catalog.ts';
import { decodeService, type ServiceParameters } from './services.ts';

export const BVLC_TYPE_BIP = 0x81;

export interface Bvlc {
  type: number;
  function: number;
  functionName: string;
  /** Forwarded-NPDU: the original source B/IP address (4-octet IPv4 + port). */
  originalSource?: { address: string; port: number };
  /** Octets after the header of functions that carry no NPDU (result code, tables, TTL). */
  data?: Uint8Array;
}

export interface NetworkAddress {
  network: number;
  /** MAC address octets; empty for a broadcast on that network. */
  address: Uint8Array;
}

export interface Npdu {
  version: number;
  control: number;
  destination?: NetworkAddress;
  source?: NetworkAddress;
  hopCount?: number;
  expectingReply: boolean;
  priority: number;
  networkMessage?: { type: number; name: string; vendorId?: number; data: Uint8Array };
}

export interface Apdu {
  type: number;
  typeName: string;
  /** Octet 0 flags: SEG 0x08, MOR 0x04, SA 0x02 (requests) / NAK 0x02, SRV 0x01 (acks, abort). */
  flags: number;
  /** Confirmed requests: max segments (bits 4..6) and max APDU length (bits 0..3) octet. */
  maxSegmentsAndApdu?: number;
  invokeId?: number;
  sequenceNumber?: number;
  windowSize?: number;
  service?: number;
  serviceName?: string;
  /** Reject and abort reasons. */
  reason?: number;
  /** The service request/ack octets, kept so encode restores them. */
  serviceData: Uint8Array;
  parameters?: ServiceParameters;
}

export interface BacnetMessage extends Message {
  bvlc?: Bvlc;
  npdu?: Npdu;
  apdu?: Apdu;
}

/** BACnet/IP datagram: BVLC then, for functions 0x04, 0x09, 0x0a, 0x0b, an NPDU. */
export function parseBvlc(bytes: Uint8Array): Parsed<BacnetMessage> {
  if (bytes.length === 0) return { kind: 'incomplete', needed: 4 };
  if (bytes[0] !== BVLC_TYPE_BIP) return { kind: 'not-mine' };
  if (bytes.length > 1 && !(bytes[1] in BVLC_FUNCTIONS)) return { kind: 'not-mine' };
  if (bytes.length < 4) return { kind: 'incomplete', needed: 4 };
  const length = (bytes[2] << 8) | bytes[3];
  if (length < 4) return { kind: 'not-mine' };
  if (bytes.length < length) return { kind: 'incomplete', needed: length };

  const fn = bytes[1];
  const anomalies: string[] = [];
  const bvlc: Bvlc = { type: bytes[0], function: fn, functionName: nameOf(BVLC_FUNCTIONS, fn) };
  const m: BacnetMessage = { bvlc, anomalies };
  const r = new ByteReader(bytes, 4, length);
  if (fn === 0x04) {
    const ip = r.bytesView(4);
    const port = r.u16be();
    if (r.overrun) anomalies.push('bvlc-truncated');
    else bvlc.originalSource = { address: [...ip].join('.'), port };
  }
  if (fn === 0x04 || fn === 0x09 || fn === 0x0a || fn === 0x0b) {
    if (!r.overrun) readNpduInto(m, r.bytesView(r.remaining));
  } else {
    bvlc.data = r.bytesView(r.remaining).slice();
  }
  return { kind: 'done', message: m, consumed: length };
}

/** NPDU (+ APDU) without BVLC, as carried by ISO 8802-2 LLC (DSAP/SSAP 0x82) or MS/TP. */
export function parseNpdu(bytes: Uint8Array): BacnetMessage {
  const m: BacnetMessage = { anomalies: [] };
  readNpduInto(m, bytes);
  return m;
}

function readNpduInto(m: BacnetMessage, bytes: Uint8Array): void {
  const a = m.anomalies;
  const r = new ByteReader(bytes);
  const version = r.u8();
  const control = r.u8();
  if (r.overrun) {
    a.push('npdu-truncated');
    return;
  }
  const npdu: Npdu = { version, control, expectingReply: (control & 0x04) !== 0, priority: control & 0x03 };
  m.npdu = npdu;
  if (version !== 1) a.push('npdu-version-not-1');
  if (control & 0x50) a.push('npdu-reserved-bits');
  if (control & 0x20) npdu.destination = { network: r.u16be(), address: r.bytesView(r.u8()).slice() };
  if (control & 0x08) npdu.source = { network: r.u16be(), address: r.bytesView(r.u8()).slice() };
  if (control & 0x20) npdu.hopCount = r.u8();
  if (control & 0x80) {
    const type = r.u8();
    const vendorId = type >= 0x80 ? r.u16be() : undefined;
    npdu.networkMessage = { type, name: type >= 0x80 ? 'proprietary' : nameOf(NETWORK_MESSAGES, type), ...(vendorId !== undefined ? { vendorId } : {}), data: r.bytesView(r.remaining).slice() };
  }
  if (r.overrun) {
    a.push('npdu-truncated');
    return;
  }
  if (!(control & 0x80)) {
    if (r.remaining === 0) a.push('apdu-missing');
    else m.apdu = readApdu(r, a);
  }
}

function readApdu(r: ByteReader, a: string[]): Apdu | undefined {
  const b0 = r.u8();
  const type = b0 >>> 4;
  const apdu: Apdu = { type, typeName: APDU_TYPES[type] ?? 'unknown', flags: b0 & 0x0f, serviceData: new Uint8Array(0) };
  const segmented = (b0 & 0x08) !== 0;
  switch (type) {
    case 0:
      apdu.maxSegmentsAndApdu = r.u8();
      apdu.invokeId = r.u8();
      if (segmented) {
        apdu.sequenceNumber = r.u8();
        apdu.windowSize = r.u8();
      }
      apdu.service = r.u8();
      break;
    case 1:
      apdu.service = r.u8();
      break;
    case 2:
      apdu.invokeId = r.u8();
      apdu.service = r.u8();
      break;
    case 3:
      apdu.invokeId = r.u8();
      if (segmented) {
        apdu.sequenceNumber = r.u8();
        apdu.windowSize = r.u8();
      }
      apdu.service = r.u8();
      break;
    case 4:
      apdu.invokeId = r.u8();
      apdu.sequenceNumber = r.u8();
      apdu.windowSize = r.u8();
      break;
    case 5:
      apdu.invokeId = r.u8();
      apdu.service = r.u8();
      break;
    case 6:
    case 7:
      apdu.invokeId = r.u8();
      apdu.reason = r.u8();
      break;
    default:
      a.push('unknown-apdu-type');
  }
  if (r.overrun) {
    a.push('apdu-truncated');
    return apdu;
  }
  if (apdu.service !== undefined) {
    apdu.serviceName = nameOf(type === 1 ? UNCONFIRMED_SERVICES : CONFIRMED_SERVICES, apdu.service);
    if (apdu.serviceName === 'unknown') a.push('unknown-service');
  }
  apdu.serviceData = r.bytesView(r.remaining).slice();
  // A segment other than the first holds the middle of a service; it is not decoded alone.
  if (apdu.service !== undefined && !(segmented && (type === 0 || type === 3))) {
    apdu.parameters = decodeService(type, apdu.service, apdu.serviceData, a);
  } else if (apdu.service === undefined && apdu.serviceData.length) a.push('trailing-bytes');
  return apdu;
}

export function encodeNpdu(w: ByteWriter, n: Npdu, apdu: Apdu | undefined): void {
  w.u8(n.version).u8(n.control);
  if (n.control & 0x20 && n.destination) w.u16be(n.destination.network).u8(n.destination.address.length).bytes(n.destination.address);
  if (n.control & 0x08 && n.source) w.u16be(n.source.network).u8(n.source.address.length).bytes(n.source.address);
  if (n.control & 0x20) w.u8(n.hopCount ?? 255);
  if (n.control & 0x80 && n.networkMessage) {
    w.u8(n.networkMessage.type);
    if (n.networkMessage.type >= 0x80) w.u16be(n.networkMessage.vendorId ?? 0);
    w.bytes(n.networkMessage.data);
    return;
  }
  if (apdu) encodeApdu(w, apdu);
}

function encodeApdu(w: ByteWriter, p: Apdu): void {
  w.u8((p.type << 4) | (p.flags & 0x0f));
  const segmented = (p.flags & 0x08) !== 0;
  switch (p.type) {
    case 0:
      w.u8(p.maxSegmentsAndApdu ?? 0x05).u8(p.invokeId ?? 0);
      if (segmented) w.u8(p.sequenceNumber ?? 0).u8(p.windowSize ?? 0);
      w.u8(p.service ?? 0);
      break;
    case 1:
      w.u8(p.service ?? 0);
      break;
    case 2:
    case 5:
      w.u8(p.invokeId ?? 0).u8(p.service ?? 0);
      break;
    case 3:
      w.u8(p.invokeId ?? 0);
      if (segmented) w.u8(p.sequenceNumber ?? 0).u8(p.windowSize ?? 0);
      w.u8(p.service ?? 0);
      break;
    case 4:
      w.u8(p.invokeId ?? 0).u8(p.sequenceNumber ?? 0).u8(p.windowSize ?? 0);
      break;
    case 6:
    case 7:
      w.u8(p.invokeId ?? 0).u8(p.reason ?? 0);
      break;
  }
  w.bytes(p.serviceData);
}

export function encodeMessage(m: BacnetMessage): Uint8Array {
  const w = new ByteWriter(64);
  const b = m.bvlc;
  if (b) {
    w.u8(b.type).u8(b.function).u16be(0);
    if (b.function === 0x04) {
      const parts = (b.originalSource?.address ?? '0.0.0.0').split('.').map((x) => Number(x) & 0xff);
      w.bytes(parts.length === 4 ? parts : [0, 0, 0, 0]).u16be(b.originalSource?.port ?? 0);
    }
    if (b.data) w.bytes(b.data);
  }
  if (m.npdu) encodeNpdu(w, m.npdu, m.apdu);
  if (b) w.patchU16be(2, w.length);
  return w.finish();
}
