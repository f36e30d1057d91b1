// DNP3 (IEEE 1815-2012) over TCP/UDP 20000: link frames with CRC checks, transport segments
// reassembled per link-address pair in the flow state, application fragments and object headers.
import type { DeviceIdentity } from '../../model/index.ts';
import type { Fields, FlowState, Parsed, Protocol } from '../protocol.ts';
import { encodeFragment, MAX_FRAGMENT, parseFragment, type ApplicationFragment } from './application.ts';
import { PRIMARY_FUNCTIONS, SECONDARY_FUNCTIONS } from './catalog.ts';
import { dnp3Tally } from './tally.ts';
import { TRANSPORT_STATE_KEY, transportKey } from './transport.ts';
import {
  crc16dnp, decodeControl, encodeControl, encodeFrame, frameSize, HEADER_SIZE, MIN_LEN, START_0, START_1, userDataOf, type LinkControl,
} from './link.ts';

export type { ApplicationFragment, ApplicationControl, ControlRelayOutputBlock, ObjectHeader } from './application.ts';
export type { LinkControl } from './link.ts';
export { crc16dnp } from './link.ts';
export { APPLICATION_FUNCTIONS, PRIMARY_FUNCTIONS, SECONDARY_FUNCTIONS } from './catalog.ts';
export { deviceAttributesResponse, linkStatus, readDeviceAttributes, readRequest, requestLinkStatus } from './builders.ts';

export interface TransportHeader {
  final: boolean;
  first: boolean;
  sequence: number;
}

export interface Dnp3Message {
  anomalies: string[];
  link: { length: number; control: LinkControl; destination: number; source: number };
  /** The frame's user data with block CRCs removed; encode rebuilds from transport + application when absent. */
  userData?: Uint8Array;
  transport?: TransportHeader;
  /** Present on the frame whose segment completes an application fragment (FIN). */
  application?: ApplicationFragment;
  /**
   * The frame as received when its LEN is below 5 (§9.2.4.1.2): tshark still takes it for a
   * (malformed) DNP3 frame of LEN + 5 octets, with no fields; encode gives these bytes back.
   */
  malformed?: Uint8Array;
}

interface Pending {
  next: number;
  parts: Uint8Array[];
  size: number;
}

const STATE_KEY = TRANSPORT_STATE_KEY;

function parseFrame(bytes: Uint8Array, state: FlowState): Parsed<Dnp3Message> {
  if (bytes.length === 0) return { kind: 'incomplete', needed: HEADER_SIZE };
  if (bytes[0] !== START_0 || (bytes.length > 1 && bytes[1] !== START_1)) return { kind: 'not-mine' };
  if (bytes.length < 3) return { kind: 'incomplete', needed: HEADER_SIZE };
  const len = bytes[2];
  if (len < MIN_LEN) return malformedFrame(bytes, len);
  const total = frameSize(len);
  if (bytes.length < total) return { kind: 'incomplete', needed: total };

  const anomalies: string[] = [];
  const headerCrc = bytes[8] | (bytes[9] << 8);
  if (headerCrc !== crc16dnp(bytes, 0, 8)) anomalies.push('crc-mismatch');
  const control = decodeControl(bytes[3], PRIMARY_FUNCTIONS, SECONDARY_FUNCTIONS);
  if (control.functionName === 'unknown') anomalies.push('unknown-link-function');
  const message: Dnp3Message = {
    anomalies,
    link: { length: len, control, destination: bytes[4] | (bytes[5] << 8), source: bytes[6] | (bytes[7] << 8) },
  };
  const blockAnomalies: string[] = [];
  const userData = userDataOf(bytes, len, blockAnomalies);
  if (blockAnomalies.length && !anomalies.includes('crc-mismatch')) anomalies.push(...blockAnomalies);
  message.userData = userData;

  const carriesUserData = control.primary && (control.function === 3 || control.function === 4);
  if (!carriesUserData) {
    if (userData.length) anomalies.push('unexpected-user-data');
    return { kind: 'done', message, consumed: total };
  }
  if (userData.length === 0) {
    anomalies.push('missing-transport-header');
    return { kind: 'done', message, consumed: total };
  }
  const th = userData[0];
  message.transport = { final: (th & 0x80) !== 0, first: (th & 0x40) !== 0, sequence: th & 0x3f };
  const fragment = reassemble(state, message, userData.subarray(1), anomalies);
  if (fragment) message.application = parseFragment(fragment, anomalies);
  return { kind: 'done', message, consumed: total };
}

/**
 * LEN below its minimum 5: tshark's get_dnp3_message_len still sizes the frame as LEN + 5 (the
 * data CRC count rounds to 0) and its dissector marks it malformed. Counted as DNP3 with an
 * anomaly, so a stream that starts 05 64 is DNP3 the way tshark sees it.
 */
function malformedFrame(bytes: Uint8Array, len: number): Parsed<Dnp3Message> {
  const total = len + 5;
  if (bytes.length < total) return { kind: 'incomplete', needed: total };
  const frame = bytes.slice(0, total);
  const control = decodeControl(frame[3], PRIMARY_FUNCTIONS, SECONDARY_FUNCTIONS);
  const message: Dnp3Message = {
    anomalies: ['link-length-below-minimum'],
    link: { length: len, control, destination: (frame[4] ?? 0) | ((frame[5] ?? 0) << 8), source: (frame[6] ?? 0) | ((frame[7] ?? 0) << 8) },
    malformed: frame,
  };
  return { kind: 'done', message, consumed: total };
}

/** IEEE 1815-2012 §8.2: FIR starts a fragment, each next segment has sequence + 1 (mod 64), FIN ends it. */
function reassemble(state: FlowState, m: Dnp3Message, segment: Uint8Array, anomalies: string[]): Uint8Array | undefined {
  const t = m.transport!;
  // The table is made when a fragment first waits for more, so a whole fragment in one frame
  // leaves the state as it was (what the summary's tally relies on).
  const table = state[STATE_KEY] as Map<string, Pending> | undefined;
  const key = transportKey(m.link.source, m.link.destination);
  let pending = table?.get(key);
  if (t.first) {
    if (pending) anomalies.push('transport-fragment-discarded');
    pending = { next: t.sequence, parts: [], size: 0 };
  } else if (!pending) {
    anomalies.push('transport-segment-without-first');
    return undefined;
  } else if (t.sequence !== pending.next) {
    anomalies.push('transport-sequence-gap');
    table?.delete(key);
    return undefined;
  }
  pending.parts.push(segment.slice());
  pending.size += segment.length;
  pending.next = (t.sequence + 1) & 0x3f;
  if (pending.size > MAX_FRAGMENT) {
    anomalies.push('fragment-too-large');
    table?.delete(key);
    return undefined;
  }
  if (!t.final) {
    ((state[STATE_KEY] ??= new Map<string, Pending>()) as Map<string, Pending>).set(key, pending);
    return undefined;
  }
  table?.delete(key);
  const out = new Uint8Array(pending.size);
  let at = 0;
  for (const p of pending.parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encode(m: Dnp3Message): Uint8Array {
  if (m.malformed) return m.malformed.slice();
  let userData = m.userData;
  if (!userData) {
    const t = m.transport;
    const app = m.application ? encodeFragment(m.application) : new Uint8Array(0);
    userData = new Uint8Array(t ? 1 + app.length : 0);
    if (t) {
      userData[0] = (t.final ? 0x80 : 0) | (t.first ? 0x40 : 0) | (t.sequence & 0x3f);
      userData.set(app, 1);
    }
  }
  return encodeFrame(encodeControl(m.link.control), m.link.destination, m.link.source, userData);
}

export const dnp3: Protocol<Dnp3Message> = {
  name: 'dnp3',
  endpoints: [
    { transport: 'tcp', port: 20000 },
    { transport: 'udp', port: 20000 },
  ],

  recognize(bytes) {
    if (bytes.length === 0 || bytes[0] !== START_0) return false;
    if (bytes.length > 1 && bytes[1] !== START_1) return false;
    if (bytes.length >= 3 && bytes[2] < MIN_LEN) return false;
    // The header CRC makes recognition on any port nearly free of false positives.
    return bytes.length < HEADER_SIZE || crc16dnp(bytes, 0, 8) === (bytes[8] | (bytes[9] << 8));
  },

  parse(bytes, _direction, state) {
    return parseFrame(bytes, state ?? {});
  },

  encode,

  // Group 0 device attributes (IEEE 1815-2012 §A.1) are the only place DNP3 names a device.
  identify(messages) {
    const attrs: Record<string, string | number> = {};
    const outstations = new Set<number>();
    for (const m of messages) {
      if (!m.link.control.direction) outstations.add(m.link.source);
      for (const o of m.application?.objects ?? []) if (o.attribute) attrs[o.attribute.name] = o.attribute.value;
    }
    if (Object.keys(attrs).length === 0 && outstations.size === 0) return null;
    const text = (k: string) => (attrs[k] === undefined ? undefined : String(attrs[k]));
    const identity: DeviceIdentity = { raw: { ...attrs, outstationAddresses: [...outstations] } };
    if (text('manufacturer')) identity.vendor = text('manufacturer');
    if (text('productName')) identity.product = text('productName');
    if (text('softwareVersion')) identity.firmware = text('softwareVersion');
    if (text('hardwareVersion')) identity.hardware = text('hardwareVersion');
    if (text('serialNumber')) identity.serial = text('serialNumber');
    if (text('deviceName')) identity.moduleName = text('deviceName');
    return identity;
  },

  // tshark's DNP3 field names; dnp3.al.obj is group << 8 | variation, as tshark shows it.
  fields(m) {
    // tshark adds no field to a malformed frame; its length is all that is known of it.
    if (m.malformed) return { 'dnp3.len': m.link.length };
    const c = m.link.control;
    const f: Fields = {
      'dnp3.len': m.link.length,
      'dnp3.ctl.dir': c.direction,
      'dnp3.ctl.prm': c.primary,
      'dnp3.dst': m.link.destination,
      'dnp3.src': m.link.source,
    };
    f[c.primary ? 'dnp3.ctl.prifunc' : 'dnp3.ctl.secfunc'] = c.function;
    if (m.transport) {
      f['dnp3.tr.fin'] = m.transport.final;
      f['dnp3.tr.fir'] = m.transport.first;
      f['dnp3.tr.seq'] = m.transport.sequence;
    }
    const a = m.application;
    if (a) {
      f['dnp3.al.func'] = a.function;
      f['dnp3.al.fir'] = a.control.first;
      f['dnp3.al.fin'] = a.control.final;
      f['dnp3.al.con'] = a.control.confirm;
      f['dnp3.al.uns'] = a.control.unsolicited;
      f['dnp3.al.seq'] = a.control.sequence;
      if (a.iin !== undefined) f['dnp3.al.iin'] = a.iin;
      f['dnp3.al.obj'] = a.objects.map((o) => (o.group << 8) | o.variation);
      const files = a.objects.flatMap((o) => o.files ?? []);
      if (files.length) {
        f['dnp3.al.file_name'] = files.map((x) => x.name);
        f['dnp3.al.file.mode'] = files.map((x) => x.mode);
      }
      const crobs = a.objects.flatMap((o) => o.crob ?? []);
      if (crobs.length) {
        f['dnp3.ctl.op'] = crobs.map((c) => c.operation);
        f['dnp3.ctl.trip'] = crobs.map((c) => c.tripClose);
      }
    }
    return f;
  },

  // fields() restricted to what the traffic summary counts (Protocol.summaryFields).
  summaryFields(m) {
    if (m.malformed) return { 'dnp3.len': m.link.length };
    const c = m.link.control;
    const f: Fields = { 'dnp3.len': m.link.length };
    f[c.primary ? 'dnp3.ctl.prifunc' : 'dnp3.ctl.secfunc'] = c.function;
    if (m.application) f['dnp3.al.func'] = m.application.function;
    return f;
  },

  tally: dnp3Tally,
};
