// S7comm (Siemens S7 communication, protocol id 0x32) over ISO-on-TCP: TPKT (RFC 1006) + COTP
// (ISO 8073 class 0) + S7 PDU. One message is one TPKT.
import { ByteWriter, toHex } from '../../wire/index.ts';
import type { DeviceIdentity, Transport } from '../../model/index.ts';
import type { Direction, Fields, FlowState, Message, Parsed, Protocol } from '../protocol.ts';
import { COTP_PARAM, cotpParam, encodeIsoFrame, parseIsoFrame, tpduSize, type Cotp } from './cotp.ts';
import {
  BLOCK_TYPE_NAMES,
  FUNCTION_NAMES,
  ROSCTR_NAMES,
  USERDATA_GROUP_NAMES,
  USERDATA_SUBFUNCTION_NAMES,
  nameOf,
} from './names.ts';
import { decodeS7, encodeS7, S7COMM_PLUS_ID, S7_PROTOCOL_ID, type S7Pdu } from './s7-pdu.ts';
import { s7commTally } from './tally.ts';
import { componentIdentification, decodeSzl, familyOf, firmwareOf, moduleIdentification, type Szl } from './szl.ts';

export interface S7commMessage extends Message {
  direction: Direction;
  cotp: Cotp;
  /** The S7 PDU of a DT TPDU that carries one. */
  s7?: S7Pdu;
  /** COTP user data that is not a (whole) S7 PDU: a COTP fragment, or data on CR/CC. */
  payload?: Uint8Array;
  /**
   * True for a userdata answer that continues the previous one (same data unit reference after
   * a "more follows"), known only when the caller passes the flow's state to parse.
   */
  continuation?: boolean;
}

const PENDING = 's7comm.pendingDataUnit';

/** Tracks multi-PDU userdata answers per flow direction, so fields know a fragment from a start. */
function trackFragments(s7: S7Pdu, message: S7commMessage, state: FlowState): void {
  const p = s7.param;
  if (p.kind !== 'userdata' || p.type !== 8 || !p.continuation) return;
  const pending = state[PENDING];
  if (typeof pending === 'number' && pending === p.continuation.dataUnitRef) message.continuation = true;
  if (p.continuation.lastDataUnit) state[PENDING] = p.continuation.dataUnitRef;
  else delete state[PENDING];
}

function parse(bytes: Uint8Array, direction: Direction, state?: FlowState): Parsed<S7commMessage> {
  const r = parseIsoFrame(bytes);
  if (r.kind !== 'done') return r;
  const { cotp, payload, anomalies } = r.frame;
  const message: S7commMessage = { anomalies, direction, cotp };
  if (cotp.name === 'DT' && payload[0] === S7COMM_PLUS_ID) return { kind: 'not-mine' };
  if ('eot' in cotp && payload.length) {
    const s7 = cotp.eot && payload[0] === S7_PROTOCOL_ID ? decodeS7(payload) : null;
    if (s7) {
      message.s7 = s7.pdu;
      anomalies.push(...s7.anomalies);
      if (state) trackFragments(s7.pdu, message, state);
    } else {
      message.payload = payload;
      // A COTP fragment (no EOT) continues in the next DT; anything else should have been S7.
      if (cotp.eot) anomalies.push(payload[0] === S7_PROTOCOL_ID ? 'malformed-s7-header' : 'not-s7');
    }
  } else if (payload.length) {
    message.payload = payload;
  }
  return { kind: 'done', message, consumed: r.consumed };
}

function encode(m: S7commMessage): Uint8Array {
  const s7 = m.s7;
  if (s7) return encodeIsoFrame(m.cotp, (w: ByteWriter) => encodeS7(w, s7));
  return encodeIsoFrame(m.cotp, m.payload ?? new Uint8Array(0));
}

/**
 * TPKT version 3 and a COTP TPDU whose type we know; a DT must carry S7 (0x32), and a CR/CC/DR
 * must use the 2-octet TSAPs of S7 (S7comm-plus and RDP use text TSAPs / cookies instead).
 */
function recognize(bytes: Uint8Array, _direction: Direction, transport: Transport): boolean {
  if (transport !== 'tcp' || bytes.length < 4 || bytes[0] !== 3 || bytes[1] !== 0) return false;
  const length = (bytes[2] << 8) | bytes[3];
  if (length < 7 || bytes.length < 6) return length >= 7;
  const li = bytes[4];
  const type = bytes[5] >> 4;
  if (li < 2 || li + 5 > length) return false;
  if (type === 0xf) return bytes.length < 5 + li + 1 || bytes[5 + li] === S7_PROTOCOL_ID;
  if (type !== 0xe && type !== 0xd && type !== 0x8) return false;
  const frame = parseIsoFrame(bytes);
  if (frame.kind !== 'done') return frame.kind === 'incomplete';
  const tsap = cotpParam(frame.frame.cotp, COTP_PARAM.calledTsap) ?? cotpParam(frame.frame.cotp, COTP_PARAM.callingTsap);
  return type === 0x8 || tsap?.length === 2;
}

/** Block upload/download parameters name a file like `_0A00001P`: block type `0A`, number 00001. */
function blockFile(bytes: Uint8Array): { type: string; number: number } | undefined {
  for (let i = 0; i + 9 <= bytes.length; i++) {
    if (bytes[i] !== 0x5f) continue;
    const s = String.fromCharCode(...bytes.subarray(i + 1, i + 9));
    const m = /^([0-9A-F]{2})(\d{5})[PAB]$/.exec(s);
    if (m) return { type: BLOCK_TYPE_NAMES[m[1]] ?? m[1], number: Number(m[2]) };
  }
  return undefined;
}

/** PI service / PLC stop parameters end with a length-prefixed service name such as `P_PROGRAM`. */
function piService(bytes: Uint8Array): string | undefined {
  for (let i = bytes.length - 2; i >= 0; i--) {
    const len = bytes[i];
    if (len >= 2 && i + 1 + len === bytes.length && bytes[i + 1] === 0x50 && bytes[i + 2] === 0x5f) {
      return String.fromCharCode(...bytes.subarray(i + 1));
    }
  }
  return undefined;
}

function s7Fields(s7: S7Pdu, continuation: boolean, f: Fields): void {
  f['s7comm.header.protid'] = S7_PROTOCOL_ID;
  f['s7comm.header.rosctr'] = s7.rosctr;
  f['s7comm.header.rosctr_name'] = nameOf(ROSCTR_NAMES, s7.rosctr);
  f['s7comm.header.redid'] = s7.redundancyId;
  f['s7comm.header.pduref'] = s7.pduRef;
  if (s7.error) {
    f['s7comm.header.errcls'] = s7.error.errorClass;
    f['s7comm.header.errcod'] = s7.error.errorCode;
  }
  const p = s7.param;
  switch (p.kind) {
    case 'setup-communication':
      f['s7comm.param.func'] = p.function;
      f['s7comm.param.maxamq_calling'] = p.maxAmqCalling;
      f['s7comm.param.maxamq_called'] = p.maxAmqCalled;
      f['s7comm.param.pdu_length'] = p.pduLength;
      break;
    case 'var': {
      f['s7comm.param.func'] = p.function;
      f['s7comm.param.itemcount'] = p.itemCount;
      const any = p.items.filter((i) => i.kind === 'any');
      if (p.items.length) f['s7comm.param.item.syntaxid'] = p.items.map((i) => (i.kind === 'any' ? 0x10 : (i.bytes[0] ?? 0)));
      if (any.length) {
        f['s7comm.param.item.area'] = any.map((i) => i.area);
        f['s7comm.param.item.db'] = any.map((i) => i.dbNumber);
        f['s7comm.param.item.address.byte'] = any.map((i) => i.byteAddress);
        f['s7comm.param.item.length'] = any.map((i) => i.length);
        f['s7comm.param.item.transp_size'] = any.map((i) => i.transportSize);
      }
      break;
    }
    case 'userdata': {
      f['s7comm.param.userdata.head'] = p.head;
      f['s7comm.param.userdata.reqres1'] = p.method;
      f['s7comm.param.userdata.type'] = p.type;
      f['s7comm.param.userdata.funcgroup'] = p.group;
      f['s7comm.param.userdata.funcgroup_name'] = nameOf(USERDATA_GROUP_NAMES, p.group);
      f['s7comm.param.userdata.subfunc'] = p.subfunction;
      f['s7comm.param.userdata.subfunc_name'] = nameOf(USERDATA_SUBFUNCTION_NAMES[p.group] ?? {}, p.subfunction);
      f['s7comm.param.userdata.seq_num'] = p.sequence;
      if (p.continuation) {
        f['s7comm.param.userdata.dataunitref'] = p.continuation.dataUnitRef;
        f['s7comm.param.userdata.lastdataunit'] = p.continuation.lastDataUnit;
        f['s7comm.param.errcod'] = p.continuation.errorCode;
      }
      break;
    }
    case 'function': {
      f['s7comm.param.func'] = p.function;
      const block = p.function >= 0x1a && p.function <= 0x1f ? blockFile(p.bytes) : undefined;
      if (block) {
        f['s7comm.blockinfo.blocktype'] = block.type;
        f['s7comm.blockinfo.block_num'] = block.number;
      }
      const service = p.function === 0x28 || p.function === 0x29 ? piService(p.bytes) : undefined;
      if (service) f['s7comm.param.pi_service'] = service;
      break;
    }
    default:
      break;
  }
  if (p.kind !== 'none' && p.kind !== 'userdata' && p.kind !== 'raw') f['s7comm.param.func_name'] = nameOf(FUNCTION_NAMES, p.function);

  const d = s7.data;
  if (d.kind === 'items') {
    f['s7comm.data.returncode'] = d.items.map((i) => i.returnCode);
    f['s7comm.data.transportsize'] = d.items.map((i) => i.transportSize);
  } else if (d.kind === 'return-codes') {
    f['s7comm.data.returncode'] = d.codes;
  } else if (d.kind === 'userdata') {
    f['s7comm.data.returncode'] = d.returnCode;
    f['s7comm.data.transportsize'] = d.transportSize;
    if (p.kind === 'userdata' && p.group === 4 && p.subfunction === 1 && d.payload.length >= 4 && !continuation) {
      f['s7comm.data.userdata.szl_id'] = (d.payload[0] << 8) | d.payload[1];
      f['s7comm.data.userdata.szl_index'] = (d.payload[2] << 8) | d.payload[3];
    }
  }
}

function fields(m: S7commMessage): Fields {
  const f: Fields = {
    'tpkt.version': 3,
    'cotp.type': m.cotp.pduType >> 4,
    'cotp.type_name': m.cotp.name,
  };
  const c = m.cotp;
  if ('dstRef' in c) {
    f['cotp.destref'] = c.dstRef;
    f['cotp.srcref'] = c.srcRef;
    const src = cotpParam(c, COTP_PARAM.callingTsap);
    const dst = cotpParam(c, COTP_PARAM.calledTsap);
    if (src) f['cotp.src-tsap'] = toHex(src);
    if (dst) f['cotp.dst-tsap'] = toHex(dst);
    const size = tpduSize(c);
    if (size) f['cotp.tpdu_size'] = size;
  }
  if (c.name === 'DT' && 'eot' in c) {
    f['cotp.eot'] = c.eot;
    f['cotp.tpdu-number'] = c.tpduNumber;
  }
  if (m.s7) s7Fields(m.s7, m.continuation === true, f);
  return f;
}

/** fields() restricted to what the traffic summary counts (Protocol.summaryFields). */
function summaryFields(m: S7commMessage): Fields {
  const f: Fields = { 'tpkt.version': 3, 'cotp.type': m.cotp.pduType >> 4 };
  const s7 = m.s7;
  if (!s7) return f;
  f['s7comm.header.rosctr'] = s7.rosctr;
  const p = s7.param;
  if (p.kind === 'setup-communication' || p.kind === 'var' || p.kind === 'function') f['s7comm.param.func'] = p.function;
  else if (p.kind === 'userdata') f['s7comm.param.userdata.funcgroup'] = p.group;
  return f;
}

/** SZL answers, reassembled across userdata fragments (same data unit reference, "last" = 0). */
function szlAnswers(messages: readonly S7commMessage[]): Szl[] {
  const out: Szl[] = [];
  let parts: Uint8Array[] = [];
  for (const m of messages) {
    const p = m.s7?.param;
    const d = m.s7?.data;
    if (!p || p.kind !== 'userdata' || p.type !== 8 || p.group !== 4 || p.subfunction !== 1 || d?.kind !== 'userdata') continue;
    if (d.returnCode !== 0xff) continue;
    parts.push(d.payload);
    if (p.continuation?.lastDataUnit) continue;
    const total = parts.reduce((n, x) => n + x.length, 0);
    const whole = new Uint8Array(total);
    let at = 0;
    for (const x of parts) {
      whole.set(x, at);
      at += x.length;
    }
    parts = [];
    const szl = decodeSzl(whole);
    if (szl) out.push(szl);
  }
  return out;
}

function identify(messages: readonly S7commMessage[]): DeviceIdentity | null {
  const raw: Record<string, unknown> = {};
  const id: DeviceIdentity = {};
  for (const szl of szlAnswers(messages)) {
    for (const mod of moduleIdentification(szl)) {
      if (mod.index === 1 && mod.orderNumber) {
        id.orderNumber = mod.orderNumber;
        // Ausbg: version of the module; Ausbe is the release of its PG description file.
        id.hardware = String(mod.ausbg);
        raw.module = mod.orderNumber;
      }
      if (mod.index === 6 && mod.orderNumber) raw.basicHardware = mod.orderNumber;
      if (mod.index === 7) {
        const fw = firmwareOf(mod);
        if (fw) id.firmware = fw;
      }
      if (mod.index === 0x81) raw.bootLoader = mod.orderNumber;
    }
    Object.assign(raw, componentIdentification(szl));
  }
  if (!Object.keys(raw).length && !id.firmware) return null;
  id.vendor = 'Siemens';
  const family = id.orderNumber ? familyOf(id.orderNumber) : undefined;
  if (family) id.model = family;
  const typeName = raw.moduleTypeName as string | undefined;
  if (typeName || family) id.product = typeName ?? family;
  if (raw.serial) id.serial = raw.serial as string;
  if (raw.moduleName) id.moduleName = raw.moduleName as string;
  if (raw.plantId) id.plantId = raw.plantId as string;
  id.raw = raw;
  return id;
}

export const s7comm: Protocol<S7commMessage> = {
  name: 's7comm',
  endpoints: [{ transport: 'tcp', port: 102 }],
  recognize,
  parse,
  encode,
  identify,
  fields,
  summaryFields,
  tally: s7commTally,
};
