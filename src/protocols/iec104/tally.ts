// The traffic summary's counting path for IEC 60870-5-104 (Protocol.tally): the APCI read in
// place, and an I-format ASDU's header with a check that its information objects fill it exactly
// (what parseAsdu needs to record no anomaly). Anything else parse would flag, and bytes before
// the start octet, go to parse.
import { TALLY_PARSE, type Direction, type PduTally, type Tally } from '../protocol.ts';
import { MAX_LENGTH, MIN_LENGTH, START } from './apdu.ts';
import { ELEMENT_SIZE, TYPE_IDS, U_FUNCTIONS } from './type-ids.ts';

const TYPE = 0;
const UTYPE = 1;
const TYPE_ID = 2;
const CAUSE_TX = 3;

/** The control octet bits of a defined U-format function. */
const U_FUNCTION = new Uint8Array(256);
for (const bits of Object.values(U_FUNCTIONS)) U_FUNCTION[bits] = 1;

const UNKNOWN_TYPE = -1;
/** A known type id without an element layout: parse keeps its objects raw, unchecked. */
const NO_LAYOUT = -2;
/** Per type id: UNKNOWN_TYPE, NO_LAYOUT, or the octets of one object's elements (0 for none). */
const OBJECT_SIZE = new Int16Array(256).fill(UNKNOWN_TYPE);
for (const [id, info] of Object.entries(TYPE_IDS)) {
  OBJECT_SIZE[Number(id)] = info.elements ? info.elements.reduce((n, e) => n + ELEMENT_SIZE[e], 0) : NO_LAYOUT;
}

/** Counts the ASDU at b[at, end) when parseAsdu records no anomaly for it; false otherwise. */
function asdu(b: Uint8Array, at: number, end: number, into: Tally): boolean {
  if (end - at < 6) return false;
  const typeId = b[at];
  const vsq = b[at + 1];
  const count = vsq & 0x7f;
  const size = OBJECT_SIZE[typeId];
  if (count === 0 || size === UNKNOWN_TYPE) return false;
  const rest = end - at - 6;
  // One address for a sequence (SQ = 1), else an address per object; nothing left over.
  if (size !== NO_LAYOUT && rest !== ((vsq & 0x80) !== 0 ? 3 + count * size : count * (3 + size))) return false;
  into.add(TYPE_ID, typeId);
  into.add(CAUSE_TX, b[at + 2] & 0x3f);
  return true;
}

function count(b: Uint8Array, start: number, end: number, _direction: Direction, into: Tally): number {
  const n = end - start;
  if (n === 0) return -(2 + MIN_LENGTH);
  if (b[start] !== START) return TALLY_PARSE;
  if (n < 2) return -(2 + MIN_LENGTH);
  const length = b[start + 1];
  if (length > MAX_LENGTH) return 0;
  if (length < MIN_LENGTH) return TALLY_PARSE;
  const total = 2 + length;
  if (n < total) return -total;
  const c0 = b[start + 2];
  if ((c0 & 0x01) === 0) {
    // I format: the receive sequence's reserved bit clear, and an ASDU.
    if ((b[start + 4] & 0x01) !== 0 || length === MIN_LENGTH) return TALLY_PARSE;
    if (!asdu(b, start + 6, start + total, into)) return TALLY_PARSE;
    into.add(TYPE, 0);
  } else if ((c0 & 0x03) === 0x01) {
    if (c0 !== 0x01 || b[start + 3] !== 0 || (b[start + 4] & 0x01) !== 0 || length > MIN_LENGTH) return TALLY_PARSE;
    into.add(TYPE, 1);
  } else {
    if (U_FUNCTION[c0 & 0xfc] === 0 || b[start + 3] !== 0 || b[start + 4] !== 0 || b[start + 5] !== 0 || length > MIN_LENGTH) return TALLY_PARSE;
    into.add(TYPE, 3);
    into.add(UTYPE, (c0 & 0xfc) >>> 2);
  }
  into.own = true;
  return total;
}

export const iec104Tally: PduTally = {
  fields: ['iec60870_104.type', 'iec60870_104.utype', 'iec60870_asdu.typeid', 'iec60870_asdu.causetx'],
  count,
};
