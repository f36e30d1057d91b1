// The traffic summary's counting path for MQTT (Protocol.tally): the fixed header read in place
// and the packets passive analysis meets most (PUBLISH, the 2-octet acknowledgements of 3.1.1,
// PINGREQ/PINGRESP, DISCONNECT, CONNACK) checked as parsePacket checks them. The protocol level
// parse keeps in the flow state (from the CONNECT) is read, never written: a CONNECT, any packet
// whose shape would make parse take the flow for MQTT 5.0, every 5.0 packet (properties) and any
// packet parse would flag go to parse.
import { LIMITS } from '../../wire/index.ts';
import { TALLY_PARSE, type Direction, type FlowState, type PduTally, type Tally } from '../protocol.ts';
import { MAX_PAYLOAD, VERSION_KEY } from './packet.ts';

const MSGTYPE = 0;

const PUBLISH = 3;
const PUBREL = 6;

function count(b: Uint8Array, start: number, end: number, _direction: Direction, into: Tally, state?: FlowState): number {
  const n = end - start;
  if (n === 0) return -2;
  const first = b[start];
  const type = first >>> 4;
  if (type === 0) return 0;
  // Remaining length (§1.5.5): up to four octets of seven bits (below 2^28, so a small integer:
  // the analyzer's call site takes every tally's answer as one).
  let remaining = 0;
  let at = start + 1;
  for (let shift = 0; ; shift += 7) {
    if (shift === 28 || at >= end) return TALLY_PARSE;
    const v = b[at++];
    remaining |= (v & 0x7f) << shift;
    if ((v & 0x80) === 0) break;
  }
  const total = at - start + remaining;
  if (total > LIMITS.maxPdu) return 0;
  if (n < total) return -total;
  const flags = first & 0x0f;
  const known = state?.[VERSION_KEY];
  const v5 = known === 5;
  switch (type) {
    case PUBLISH: {
      // §3.3: topic name, packet identifier when QoS > 0, payload. 5.0 adds properties.
      const qos = (flags >>> 1) & 0x03;
      if (v5 || qos === 3 || remaining > MAX_PAYLOAD || remaining < 2) return TALLY_PARSE;
      const topicLength = (b[at] << 8) | b[at + 1];
      const topic = at + 2;
      const body = topic + topicLength + (qos > 0 ? 2 : 0);
      // parse flags an empty topic ('' also from a lone byte-order mark, which the decoder drops),
      // a wildcard in it, and a topic or packet identifier past the end.
      if (topicLength === 0 || body > start + total || b[topic] === 0xef) return TALLY_PARSE;
      for (let i = topic; i < topic + topicLength; i++) if (b[i] === 0x2b || b[i] === 0x23) return TALLY_PARSE;
      break;
    }
    case 4:
    case 5:
    case PUBREL:
    case 7:
      // PUBACK, PUBREC, PUBREL, PUBCOMP: the packet identifier alone (a reason code makes it 5.0).
      if (flags !== (type === PUBREL ? 0x02 : 0) || remaining !== 2) return TALLY_PARSE;
      break;
    case 2:
      // CONNACK: acknowledge flags and return code; longer is 5.0.
      if (v5 || flags !== 0 || remaining !== 2) return TALLY_PARSE;
      break;
    case 12:
    case 13:
    case 14:
      // PINGREQ, PINGRESP, DISCONNECT without a reason code.
      if (flags !== 0 || remaining !== 0) return TALLY_PARSE;
      break;
    default:
      return TALLY_PARSE;
  }
  into.own = true;
  into.add(MSGTYPE, type);
  return total;
}

export const mqttTally: PduTally = {
  fields: ['mqtt.msgtype'],
  count,
};
