// ISO transport over TCP: a TPKT (RFC 1006 §6) around one COTP TPDU (ISO 8073 / X.224 §13).
// S7comm and S7comm-plus both ride in COTP DT TPDUs on TCP 102.
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import { TALLY_PARSE } from '../protocol.ts';

export const TPKT_VERSION = 3;
const TPKT_SIZE = 4;
/** RFC 1006 §6: the smallest TPKT holds its 4-byte header and a 3-byte DT header. */
export const MIN_TPKT_LENGTH = 7;

/** ISO 8073 §13.1 Table 8: TPDU codes (upper nibble of the second octet). */
export const COTP_PDU_NAMES: Readonly<Record<number, string>> = {
  0x1: 'ED',
  0x2: 'EA',
  0x5: 'RJ',
  0x6: 'AK',
  0x7: 'ER',
  0x8: 'DR',
  0xc: 'DC',
  0xd: 'CC',
  0xe: 'CR',
  0xf: 'DT',
};

/** ISO 8073 §13.3.4 parameter codes used by S7 peers. */
export const COTP_PARAM = { tpduSize: 0xc0, callingTsap: 0xc1, calledTsap: 0xc2 } as const;

export interface CotpParam {
  code: number;
  value: Uint8Array;
}

export type Cotp =
  /** Connection request / confirm (§13.3, §13.4). `pduType` keeps the CDT credit nibble. */
  | { name: 'CR' | 'CC'; pduType: number; dstRef: number; srcRef: number; classOption: number; params: CotpParam[] }
  /** Disconnect request (§13.5). */
  | { name: 'DR'; pduType: number; dstRef: number; srcRef: number; reason: number; params: CotpParam[] }
  /** Data (§13.7, class 0 normal format): end-of-TSDU mark and TPDU number. */
  | { name: 'DT'; pduType: number; eot: boolean; tpduNumber: number }
  /** Any other TPDU, or one whose header this decoder does not take apart: header octets as sent. */
  | { name: string; pduType: number; header: Uint8Array };

export interface IsoFrame {
  cotp: Cotp;
  /** User data after the COTP header (the S7 PDU for DT). */
  payload: Uint8Array;
  anomalies: string[];
}

export type FrameResult = { kind: 'done'; frame: IsoFrame; consumed: number } | { kind: 'incomplete'; needed: number } | { kind: 'not-mine' };

/** Framing only: how many bytes the TPKT at the start of `bytes` needs, or not-mine. */
export function tpktLength(bytes: Uint8Array): number | 'not-mine' | 'incomplete' {
  if (bytes.length >= 1 && bytes[0] !== TPKT_VERSION) return 'not-mine';
  if (bytes.length >= 2 && bytes[1] !== 0) return 'not-mine';
  if (bytes.length < TPKT_SIZE) return 'incomplete';
  const length = (bytes[2] << 8) | bytes[3];
  if (length < MIN_TPKT_LENGTH) return 'not-mine';
  if (bytes.length >= 5 && bytes[4] + 1 > length - TPKT_SIZE) return 'not-mine';
  return length;
}

/**
 * parseIsoFrame's start as the S7comm and S7comm-plus tallies (Protocol.tally) read it, in place:
 * the TPKT length of a class 0 DT (the TPDU of every S7 PDU, which parseIsoFrame also decodes in
 * place) whose whole TPKT is at b[start, end); otherwise 0 for not-mine or -needed, as
 * parseIsoFrame gives them, or TALLY_PARSE for any other TPDU.
 */
export function tallyDt(b: Uint8Array, start: number, end: number): number {
  const n = end - start;
  // tpktLength, in place.
  if (n >= 1 && b[start] !== TPKT_VERSION) return 0;
  if (n >= 2 && b[start + 1] !== 0) return 0;
  if (n < TPKT_SIZE) return -MIN_TPKT_LENGTH;
  const length = (b[start + 2] << 8) | b[start + 3];
  if (length < MIN_TPKT_LENGTH) return 0;
  if (n >= 5 && b[start + 4] + 1 > length - TPKT_SIZE) return 0;
  if (n < length) return -length;
  const li = b[start + 4];
  if (li === 0) return 0;
  return li === 2 && b[start + 5] >> 4 === 0xf ? length : TALLY_PARSE;
}

function params(r: ByteReader): CotpParam[] | null {
  const out: CotpParam[] = [];
  while (r.remaining > 0) {
    const code = r.u8();
    const len = r.u8();
    if (r.overrun || len > r.remaining) return null;
    out.push({ code, value: r.bytesView(len) });
  }
  return out;
}

function decodeCotp(header: Uint8Array): Cotp {
  const r = new ByteReader(header);
  const pduType = r.u8();
  const name = COTP_PDU_NAMES[pduType >> 4] ?? 'unknown';
  if (name === 'CR' || name === 'CC') {
    const dstRef = r.u16be();
    const srcRef = r.u16be();
    const classOption = r.u8();
    const p = r.overrun ? null : params(r);
    if (p) return { name, pduType, dstRef, srcRef, classOption, params: p };
  } else if (name === 'DR') {
    const dstRef = r.u16be();
    const srcRef = r.u16be();
    const reason = r.u8();
    const p = r.overrun ? null : params(r);
    if (p) return { name, pduType, dstRef, srcRef, reason, params: p };
  } else if (name === 'DT' && header.length === 2) {
    return { name, pduType, eot: (header[1] & 0x80) !== 0, tpduNumber: header[1] & 0x7f };
  }
  return { name, pduType, header: header.subarray(1) };
}

/** Decodes one TPKT + COTP TPDU; the payload is left to the protocol above. */
export function parseIsoFrame(bytes: Uint8Array): FrameResult {
  const length = tpktLength(bytes);
  if (length === 'not-mine') return { kind: 'not-mine' };
  if (length === 'incomplete') return { kind: 'incomplete', needed: MIN_TPKT_LENGTH };
  if (bytes.length < length) return { kind: 'incomplete', needed: length };
  const li = bytes[4];
  if (li === 0) return { kind: 'not-mine' };
  // DT, the TPDU of every S7 PDU, is decoded in place (no header view or reader per frame).
  const cotp: Cotp =
    li === 2 && bytes[5] >> 4 === 0xf
      ? { name: 'DT', pduType: bytes[5], eot: (bytes[6] & 0x80) !== 0, tpduNumber: bytes[6] & 0x7f }
      : decodeCotp(bytes.subarray(5, 5 + li));
  const anomalies: string[] = [];
  if (cotp.name === 'unknown') anomalies.push('unknown-cotp-pdu-type');
  return { kind: 'done', frame: { cotp, payload: bytes.subarray(5 + li, length), anomalies }, consumed: length };
}

export function encodeIsoFrame(cotp: Cotp, payload: Uint8Array | ((w: ByteWriter) => void)): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(TPKT_VERSION).u8(0).u16be(0).u8(0);
  if ('header' in cotp) {
    w.u8(cotp.pduType).bytes(cotp.header);
  } else if (cotp.name === 'DT') {
    w.u8(cotp.pduType).u8((cotp.eot ? 0x80 : 0) | (cotp.tpduNumber & 0x7f));
  } else {
    w.u8(cotp.pduType).u16be(cotp.dstRef).u16be(cotp.srcRef);
    w.u8(cotp.name === 'DR' ? cotp.reason : cotp.classOption);
    for (const p of cotp.params) w.u8(p.code).u8(p.value.length).bytes(p.value);
  }
  w.patchU8(4, w.length - 5);
  if (typeof payload === 'function') payload(w);
  else w.bytes(payload);
  w.patchU16be(2, w.length);
  return w.finish();
}

export function cotpParam(cotp: Cotp, code: number): Uint8Array | undefined {
  return 'params' in cotp ? cotp.params.find((p) => p.code === code)?.value : undefined;
}

/** TPDU size parameter (§13.3.4 b): 2^value octets. */
export function tpduSize(cotp: Cotp): number | undefined {
  const v = cotpParam(cotp, COTP_PARAM.tpduSize);
  return v && v.length === 1 && v[0] >= 7 && v[0] <= 13 ? 1 << v[0] : undefined;
}
