// The traffic summary's counting path for OPC UA (Protocol.tally): the message header read in
// place, and for the final chunk of a message sent whole (MSG or CLO, chunk type F, nothing of it
// waiting in the flow state) the service type id and body read as decodeBody reads them, from the
// chunk in place. Hello, Acknowledge, Error, OPN (which records the channel's policy),
// intermediate and abort chunks and the final chunk of a message sent in several go to parse.
import { ByteReader, LIMITS } from '../../wire/index.ts';
import { TALLY_PARSE, type Direction, type FlowState, type PduTally, type Tally } from '../protocol.ts';
import { readNodeId, readString } from './codec.ts';
import { channelPolicyNone, chunksPending, HEADER_SIZE, startsHeader } from './message.ts';
import { readServiceBody, SERVICES, type ServiceBody } from './services.ts';

const TRANSPORT_TYPE = 0;
const SERVICE_NODE_ID = 1;

/** Message header, secure channel id, token id, sequence number and request id (Part 6 §6.7.2). */
const SYMMETRIC_HEADERS = HEADER_SIZE + 16;

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function count(b: Uint8Array, start: number, end: number, _direction: Direction, into: Tally, state?: FlowState): number {
  const n = end - start;
  if (n === 0) return -HEADER_SIZE;
  const bytes = b.subarray(start, end);
  if (!startsHeader(bytes)) return 0;
  if (n < HEADER_SIZE) return -HEADER_SIZE;
  const size = u32(b, start + 4);
  if (size < HEADER_SIZE || size > LIMITS.maxPdu) return 0;
  if (n < size) return -size;
  const t0 = b[start];
  const final = b[start + 3] === 0x46;
  if (t0 === 0x48 || t0 === 0x41 || t0 === 0x45 || t0 === 0x52) {
    // Hello, Acknowledge, Error, ReverseHello (Part 6 §7.1.2): read as parseMessage reads them.
    const r = new ByteReader(b, start + HEADER_SIZE, start + size);
    if (t0 === 0x48 || t0 === 0x41) r.skip(20);
    if (t0 === 0x45) r.u32le();
    if (t0 !== 0x41) readString(r);
    if (t0 === 0x52) readString(r);
    into.own = true;
    into.addText(TRANSPORT_TYPE, t0 === 0x48 ? 'HEL' : t0 === 0x41 ? 'ACK' : t0 === 0x45 ? 'ERR' : 'RHE');
    if (!final || r.overrun || r.remaining > 0) into.flawed = true;
    return size;
  }
  // MSG or CLO ('M' or 'C'; startsHeader has checked the rest), final chunk ('F').
  if (t0 === 0x4f || !final || size < SYMMETRIC_HEADERS) return TALLY_PARSE;
  const channelId = u32(b, start + 8);
  if (chunksPending(state, channelId, u32(b, start + 20))) return TALLY_PARSE;
  into.own = true;
  into.addText(TRANSPORT_TYPE, t0 === 0x4d ? 'MSG' : 'CLO');
  const r = new ByteReader(b, start + SYMMETRIC_HEADERS, start + size);
  const nodeId = readNodeId(r);
  const id = nodeId.kind === 'numeric' && nodeId.namespace === 0 ? nodeId.id : -1;
  if (r.overrun || !SERVICES[id]) {
    // Taken for ciphertext, unless the channel is known to be unsecured (then parse flags it).
    if (channelPolicyNone(state, channelId)) into.flawed = true;
    return size;
  }
  into.add(SERVICE_NODE_ID, id);
  const out: ServiceBody = {};
  if (!readServiceBody(id, r, out)) into.flawed = true;
  return size;
}

export const opcuaTally: PduTally = {
  fields: ['opcua.transport.type', 'opcua.servicenodeid.numeric'],
  count,
};
