// The traffic summary's counting path for S7comm (Protocol.tally): TPKT, COTP DT and the S7 header
// read in place, and the parameter and data blocks walked as s7-pdu.ts decodes them, only to know
// that they hold together. Connection TPDUs (CR, CC, DR, …) and any S7 PDU parse would flag go to
// parse. The tally keeps no flow state: the userdata fragment tracking of parse only names
// fragments for `fields`, which the summary does not count.
import { TALLY_PARSE, type Direction, type PduTally, type Tally } from '../protocol.ts';
import { tallyDt } from './cotp.ts';
import { ROSCTR_NAMES } from './names.ts';
import { S7COMM_PLUS_ID, S7_PROTOCOL_ID } from './s7-pdu.ts';

const ROSCTR = 0;
const PARAM_FUNC = 1;
const USERDATA_FUNCGROUP = 2;

/** Var items of a job (decodeParam): each a spec code and length octet, then that many octets. */
function varItemsFit(b: Uint8Array, at: number, end: number, count: number): boolean {
  if (count * 2 > end - at) return false;
  for (let i = 0; i < count; i++) {
    if (at + 2 > end) return false;
    at += 2 + b[at + 1];
    if (at > end) return false;
  }
  return at === end;
}

/** Data items of a read answer or write job (decodeDataItems): header, data, fill octet between items. */
function dataItemsFit(b: Uint8Array, at: number, end: number, count: number): boolean {
  if (count * 4 > end - at) return false;
  for (let i = 0; i < count; i++) {
    if (at + 4 > end) return false;
    const transportSize = b[at + 1];
    const length = (b[at + 2] << 8) | b[at + 3];
    const n = transportSize >= 3 && transportSize <= 5 ? (length + 7) >> 3 : length;
    at += 4 + n;
    if (n % 2 && i < count - 1) at++;
    if (at > end) return false;
  }
  return at === end;
}

/**
 * Counts an S7 PDU at b[at, end) that decodeS7 would decode without an anomaly; false (having
 * counted nothing) otherwise.
 */
function s7(b: Uint8Array, at: number, end: number, into: Tally): boolean {
  const size = end - at;
  if (size < 10) return false;
  const rosctr = b[at + 1];
  if (ROSCTR_NAMES[rosctr] === undefined) return false;
  const header = rosctr === 2 || rosctr === 3 ? 12 : 10;
  const paramLength = (b[at + 6] << 8) | b[at + 7];
  const dataLength = (b[at + 8] << 8) | b[at + 9];
  if (size < header || paramLength + dataLength !== size - header) return false;
  const ps = at + header;
  const ds = ps + paramLength;
  // The parameter block (decodeParam): which field it gives, and whether it holds together.
  let field = -1;
  let value = 0;
  let fn = -1;
  let itemCount = 0;
  if (paramLength > 0) {
    if (rosctr === 7) {
      const len = b[ps + 3];
      if (paramLength < 4 || len !== paramLength - 4 || (len !== 4 && len !== 8)) return false;
      field = USERDATA_FUNCGROUP;
      value = b[ps + 5] & 0x0f;
    } else if (rosctr === 1 || rosctr === 3) {
      fn = b[ps];
      if (fn === 0xf0) {
        if (paramLength !== 8) return false;
      } else if (fn === 0x04 || fn === 0x05) {
        if (paramLength < 2) return false;
        itemCount = b[ps + 1];
        if (rosctr === 3 ? paramLength !== 2 : !varItemsFit(b, ps + 2, ds, itemCount)) return false;
      }
      field = PARAM_FUNC;
      value = fn;
    }
  }
  // The data block (decodeData).
  if (dataLength > 0) {
    if (rosctr === 7 && field === USERDATA_FUNCGROUP) {
      if (dataLength < 4 || ((b[ds + 2] << 8) | b[ds + 3]) !== dataLength - 4) return false;
    } else if ((fn === 0x04 && rosctr === 3) || (fn === 0x05 && rosctr === 1)) {
      if (!dataItemsFit(b, ds, end, itemCount)) return false;
    } else if (fn === 0x05 && rosctr === 3) {
      if (dataLength !== itemCount) return false;
    }
  }
  into.own = true;
  into.add(ROSCTR, rosctr);
  if (field >= 0) into.add(field, value);
  return true;
}

function count(b: Uint8Array, start: number, end: number, _direction: Direction, into: Tally): number {
  // A class 0 DT (the TPDU of every S7 PDU) is read here; other TPDUs go to parse.
  const length = tallyDt(b, start, end);
  if (length <= 0) return length;
  const at = start + 7;
  const stop = start + length;
  if (at === stop) return length;
  if (b[at] === S7COMM_PLUS_ID) return 0;
  // Without the end-of-TSDU mark the DT is a fragment: no S7 PDU, nothing to count.
  if ((b[start + 6] & 0x80) === 0) return length;
  if (b[at] !== S7_PROTOCOL_ID) return TALLY_PARSE;
  return s7(b, at, stop, into) ? length : TALLY_PARSE;
}

export const s7commTally: PduTally = {
  fields: ['s7comm.header.rosctr', 's7comm.param.func', 's7comm.param.userdata.funcgroup'],
  count,
};
