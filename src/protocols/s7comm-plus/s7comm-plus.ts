// S7comm-plus (Siemens S7-1200/1500, protocol id 0x72) over TPKT/COTP on TCP 102. Siemens does
// not publish it; the header layout (protocol id, version, data length; opcode, function,
// sequence number, session id; a 4-octet trailer repeating id and version) is the one documented
// by the Wireshark s7comm_plus plugin and seen in reference/corpus/pcap/s7commplus. Large PDUs
// span several COTP DT TPDUs: the first carries the header, the last the trailer.
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import type { DeviceIdentity, Transport } from '../../model/index.ts';
import { TALLY_PARSE, type Direction, type Fields, type FlowState, type Message, type Parsed, type PduTally, type Protocol, type Tally } from '../protocol.ts';
import { COTP_PARAM, cotpParam, encodeIsoFrame, familyOf, parseIsoFrame, tallyDt, type Cotp } from '../s7comm/index.ts';

export const S7COMM_PLUS_ID = 0x72;

export const VERSION_NAMES: Readonly<Record<number, string>> = {
  0x01: 'V1',
  0x02: 'V2',
  0x03: 'V3',
  0xfe: 'keep-alive',
};

export const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0x31: 'request',
  0x32: 'response',
  0x33: 'notification',
  0x02: 'response2',
};

export const FUNCTION_NAMES: Readonly<Record<number, string>> = {
  0x04bb: 'explore',
  0x04ca: 'create-object',
  0x04d4: 'delete-object',
  0x04f2: 'set-variable',
  0x04fc: 'get-variable',
  0x0506: 'add-link',
  0x051a: 'remove-link',
  0x0524: 'get-link',
  0x0542: 'set-multi-variables',
  0x054c: 'get-multi-variables',
  0x0556: 'begin-sequence',
  0x0560: 'end-sequence',
  0x056b: 'invoke',
  0x057c: 'set-var-sub-streamed',
  0x0586: 'get-var-sub-streamed',
  0x0590: 'get-variables-address',
  0x059a: 'abort',
  0x05a9: 'error',
  0x05b3: 'init-ssl',
};

export interface S7commPlusPdu {
  version: number;
  /** The header's data length; more than `data` holds when the PDU continues in later TPDUs. */
  dataLength: number;
  data: Uint8Array;
  /** Octets after the data (the 72 vv 00 00 trailer), as sent. */
  trailer: Uint8Array;
}

export interface S7commPlusMessage extends Message {
  direction: Direction;
  cotp: Cotp;
  pdu?: S7commPlusPdu;
  /** A later TPDU of a PDU that spans several (known from the flow state), or data on CR/CC. */
  payload?: Uint8Array;
  /** True when the flow state shows this TPDU continues an earlier PDU (its data is not a new header). */
  continuation?: boolean;
}

/** The readable start of the data: opcode, function, sequence, and for requests the session id. */
export interface S7commPlusHeader {
  opcode: number;
  function?: number;
  sequence?: number;
  sessionId?: number;
  transportFlags?: number;
}

const REMAINING = 's7comm-plus.remaining';
const FRAGMENTED = 's7comm-plus.fragmented';

export function readHeader(pdu: S7commPlusPdu): S7commPlusHeader | null {
  const r = new ByteReader(pdu.data);
  // V3 puts an integrity part (digest length, digest) before the data.
  if (pdu.version === 0x03 && pdu.data[0] === 0x20) r.skip(33);
  const opcode = r.u8();
  if (r.overrun) return null;
  const h: S7commPlusHeader = { opcode };
  if (opcode !== 0x31 && opcode !== 0x32) return h;
  r.skip(2);
  const fn = r.u16be();
  r.skip(2);
  const sequence = r.u16be();
  if (r.overrun) return h;
  h.function = fn;
  h.sequence = sequence;
  if (opcode === 0x31) {
    const sessionId = r.u32be();
    if (!r.overrun) h.sessionId = sessionId;
  }
  const flags = r.u8();
  if (!r.overrun) h.transportFlags = flags;
  return h;
}

function textTsap(cotp: Cotp): boolean {
  const tsap = cotpParam(cotp, COTP_PARAM.calledTsap) ?? cotpParam(cotp, COTP_PARAM.callingTsap);
  return !!tsap && tsap.length > 2;
}

function parse(bytes: Uint8Array, direction: Direction, state?: FlowState): Parsed<S7commPlusMessage> {
  const r = parseIsoFrame(bytes);
  if (r.kind !== 'done') return r;
  const { cotp, payload, anomalies } = r.frame;
  const message: S7commPlusMessage = { anomalies, direction, cotp };
  if ((cotp.name === 'CR' || cotp.name === 'CC') && !textTsap(cotp)) return { kind: 'not-mine' };
  if (cotp.name !== 'DT' || !payload.length) {
    if (payload.length) message.payload = payload;
    return { kind: 'done', message, consumed: r.consumed };
  }
  const remaining = typeof state?.[REMAINING] === 'number' ? (state[REMAINING] as number) : 0;
  if (payload[0] !== S7COMM_PLUS_ID || remaining > 0) {
    if (remaining <= 0) return { kind: 'not-mine' };
    message.payload = payload;
    message.continuation = true;
    if (state) state[REMAINING] = Math.max(0, remaining - payload.length);
    return { kind: 'done', message, consumed: r.consumed };
  }
  const p = new ByteReader(payload);
  p.skip(1);
  const version = p.u8();
  const dataLength = p.u16be();
  if (p.overrun) {
    message.payload = payload;
    anomalies.push('truncated-header');
    return { kind: 'done', message, consumed: r.consumed };
  }
  const data = p.bytesView(dataLength);
  const trailer = p.bytesView(p.remaining);
  message.pdu = { version, dataLength, data, trailer };
  // A PDU too big for one TPDU is sent as fragments, each with its own header; only the last
  // carries the trailer, so data after a trailer-less fragment continues that PDU.
  if (state?.[FRAGMENTED]) message.continuation = true;
  if (data.length < dataLength) {
    if (state) state[REMAINING] = dataLength - data.length;
    else if ('eot' in cotp && cotp.eot) anomalies.push('data-length-mismatch');
  } else if (trailer.length === 0 && version !== 0xfe) {
    if (state) state[FRAGMENTED] = true;
  } else {
    if (state) delete state[FRAGMENTED];
    if (version !== 0xfe && (trailer.length !== 4 || trailer[0] !== S7COMM_PLUS_ID)) anomalies.push('malformed-trailer');
  }
  if (!(version in VERSION_NAMES)) anomalies.push('unknown-version');
  return { kind: 'done', message, consumed: r.consumed };
}

function encode(m: S7commPlusMessage): Uint8Array {
  const pdu = m.pdu;
  if (!pdu) return encodeIsoFrame(m.cotp, m.payload ?? new Uint8Array(0));
  return encodeIsoFrame(m.cotp, (w: ByteWriter) => {
    w.u8(S7COMM_PLUS_ID).u8(pdu.version).u16be(Math.max(pdu.dataLength, pdu.data.length)).bytes(pdu.data).bytes(pdu.trailer);
  });
}

/** A DT starting with 0x72, or a CR/CC naming a text TSAP such as "SIMATIC-ROOT-ES". */
function recognize(bytes: Uint8Array, _direction: Direction, transport: Transport): boolean {
  if (transport !== 'tcp' || bytes.length < 4 || bytes[0] !== 3 || bytes[1] !== 0) return false;
  if (bytes.length < 6) return true;
  const li = bytes[4];
  const type = bytes[5] >> 4;
  if (type === 0xf) return li === 2 && (bytes.length < 8 || bytes[7] === S7COMM_PLUS_ID);
  if (type !== 0xe && type !== 0xd) return false;
  const frame = parseIsoFrame(bytes);
  if (frame.kind !== 'done') return frame.kind === 'incomplete';
  return textTsap(frame.frame.cotp);
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '\u0000';
  return s;
}

function fields(m: S7commPlusMessage): Fields {
  const f: Fields = { 'cotp.type': m.cotp.pduType >> 4, 'cotp.type_name': m.cotp.name };
  const c = m.cotp;
  if ('dstRef' in c) {
    for (const [code, key] of [
      [COTP_PARAM.callingTsap, 'cotp.src-tsap'],
      [COTP_PARAM.calledTsap, 'cotp.dst-tsap'],
    ] as const) {
      const v = cotpParam(c, code);
      if (v) f[key] = latin1(v).replace(/\0/g, '.');
    }
  }
  if (m.continuation) f['s7comm-plus.continuation'] = true;
  if (!m.pdu) return f;
  f['s7comm-plus.header.protid'] = S7COMM_PLUS_ID;
  f['s7comm-plus.header.protocolversion'] = m.pdu.version;
  f['s7comm-plus.header.datlg'] = m.pdu.dataLength;
  const h = m.continuation ? null : readHeader(m.pdu);
  if (h) {
    f['s7comm-plus.data.opcode'] = h.opcode;
    f['s7comm-plus.data.opcode_name'] = OPCODE_NAMES[h.opcode] ?? 'unknown';
    if (h.function !== undefined) {
      f['s7comm-plus.data.function'] = h.function;
      f['s7comm-plus.data.function_name'] = FUNCTION_NAMES[h.function] ?? 'unknown';
    }
    if (h.sequence !== undefined) f['s7comm-plus.data.seqnum'] = h.sequence;
    if (h.sessionId !== undefined) f['s7comm-plus.data.sessionid'] = h.sessionId;
    if (h.transportFlags !== undefined) f['s7comm-plus.data.transportflags'] = h.transportFlags;
  }
  return f;
}

/** fields() restricted to what the traffic summary needs (Protocol.summaryFields): one field per prefix. */
function summaryFields(m: S7commPlusMessage): Fields {
  const f: Fields = { 'cotp.type': m.cotp.pduType >> 4 };
  if (m.continuation) f['s7comm-plus.continuation'] = true;
  if (m.pdu) f['s7comm-plus.header.protid'] = S7COMM_PLUS_ID;
  return f;
}

/**
 * The traffic summary's counting path (Protocol.tally). S7comm-plus has no histogram of its own:
 * a PDU is counted as a message, and its frame for the protocol when it carries the header. The
 * TPKT and a class 0 COTP DT are read in place (tallyDt, as for S7comm); other TPDUs go to
 * parse, as does every DT whose parse would change the flow state (a PDU continued in later
 * TPDUs, or a TPDU continuing one).
 */
function tallyCount(b: Uint8Array, start: number, end: number, _direction: Direction, into: Tally, state?: FlowState): number {
  const length = tallyDt(b, start, end);
  if (length <= 0) return length;
  const at = start + 7;
  const stop = start + length;
  if (at === stop) return length;
  if (typeof state?.[REMAINING] === 'number' && (state[REMAINING] as number) > 0) return TALLY_PARSE;
  if (b[at] !== S7COMM_PLUS_ID) return 0;
  if (stop - at < 4) {
    into.flawed = true;
    return length;
  }
  const version = b[at + 1];
  const trailer = stop - (at + 4 + ((b[at + 2] << 8) | b[at + 3]));
  if (trailer < 0 || (trailer === 0 && version !== 0xfe) || (state !== undefined && FRAGMENTED in state)) return TALLY_PARSE;
  if ((version !== 0xfe && (trailer !== 4 || b[stop - 4] !== S7COMM_PLUS_ID)) || !(version in VERSION_NAMES)) into.flawed = true;
  into.own = true;
  return length;
}

const tally: PduTally = { fields: [], count: tallyCount };

/**
 * CreateObject and SetMultiVariables carry the PLC's "1;6ES7 214-1HE30-0XB0 ;V2.2" version
 * string (order number and firmware) in plain text.
 */
const VERSION_STRING = /(6ES7 ?\d{3}-[0-9A-Z]{5}-[0-9A-Z]{4}) ?;V(\d+(?:\.\d+){1,2})/;

function identify(messages: readonly S7commPlusMessage[]): DeviceIdentity | null {
  for (const m of messages) {
    const bytes = m.pdu?.data ?? m.payload;
    if (!bytes) continue;
    const hit = VERSION_STRING.exec(latin1(bytes));
    if (!hit) continue;
    const id: DeviceIdentity = { vendor: 'Siemens', orderNumber: hit[1], firmware: `V${hit[2]}` };
    const family = familyOf(hit[1]);
    if (family) {
      id.model = family;
      id.product = family;
    }
    return id;
  }
  return null;
}

export const s7commPlus: Protocol<S7commPlusMessage> = {
  name: 's7comm-plus',
  endpoints: [{ transport: 'tcp', port: 102 }],
  recognize,
  parse,
  encode,
  identify,
  fields,
  summaryFields,
  tally,
};
