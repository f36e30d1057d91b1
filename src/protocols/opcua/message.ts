// OPC UA Connection Protocol and Secure Conversation over TCP (IEC 62541-6 §7.1, §6.7): an
// 8-octet message header, then Hello/Acknowledge/Error/ReverseHello fields or a secure channel
// chunk (security header, sequence header, body). Chunks of one request are joined in the
// flow state; bodies of encrypted channels are kept as octets, never decoded.
import { ByteReader, ByteWriter, LIMITS } from '../../wire/index.ts';
import type { FlowState, Message, Parsed } from '../protocol.ts';
import { MAX_STRING, readByteString, readNodeId, readString, type NodeId } from './codec.ts';
import { readServiceBody, SERVICES, type ServiceBody } from './services.ts';

export const MESSAGE_TYPES = ['HEL', 'ACK', 'ERR', 'RHE', 'OPN', 'MSG', 'CLO'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type ChunkType = 'F' | 'C' | 'A';

export const HEADER_SIZE = 8;

/** The message types' octets, three per type, for comparing in place. */
const TYPE_OCTETS = Uint8Array.from(MESSAGE_TYPES.join(''), (c) => c.charCodeAt(0));

/**
 * True when the bytes can start a message header (IEC 62541-6 §7.1.2.2): as far as they go, the
 * first three are a message type and the fourth a chunk type F, C or A. Compares octets, builds nothing.
 */
export function startsHeader(bytes: Uint8Array): boolean {
  const n = bytes.length;
  if (n >= 4) {
    const chunk = bytes[3];
    if (chunk !== 0x46 && chunk !== 0x43 && chunk !== 0x41) return false;
  }
  if (n === 0) return true;
  for (let t = 0; t < TYPE_OCTETS.length; t += 3) {
    if (bytes[0] === TYPE_OCTETS[t] && (n < 2 || bytes[1] === TYPE_OCTETS[t + 1]) && (n < 3 || bytes[2] === TYPE_OCTETS[t + 2])) return true;
  }
  return false;
}
/** Largest message this engine joins from chunks. */
export const MAX_MESSAGE = 1 << 22;
export const SECURITY_POLICY_NONE = 'http://opcfoundation.org/UA/SecurityPolicy#None';

export interface TransportLimits {
  protocolVersion: number;
  receiveBufferSize: number;
  sendBufferSize: number;
  maxMessageSize: number;
  maxChunkCount: number;
}

export interface AsymmetricSecurityHeader {
  securityPolicyUri: string | null;
  senderCertificate: Uint8Array | null;
  receiverCertificateThumbprint: Uint8Array | null;
}

export interface OpcuaMessage extends Message {
  messageType: MessageType;
  chunkType: ChunkType;
  hello?: TransportLimits & { endpointUrl: string | null };
  acknowledge?: TransportLimits;
  /** ERR message, or the error and reason of an aborted ('A') chunk. */
  error?: { error: number; reason: string | null };
  reverseHello?: { serverUri: string | null; endpointUrl: string | null };
  secureChannelId?: number;
  asymmetric?: AsymmetricSecurityHeader;
  tokenId?: number;
  sequenceNumber?: number;
  requestId?: number;
  /** The chunk's body octets after the sequence header (ciphertext on encrypted channels). */
  body?: Uint8Array;
  encrypted?: boolean;
  /** On the final chunk of a message whose body could be read: the service type's node id. */
  service?: { nodeId: NodeId; id: number; name: string };
  serviceBody?: ServiceBody;
}

const CHANNELS = 'opcua.channels';
const CHUNKS = 'opcua.chunks';

interface Channel {
  policyNone: boolean;
}

/** Whether the flow state knows the secure channel to use security policy None (from its OPN). */
export function channelPolicyNone(state: FlowState | undefined, secureChannelId: number): boolean {
  return (state?.[CHANNELS] as Map<number, Channel> | undefined)?.get(secureChannelId)?.policyNone === true;
}

/** Chunks of unfinished messages in the flow state, by chunkKey. */
function pendingChunks(state: FlowState | undefined): Map<string, Pending> | undefined {
  return state?.[CHUNKS] as Map<string, Pending> | undefined;
}

/** The key of a message's chunks: its secure channel and request id. */
function chunkKey(secureChannelId: number, requestId: number): string {
  return `${secureChannelId}:${requestId}`;
}

/** Whether the flow state holds intermediate chunks of this message. */
export function chunksPending(state: FlowState | undefined, secureChannelId: number, requestId: number): boolean {
  const pending = pendingChunks(state);
  return pending !== undefined && pending.size > 0 && pending.has(chunkKey(secureChannelId, requestId));
}

interface Pending {
  parts: Uint8Array[];
  size: number;
}

export function parseMessage(bytes: Uint8Array, state: FlowState): Parsed<OpcuaMessage> {
  if (bytes.length === 0) return { kind: 'incomplete', needed: HEADER_SIZE };
  if (!startsHeader(bytes)) return { kind: 'not-mine' };
  if (bytes.length < HEADER_SIZE) return { kind: 'incomplete', needed: HEADER_SIZE };
  const messageType = String.fromCharCode(bytes[0], bytes[1], bytes[2]) as MessageType;
  const chunkType = String.fromCharCode(bytes[3]) as ChunkType;
  const size = (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0;
  if (size < HEADER_SIZE || size > LIMITS.maxPdu) return { kind: 'not-mine' };
  if (bytes.length < size) return { kind: 'incomplete', needed: size };

  const anomalies: string[] = [];
  const m: OpcuaMessage = { messageType, chunkType, anomalies };
  const r = new ByteReader(bytes, HEADER_SIZE, size);
  if (['HEL', 'ACK', 'ERR', 'RHE'].includes(messageType) && chunkType !== 'F') anomalies.push('chunk-type-not-final');
  switch (messageType) {
    case 'HEL':
      m.hello = { ...readLimits(r), endpointUrl: readString(r) ?? null };
      break;
    case 'ACK':
      m.acknowledge = readLimits(r);
      break;
    case 'ERR':
      m.error = { error: r.u32le(), reason: readString(r) ?? null };
      break;
    case 'RHE':
      m.reverseHello = { serverUri: readString(r) ?? null, endpointUrl: readString(r) ?? null };
      break;
    default:
      readChunk(m, r, state);
  }
  if (r.overrun) anomalies.push('message-truncated');
  else if (['HEL', 'ACK', 'ERR', 'RHE'].includes(messageType) && r.remaining > 0) anomalies.push('trailing-bytes');
  return { kind: 'done', message: m, consumed: size };
}

function readLimits(r: ByteReader): TransportLimits {
  return {
    protocolVersion: r.u32le(),
    receiveBufferSize: r.u32le(),
    sendBufferSize: r.u32le(),
    maxMessageSize: r.u32le(),
    maxChunkCount: r.u32le(),
  };
}

function readChunk(m: OpcuaMessage, r: ByteReader, state: FlowState): void {
  // The channel and chunk tables are made when first written (an OPN, an intermediate chunk), so
  // a final chunk of a message sent whole leaves the state as it was (what the summary's tally
  // relies on).
  const channels = state[CHANNELS] as Map<number, Channel> | undefined;
  const secureChannelId = r.u32le();
  if (r.overrun) return;
  m.secureChannelId = secureChannelId;
  let channel = channels?.get(secureChannelId);
  if (m.messageType === 'OPN') {
    const securityPolicyUri = readString(r) ?? null;
    // Part 6 §6.7.2.4: under any policy but None the rest of an OPN is ciphertext (asymmetric).
    if (securityPolicyUri !== SECURITY_POLICY_NONE) m.encrypted = true;
    const senderCertificate = readByteString(r) ?? null;
    const receiverCertificateThumbprint = readByteString(r) ?? null;
    m.asymmetric = { securityPolicyUri, senderCertificate, receiverCertificateThumbprint };
    if (r.overrun) return;
    channel = { policyNone: !m.encrypted };
    // A request has channel id 0 until the server assigns one; remember both.
    const known = (state[CHANNELS] ??= new Map<number, Channel>()) as Map<number, Channel>;
    known.set(m.secureChannelId, channel);
    if (known.size > 64) known.delete(known.keys().next().value as number);
    if (m.encrypted) {
      m.body = r.bytesView(r.remaining).slice();
      return;
    }
  } else {
    const tokenId = r.u32le();
    if (r.overrun) return;
    m.tokenId = tokenId;
  }
  const sequenceNumber = r.u32le();
  const requestId = r.u32le();
  if (r.overrun) return;
  m.sequenceNumber = sequenceNumber;
  m.requestId = requestId;
  m.body = r.bytesView(r.remaining).slice();
  const body = join(m, state);
  if (!body) return;
  decodeBody(m, body, channel);
}

/** Part 6 §6.7.2.2: intermediate ('C') chunks wait for the final one; 'A' aborts the message. */
function join(m: OpcuaMessage, state: FlowState): Uint8Array | undefined {
  const key = chunkKey(m.secureChannelId!, m.requestId!);
  const p = pendingChunks(state)?.get(key);
  const body = m.body!;
  if (m.chunkType === 'A') {
    pendingChunks(state)?.delete(key);
    const r = new ByteReader(body);
    m.error = { error: r.u32le(), reason: readString(r) ?? null };
    return undefined;
  }
  if (m.chunkType === 'C') {
    const pending = (state[CHUNKS] ??= new Map<string, Pending>()) as Map<string, Pending>;
    const next = p ?? { parts: [], size: 0 };
    next.parts.push(body);
    next.size += body.length;
    if (next.size > MAX_MESSAGE) {
      m.anomalies.push('message-too-large');
      pending.delete(key);
    } else {
      pending.set(key, next);
      if (pending.size > 64) pending.delete(pending.keys().next().value as string);
    }
    return undefined;
  }
  if (!p) return body;
  pendingChunks(state)!.delete(key);
  const out = new Uint8Array(p.size + body.length);
  let at = 0;
  for (const part of [...p.parts, body]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function decodeBody(m: OpcuaMessage, body: Uint8Array, channel: Channel | undefined): void {
  const r = new ByteReader(body);
  const nodeId = readNodeId(r);
  const id = nodeId.kind === 'numeric' && nodeId.namespace === 0 ? nodeId.id : -1;
  const name = SERVICES[id];
  if (r.overrun || !name) {
    // An unreadable type id on a channel not known to be unsecured is taken for ciphertext.
    if (channel?.policyNone) m.anomalies.push('unknown-service');
    else m.encrypted = true;
    return;
  }
  m.service = { nodeId, id, name };
  const out: ServiceBody = {};
  if (!readServiceBody(id, r, out)) m.anomalies.push('service-body-malformed');
  if (Object.keys(out).length) m.serviceBody = out;
}

function writeString(w: ByteWriter, s: string | null): void {
  if (s === null) w.i32le(-1);
  else {
    const b = new TextEncoder().encode(s);
    w.i32le(b.length).bytes(b);
  }
}

function writeByteString(w: ByteWriter, b: Uint8Array | null): void {
  if (b === null) w.i32le(-1);
  else w.i32le(b.length).bytes(b.subarray(0, MAX_STRING));
}

export function encodeMessage(m: OpcuaMessage): Uint8Array {
  const w = new ByteWriter(64);
  w.ascii(m.messageType, 3).ascii(m.chunkType, 1).u32le(0);
  const limits = (l: TransportLimits) =>
    w.u32le(l.protocolVersion).u32le(l.receiveBufferSize).u32le(l.sendBufferSize).u32le(l.maxMessageSize).u32le(l.maxChunkCount);
  switch (m.messageType) {
    case 'HEL':
      if (m.hello) {
        limits(m.hello);
        writeString(w, m.hello.endpointUrl);
      }
      break;
    case 'ACK':
      if (m.acknowledge) limits(m.acknowledge);
      break;
    case 'ERR':
      w.u32le(m.error?.error ?? 0);
      writeString(w, m.error?.reason ?? null);
      break;
    case 'RHE':
      writeString(w, m.reverseHello?.serverUri ?? null);
      writeString(w, m.reverseHello?.endpointUrl ?? null);
      break;
    default:
      // Fields a truncated chunk lacked stay absent, so parse(encode(m)) shows the same chunk.
      if (m.secureChannelId === undefined) break;
      w.u32le(m.secureChannelId);
      if (m.messageType === 'OPN') {
        writeString(w, m.asymmetric ? m.asymmetric.securityPolicyUri : SECURITY_POLICY_NONE);
        writeByteString(w, m.asymmetric?.senderCertificate ?? null);
        writeByteString(w, m.asymmetric?.receiverCertificateThumbprint ?? null);
      } else if (m.tokenId !== undefined) {
        w.u32le(m.tokenId);
      } else break;
      if (m.sequenceNumber !== undefined) w.u32le(m.sequenceNumber).u32le(m.requestId ?? 0);
      if (m.body) w.bytes(m.body);
  }
  const out = w.finish();
  new DataView(out.buffer).setUint32(4, out.length, true);
  return out;
}
