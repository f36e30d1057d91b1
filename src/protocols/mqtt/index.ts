// MQTT 3.1 / 3.1.1 / 5.0 over TCP 1883 (8883 is the same inside TLS, which this engine does not
// see). One control packet per parse; the CONNECT's protocol level is kept in the flow state.
import type { DeviceIdentity } from '../../model/index.ts';
import type { Fields, FlowState, Protocol } from '../protocol.ts';
import { encodePacket, parsePacket, VERSION_KEY, type MqttMessage, type ProtocolLevel } from './packet.ts';
import { mqttTally } from './tally.ts';

export type { MqttMessage, Connect, Publish, Subscription, PacketType, ProtocolLevel } from './packet.ts';
export type { Property } from './properties.ts';
export { PACKET_TYPES, MAX_PAYLOAD } from './packet.ts';
export { PROPERTIES } from './properties.ts';
export { connack, connect, disconnect, publish, suback, subscribe } from './builders.ts';
export { topicMatches } from './topics.ts';

/** Fixed-header first octets whose flags are legal for their type ([MQTT-2.2.2-1]). */
function legalFirstOctet(b: number): boolean {
  const type = b >>> 4;
  const flags = b & 0x0f;
  if (type === 0) return false;
  if (type === 3) return ((flags >>> 1) & 0x03) !== 3;
  return flags === (type === 6 || type === 8 || type === 10 ? 0x02 : 0);
}

/**
 * Acknowledgements, pings and 5.0 DISCONNECT/AUTH: a few octets, never split in practice, so one
 * still unfinished past its 2-octet 3.1.1 form is taken for noise (Modbus/TCP's 0x50 transaction
 * ids otherwise pass for PUBRECs).
 */
const SHORT_TYPES = new Set([2, 4, 5, 6, 7, 9, 11, 12, 13, 14, 15]);
const MAX_SHORT = 2;

/**
 * For a packet whose end has not arrived: what its first octets must look like. CONNECT names
 * its protocol (§3.1.2.1); PUBLISH and (UN)SUBSCRIBE start with a topic of printable UTF-8 that
 * fits the remaining length (§4.7); the other packets are short.
 */
function plausibleStart(bytes: Uint8Array): boolean {
  const type = bytes[0] >>> 4;
  let remaining = 0;
  let at = 1;
  for (let mult = 1; at < bytes.length && at <= 4; mult *= 128) {
    const b = bytes[at++];
    remaining += (b & 0x7f) * mult;
    if (!(b & 0x80)) break;
  }
  if (type === 1) {
    const name = [0x00, 0x04, 0x4d, 0x51, 0x54, 0x54];
    const old = [0x00, 0x06, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70];
    const body = bytes.subarray(at);
    const prefixOf = (want: number[]) => body.every((b, i) => i >= want.length || b === want[i]);
    return prefixOf(name) || prefixOf(old);
  }
  if (SHORT_TYPES.has(type)) return remaining <= MAX_SHORT;
  const skip = type === 8 || type === 10 ? 2 : 0; // packet identifier before the first topic filter
  const t = at + skip;
  if (t + 2 > bytes.length) return true;
  const topicLength = (bytes[t] << 8) | bytes[t + 1];
  if (topicLength === 0 || topicLength + 2 + skip > remaining) return false;
  for (let i = t + 2; i < Math.min(bytes.length, t + 2 + topicLength); i++) if (bytes[i] < 0x20 || bytes[i] === 0x7f) return false;
  return true;
}

export const mqtt: Protocol<MqttMessage> = {
  name: 'mqtt',
  endpoints: [{ transport: 'tcp', port: 1883 }],

  // The fixed header is short and common-looking, so the packets that follow in the same bytes
  // must be well-formed too (a binary protocol starting 0xC0 0x00 is not a PINGREQ stream).
  recognize(bytes, _direction, transport) {
    if (transport !== 'tcp' || bytes.length === 0) return false;
    let at = 0;
    for (let n = 0; n < 4 && at < bytes.length; n++) {
      if (!legalFirstOctet(bytes[at])) return false;
      const r = parsePacket(bytes.subarray(at), undefined);
      if (r.kind === 'incomplete') return plausibleStart(bytes.subarray(at));
      if (r.kind === 'not-mine' || r.message.anomalies.length > 0) return false;
      at += r.consumed;
    }
    return true;
  },

  parse(bytes, _direction, state?: FlowState) {
    const known = state?.[VERSION_KEY] as ProtocolLevel | undefined;
    const r = parsePacket(bytes, known);
    if (r.kind === 'done' && state) {
      const m = r.message;
      if (m.typeName === 'CONNECT' || (known === undefined && m.version === 5)) state[VERSION_KEY] = m.version;
    }
    return r;
  },

  encode: encodePacket,

  // Brokers name themselves on $SYS topics: Mosquitto on $SYS/broker/version ("mosquitto version
  // 2.0.11", read by nmap's mqtt-subscribe), EMQX on $SYS/brokers/<node>/version and /sysdescr.
  identify(messages) {
    const text = (m: MqttMessage) => new TextDecoder().decode(m.publish!.payload).trim();
    let identity: DeviceIdentity | null = null;
    let emqxVersion: string | undefined;
    let emqxDescription: string | undefined;
    for (const m of messages) {
      const topic = m.publish?.topic;
      if (!topic) continue;
      if (topic === '$SYS/broker/version') {
        const value = text(m);
        const match = /^(\S+)\s+version\s+(\S+)/i.exec(value);
        identity = { raw: { brokerVersion: value } };
        if (!match) identity.product = value;
        else if (match[1].toLowerCase() === 'mosquitto') Object.assign(identity, { vendor: 'Eclipse Foundation', product: 'Mosquitto', firmware: match[2] });
        else Object.assign(identity, { product: match[1], firmware: match[2] });
      } else if (/^\$SYS\/brokers\/[^/]+\/version$/.test(topic)) emqxVersion = text(m);
      else if (/^\$SYS\/brokers\/[^/]+\/sysdescr$/.test(topic)) emqxDescription = text(m);
    }
    if (!identity && (emqxVersion || emqxDescription)) {
      identity = { product: emqxDescription || 'EMQX', raw: { brokerVersion: emqxVersion, sysdescr: emqxDescription } };
      if (/emqx/i.test(identity.product ?? '')) identity.vendor = 'EMQ Technologies';
      if (emqxVersion) identity.firmware = emqxVersion;
    }
    return identity;
  },

  // tshark's MQTT field names.
  fields(m) {
    const f: Fields = { 'mqtt.msgtype': m.type, 'mqtt.hdrflags': m.flags };
    if (m.connect) {
      const c = m.connect;
      f['mqtt.protoname'] = c.protocolName;
      f['mqtt.ver'] = c.protocolLevel;
      f['mqtt.kalive'] = c.keepAlive;
      f['mqtt.clientid'] = c.clientId;
      f['mqtt.conflag.cleansess'] = c.cleanSession;
      f['mqtt.conflag.willflag'] = c.will !== undefined;
      f['mqtt.conflag.uname'] = c.username !== undefined;
      f['mqtt.conflag.passwd'] = c.password !== undefined;
      if (c.username !== undefined) f['mqtt.username'] = c.username;
      if (c.will) f['mqtt.willtopic'] = c.will.topic;
    }
    if (m.typeName === 'CONNACK') {
      f['mqtt.conack.flags.sp'] = m.sessionPresent ?? false;
      f[m.version === 5 ? 'mqtt.connack.reason_code' : 'mqtt.conack.val'] = m.reasonCode ?? 0;
    }
    if (m.publish) {
      f['mqtt.topic'] = m.publish.topic;
      f['mqtt.qos'] = m.publish.qos;
      f['mqtt.retain'] = m.publish.retain;
      f['mqtt.dupflag'] = m.publish.dup;
    }
    if (m.packetId !== undefined) f['mqtt.msgid'] = m.packetId;
    if (m.subscriptions) {
      f['mqtt.topic'] = m.subscriptions.map((s) => s.topic);
      f['mqtt.sub.qos'] = m.subscriptions.map((s) => s.options & 0x03);
    }
    if (m.topics) f['mqtt.topic'] = m.topics;
    if (m.typeName === 'SUBACK' && m.reasonCodes) f['mqtt.suback.qos'] = m.reasonCodes;
    if (m.properties) f['mqtt.property_id'] = m.properties.map((p) => p.id);
    if (m.typeName !== 'CONNACK' && m.reasonCode !== undefined) f[`mqtt.${m.typeName.toLowerCase()}.reason_code`] = m.reasonCode;
    return f;
  },

  // fields() restricted to what the traffic summary counts (Protocol.summaryFields).
  summaryFields(m) {
    return { 'mqtt.msgtype': m.type };
  },

  tally: mqttTally,
};
