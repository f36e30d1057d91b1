// CIP explicit messages as carried in EtherNet/IP CPF data items: Message Router request and
// response (CIP Vol 1 §2-4), EPATH segments (Vol 1 Appendix C-1), and the services that embed
// other requests (Multiple Service Packet, Vol 1 §; Unconnected Send, Vol 1 §3-5.5.2).
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import type { Tally } from '../protocol.ts';
import { CLASS_NAMES, CONNECTION_MANAGER_SERVICES, LOGIX_SERVICES, SERVICE_NAMES } from './names.ts';

export type EpathSegment =
  | { type: 'class' | 'instance' | 'attribute' | 'member' | 'connection-point'; value: number }
  | { type: 'port'; port: number; link: number }
  | { type: 'symbol'; name: string }
  | { type: 'data'; bytes: Uint8Array }
  | { type: 'unknown'; code: number };

export interface CipRequest {
  kind: 'request';
  service: number;
  /** The request path as sent, in words of 16 bits. */
  path: Uint8Array;
  data: Uint8Array;
}

export interface CipResponse {
  kind: 'response';
  /** Service code without the 0x80 reply bit. */
  service: number;
  generalStatus: number;
  additionalStatus: number[];
  data: Uint8Array;
}

export type CipMessage = CipRequest | CipResponse;

/** Embedding depth allowed for Multiple Service Packets inside Unconnected Sends and so on. */
const MAX_DEPTH = 4;
const MAX_EMBEDDED = 256;

export function decodeCip(bytes: Uint8Array): CipMessage | null {
  const r = new ByteReader(bytes);
  const service = r.u8();
  if (service & 0x80) {
    r.skip(1);
    const generalStatus = r.u8();
    const words = r.u8();
    const additionalStatus = r.list(words, (x) => x.u16le(), 255, 2);
    if (r.overrun) return null;
    return { kind: 'response', service: service & 0x7f, generalStatus, additionalStatus, data: r.bytesView(r.remaining) };
  }
  const words = r.u8();
  if (r.overrun || !r.has(words * 2)) return null;
  const path = r.bytesView(words * 2);
  return { kind: 'request', service, path, data: r.bytesView(r.remaining) };
}

export function encodeCip(w: ByteWriter, m: CipMessage): void {
  if (m.kind === 'request') {
    w.u8(m.service).u8(m.path.length >> 1).bytes(m.path);
  } else {
    w.u8(m.service | 0x80).u8(0).u8(m.generalStatus).u8(m.additionalStatus.length);
    for (const s of m.additionalStatus) w.u16le(s);
  }
  w.bytes(m.data);
}

/** Logical, port, symbolic and data segments (Vol 1 Appendix C-1.4); stops at the first it cannot size. */
export function decodeEpath(path: Uint8Array): EpathSegment[] {
  const r = new ByteReader(path);
  const out: EpathSegment[] = [];
  while (r.remaining > 0 && out.length < 64) {
    const code = r.u8();
    const kind = code >> 5;
    if (kind === 1) {
      const logical = (['class', 'instance', 'member', 'connection-point', 'attribute'] as const)[(code >> 2) & 7];
      const format = code & 3;
      let value = 0;
      if (format === 0) value = r.u8();
      else if (format === 1) {
        r.skip(1);
        value = r.u16le();
      } else if (format === 2) {
        r.skip(1);
        value = r.u32le();
      } else r.overrun = true;
      if (!logical || r.overrun) return [...out, { type: 'unknown', code }];
      out.push({ type: logical, value });
    } else if (kind === 0) {
      // Port segment: port id in the low nibble, bit 4 = extended link address size.
      const extended = (code & 0x10) !== 0;
      let port = code & 0x0f;
      if (extended) {
        const size = r.u8();
        if (port === 15) port = r.u16le();
        r.skip(size + (size & 1));
        out.push({ type: 'port', port, link: -1 });
      } else {
        if (port === 15) port = r.u16le();
        out.push({ type: 'port', port, link: r.u8() });
      }
      if (r.overrun) return out;
    } else if (code === 0x91) {
      const len = r.u8();
      const name = r.ascii(len);
      if (len & 1) r.skip(1);
      if (r.overrun) return [...out, { type: 'unknown', code }];
      out.push({ type: 'symbol', name });
    } else if (code === 0x80) {
      const words = r.u8();
      out.push({ type: 'data', bytes: r.bytesView(words * 2) });
      if (r.overrun) return out;
    } else {
      out.push({ type: 'unknown', code });
      return out;
    }
  }
  return out;
}

export function pathClass(path: Uint8Array): number | undefined {
  const seg = decodeEpath(path).find((s) => s.type === 'class');
  return seg && 'value' in seg ? seg.value : undefined;
}

export function serviceName(service: number, classId?: number): string {
  if (service < 0x32) return SERVICE_NAMES[service] ?? 'unknown';
  if (classId === 0x06) return CONNECTION_MANAGER_SERVICES[service] ?? 'object-specific';
  return LOGIX_SERVICES[service] ?? 'object-specific';
}

export function className(classId: number): string {
  return CLASS_NAMES[classId] ?? 'unknown';
}

/** Multiple Service Packet body: count, offsets from the count, then the services. */
function multiple(data: Uint8Array): Uint8Array[] | null {
  const r = new ByteReader(data);
  const count = r.u16le();
  const offsets = r.list(count, (x) => x.u16le(), MAX_EMBEDDED, 2);
  if (r.overrun) return null;
  const out: Uint8Array[] = [];
  for (let i = 0; i < offsets.length; i++) {
    const start = offsets[i];
    const end = i + 1 < offsets.length ? offsets[i + 1] : data.length;
    if (start < 2 + count * 2 || end > data.length || start > end) return null;
    out.push(data.subarray(start, end));
  }
  return out;
}

/** Unconnected Send request body: priority/tick, timeout ticks, size, the embedded request, route path. */
function unconnectedSend(data: Uint8Array): Uint8Array | null {
  const r = new ByteReader(data);
  r.skip(2);
  const size = r.u16le();
  if (r.overrun || size > r.remaining) return null;
  return r.bytesView(size);
}

/** The message and every message embedded in it, depth first, as tshark lists them. */
export function flattenCip(m: CipMessage, depth = 0): CipMessage[] {
  const out: CipMessage[] = [m];
  if (depth >= MAX_DEPTH) return out;
  let inner: Uint8Array[] | null = null;
  if (m.service === 0x0a && (m.kind === 'request' || m.generalStatus === 0 || m.generalStatus === 0x1e)) inner = multiple(m.data);
  else if (m.kind === 'request' && m.service === 0x52 && pathClass(m.path) === 0x06) {
    const one = unconnectedSend(m.data);
    inner = one ? [one] : null;
  }
  for (const bytes of inner ?? []) {
    const e = decodeCip(bytes);
    if (e) out.push(...flattenCip(e, depth + 1));
  }
  return out;
}

/** Where countCipServices counts: the ENIP tally's field indexes. */
export const CIP_SERVICE = 1;
export const CIP_SC = 2;

/**
 * The service codes of flattenCip(decodeCip(bytes[start, end))), counted into CIP_SERVICE (reply
 * bit set on responses, as cip.service) and CIP_SC (without it, as cip.sc): the same walk over the
 * bytes, without building the messages (the traffic summary needs only these two fields).
 */
export function countCipServices(bytes: Uint8Array, start: number, end: number, depth: number, into: Tally): void {
  if (end - start < 2) return;
  const code = bytes[start];
  const response = (code & 0x80) !== 0;
  let dataStart: number;
  let generalStatus = 0;
  let pathStart = 0;
  if (response) {
    if (end - start < 4) return;
    generalStatus = bytes[start + 2];
    dataStart = start + 4 + bytes[start + 3] * 2;
    if (dataStart > end) return;
  } else {
    pathStart = start + 2;
    dataStart = pathStart + bytes[start + 1] * 2;
    if (dataStart > end) return;
  }
  const s = code & 0x7f;
  into.add(CIP_SERVICE, response ? s | 0x80 : s);
  into.add(CIP_SC, s);
  if (depth >= MAX_DEPTH) return;
  if (s === 0x0a && (!response || generalStatus === 0 || generalStatus === 0x1e)) {
    // Multiple Service Packet: as multiple(), all offsets checked before any service is taken.
    if (end - dataStart < 2) return;
    const count = bytes[dataStart] | (bytes[dataStart + 1] << 8);
    if (count > MAX_EMBEDDED || count * 2 > end - dataStart - 2) return;
    const length = end - dataStart;
    for (let i = 0; i < count; i++) {
      const at = dataStart + 2 + i * 2;
      const from = bytes[at] | (bytes[at + 1] << 8);
      const to = i + 1 < count ? bytes[at + 2] | (bytes[at + 3] << 8) : length;
      if (from < 2 + count * 2 || to > length || from > to) return;
    }
    for (let i = 0; i < count; i++) {
      const at = dataStart + 2 + i * 2;
      const from = bytes[at] | (bytes[at + 1] << 8);
      const to = i + 1 < count ? bytes[at + 2] | (bytes[at + 3] << 8) : length;
      countCipServices(bytes, dataStart + from, dataStart + to, depth + 1, into);
    }
  } else if (!response && s === 0x52 && pathClass(bytes.subarray(pathStart, dataStart)) === 0x06) {
    // Unconnected Send: priority/tick, timeout ticks, then the embedded request's size.
    if (end - dataStart < 4) return;
    const size = bytes[dataStart + 2] | (bytes[dataStart + 3] << 8);
    if (size > end - dataStart - 4) return;
    countCipServices(bytes, dataStart + 4, dataStart + 4 + size, depth + 1, into);
  }
}
