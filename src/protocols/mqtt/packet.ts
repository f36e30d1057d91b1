// MQTT control packets: 3.1 (level 3), 3.1.1 (level 4, OASIS 2014) and 5.0 (level 5, OASIS
// 2019). Fixed header §2.1, variable headers and payloads §3.x. The protocol level comes from
// the CONNECT; packets seen before one are read as 3.1.1 unless their shape says 5.0.
import { ByteReader, ByteWriter, LIMITS } from '../../wire/index.ts';
import type { Message, Parsed } from '../protocol.ts';
import { readUtf8String, readVarInt, writeUtf8String, writeVarInt } from './codec.ts';
import { readProperties, writeProperties, type Property } from './properties.ts';

export const PACKET_TYPES = [
  'reserved', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
] as const;
export type PacketType = (typeof PACKET_TYPES)[number];

export type ProtocolLevel = 3 | 4 | 5;

/** Where parse keeps the flow's protocol level (from the CONNECT) in the flow state. */
export const VERSION_KEY = 'mqtt.version';

/** Payloads above this are kept as their length only; the message says so. */
export const MAX_PAYLOAD = 1 << 16;

export interface Connect {
  protocolName: string;
  protocolLevel: number;
  cleanSession: boolean;
  keepAlive: number;
  clientId: string;
  will?: { topic: string; payload: Uint8Array; qos: number; retain: boolean; properties?: Property[] };
  username?: string;
  password?: Uint8Array;
  /** The reserved flag bit (must be 0, [MQTT-3.1.2-3]). */
  reservedFlag: boolean;
}

export interface Publish {
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  payload: Uint8Array;
  payloadLength: number;
}

export interface Subscription {
  topic: string;
  /** Requested QoS in bits 0-1; v5 adds no-local, retain-as-published and retain handling. */
  options: number;
}

export interface MqttMessage extends Message {
  type: number;
  typeName: PacketType;
  /** Fixed header flag bits 0..3. */
  flags: number;
  version: ProtocolLevel;
  connect?: Connect;
  /** CONNACK: session present flag. */
  sessionPresent?: boolean;
  publish?: Publish;
  packetId?: number;
  /** CONNACK return code (3.1.1) or the reason code of a 5.0 acknowledgement, DISCONNECT or AUTH. */
  reasonCode?: number;
  properties?: Property[];
  subscriptions?: Subscription[];
  topics?: string[];
  /** SUBACK granted QoS / UNSUBACK (5.0) reason codes. */
  reasonCodes?: number[];
}

/** §2.1.3 / MQTT 5.0 §2.1.3: the only fixed-header flags each type may carry (PUBLISH is free). */
const REQUIRED_FLAGS: Record<number, number> = { 6: 0x2, 8: 0x2, 10: 0x2 };

export function parsePacket(bytes: Uint8Array, version: ProtocolLevel | undefined): Parsed<MqttMessage> {
  if (bytes.length === 0) return { kind: 'incomplete', needed: 2 };
  const type = bytes[0] >>> 4;
  if (type === 0) return { kind: 'not-mine' };
  const r = new ByteReader(bytes, 1);
  const remaining = readVarInt(r);
  if (remaining === undefined) {
    // Four continuation octets make the length malformed (§1.5.5); fewer may still be arriving.
    return bytes.length >= 5 ? { kind: 'not-mine' } : { kind: 'incomplete', needed: bytes.length + 1 };
  }
  const total = r.offset + remaining;
  if (total > LIMITS.maxPdu) return { kind: 'not-mine' };
  if (bytes.length < total) return { kind: 'incomplete', needed: total };

  const anomalies: string[] = [];
  const flags = bytes[0] & 0x0f;
  const m: MqttMessage = { type, typeName: PACKET_TYPES[type], flags, version: version ?? 4, anomalies };
  if (type !== 3 && flags !== (REQUIRED_FLAGS[type] ?? 0)) anomalies.push('invalid-fixed-header-flags');
  const body = new ByteReader(bytes, r.offset, total);
  if (type === 15 && version !== undefined && version < 5) anomalies.push('auth-before-mqtt-5');
  readBody(m, body, remaining, version);
  if (body.overrun) anomalies.push('packet-truncated');
  else if (body.remaining > 0) anomalies.push('trailing-bytes');
  return { kind: 'done', message: m, consumed: total };
}

function readBody(m: MqttMessage, r: ByteReader, remaining: number, known: ProtocolLevel | undefined): void {
  const a = m.anomalies;
  switch (m.typeName) {
    case 'CONNECT': {
      const protocolName = readUtf8String(r);
      const protocolLevel = r.u8();
      const f = r.u8();
      const keepAlive = r.u16be();
      m.version = protocolLevel === 5 ? 5 : protocolLevel === 3 ? 3 : 4;
      if (!['MQTT', 'MQIsdp'].includes(protocolName)) a.push('unknown-protocol-name');
      if (protocolLevel < 3 || protocolLevel > 5) a.push('unknown-protocol-level');
      if (m.version === 5) m.properties = readProperties(r, a);
      const c: Connect = { protocolName, protocolLevel, cleanSession: (f & 0x02) !== 0, keepAlive, clientId: readUtf8String(r), reservedFlag: (f & 0x01) !== 0 };
      if (c.reservedFlag) a.push('connect-reserved-flag');
      if (f & 0x04) {
        const properties = m.version === 5 ? readProperties(r, a) : undefined;
        const topic = readUtf8String(r);
        const payload = r.bytesView(r.u16be()).slice();
        c.will = { topic, payload, qos: (f >>> 3) & 0x03, retain: (f & 0x20) !== 0, ...(properties ? { properties } : {}) };
      } else if (f & 0x38) a.push('will-flags-without-will');
      if (f & 0x80) c.username = readUtf8String(r);
      if (f & 0x40) c.password = r.bytesView(r.u16be()).slice();
      m.connect = c;
      return;
    }
    case 'CONNACK': {
      // A 5.0 CONNACK always carries a property length, so it is longer than the 2 octets of 3.1.1.
      if (known === undefined && remaining > 2) m.version = 5;
      const ack = r.u8();
      m.sessionPresent = (ack & 0x01) !== 0;
      m.reasonCode = r.u8();
      if (m.version === 5) m.properties = readProperties(r, a);
      return;
    }
    case 'PUBLISH': {
      const qos = (m.flags >>> 1) & 0x03;
      if (qos === 3) a.push('publish-qos-3');
      const topic = readUtf8String(r);
      if (qos > 0) m.packetId = r.u16be();
      if (m.version === 5) m.properties = readProperties(r, a);
      // [MQTT-4.7.3-1] a topic name has at least one character (5.0: unless a topic alias stands for it);
      // [MQTT-3.3.2-2] it has no wildcards.
      if (topic === '' && !m.properties?.some((p) => p.id === 35)) a.push('empty-topic-name');
      if (/[+#]/.test(topic)) a.push('wildcard-in-topic-name');
      const payloadLength = r.remaining;
      const payload = r.bytesView(Math.min(payloadLength, MAX_PAYLOAD)).slice();
      if (payloadLength > MAX_PAYLOAD) {
        a.push('payload-not-kept');
        r.skip(r.remaining);
      }
      m.publish = { topic, qos, retain: (m.flags & 0x01) !== 0, dup: (m.flags & 0x08) !== 0, payload, payloadLength };
      return;
    }
    case 'PUBACK':
    case 'PUBREC':
    case 'PUBREL':
    case 'PUBCOMP':
    case 'UNSUBACK':
      m.packetId = r.u16be();
      if (m.typeName === 'UNSUBACK') {
        if (m.version === 5) {
          m.properties = readProperties(r, a);
          m.reasonCodes = [...r.bytesView(r.remaining)];
        }
        return;
      }
      // MQTT 5.0 §3.4.2.1: the reason code and properties may be left out (success, none).
      if (remaining > 2) {
        if (known === undefined) m.version = 5;
        m.reasonCode = r.u8();
        if (r.remaining > 0) m.properties = readProperties(r, a);
      }
      return;
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      m.packetId = r.u16be();
      if (m.version === 5) m.properties = readProperties(r, a);
      const list: Subscription[] = [];
      while (r.remaining > 0 && !r.overrun && list.length < LIMITS.maxItems) {
        const topic = readUtf8String(r);
        list.push({ topic, options: m.typeName === 'SUBSCRIBE' ? r.u8() : 0 });
      }
      if (list.length === 0) a.push('no-topic-filters');
      if (m.typeName === 'SUBSCRIBE') m.subscriptions = list;
      else m.topics = list.map((s) => s.topic);
      return;
    }
    case 'SUBACK':
      m.packetId = r.u16be();
      if (m.version === 5) m.properties = readProperties(r, a);
      m.reasonCodes = [...r.bytesView(r.remaining)];
      return;
    case 'PINGREQ':
    case 'PINGRESP':
      return;
    case 'DISCONNECT':
    case 'AUTH':
      if (remaining > 0) {
        if (known === undefined) m.version = 5;
        m.reasonCode = r.u8();
        if (r.remaining > 0) m.properties = readProperties(r, a);
      }
      return;
    case 'reserved':
      return;
  }
}

export function encodePacket(m: MqttMessage): Uint8Array {
  const w = new ByteWriter(64);
  const v5 = m.version === 5;
  const props = (list: Property[] | undefined) => writeProperties(w, list ?? []);
  switch (m.typeName) {
    case 'CONNECT': {
      const c = m.connect!;
      writeUtf8String(w, c.protocolName);
      w.u8(c.protocolLevel);
      const f =
        (c.username !== undefined ? 0x80 : 0) |
        (c.password !== undefined ? 0x40 : 0) |
        (c.will?.retain ? 0x20 : 0) |
        ((c.will?.qos ?? 0) << 3) |
        (c.will ? 0x04 : 0) |
        (c.cleanSession ? 0x02 : 0) |
        (c.reservedFlag ? 0x01 : 0);
      w.u8(f).u16be(c.keepAlive);
      if (v5) props(m.properties);
      writeUtf8String(w, c.clientId);
      if (c.will) {
        if (v5) props(c.will.properties);
        writeUtf8String(w, c.will.topic);
        w.u16be(c.will.payload.length).bytes(c.will.payload);
      }
      if (c.username !== undefined) writeUtf8String(w, c.username);
      if (c.password !== undefined) w.u16be(c.password.length).bytes(c.password);
      break;
    }
    case 'CONNACK':
      w.u8(m.sessionPresent ? 1 : 0).u8(m.reasonCode ?? 0);
      if (v5) props(m.properties);
      break;
    case 'PUBLISH': {
      const p = m.publish!;
      writeUtf8String(w, p.topic);
      if (p.qos > 0) w.u16be(m.packetId ?? 0);
      if (v5) props(m.properties);
      w.bytes(p.payload);
      break;
    }
    case 'PUBACK':
    case 'PUBREC':
    case 'PUBREL':
    case 'PUBCOMP':
      w.u16be(m.packetId ?? 0);
      if (m.reasonCode !== undefined) {
        w.u8(m.reasonCode);
        if (m.properties) props(m.properties);
      }
      break;
    case 'UNSUBACK':
      w.u16be(m.packetId ?? 0);
      if (v5) {
        props(m.properties);
        w.bytes(m.reasonCodes ?? []);
      }
      break;
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
      w.u16be(m.packetId ?? 0);
      if (v5) props(m.properties);
      for (const s of m.subscriptions ?? (m.topics ?? []).map((topic) => ({ topic, options: 0 }))) {
        writeUtf8String(w, s.topic);
        if (m.typeName === 'SUBSCRIBE') w.u8(s.options);
      }
      break;
    case 'SUBACK':
      w.u16be(m.packetId ?? 0);
      if (v5) props(m.properties);
      w.bytes(m.reasonCodes ?? []);
      break;
    case 'DISCONNECT':
    case 'AUTH':
      if (m.reasonCode !== undefined) {
        w.u8(m.reasonCode);
        if (m.properties) props(m.properties);
      }
      break;
    default:
      break;
  }
  const body = w.finish();
  const out = new ByteWriter(body.length + 5);
  const p = m.typeName === 'PUBLISH' ? m.publish : undefined;
  const flags = p ? (p.dup ? 0x08 : 0) | ((p.qos & 0x03) << 1) | (p.retain ? 0x01 : 0) : m.flags;
  out.u8(((m.type & 0x0f) << 4) | (flags & 0x0f));
  writeVarInt(out, body.length);
  out.bytes(body);
  return out.finish();
}
