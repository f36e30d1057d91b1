// The traffic summary's counting path for BACnet/IP (Protocol.tally): BVLC, the NPDU header and
// the APDU header read in place, and the parameters of the services decodeService checks (Who-Is,
// I-Am, ReadProperty and its ACK) walked tag by tag (§20.2) only to know they hold together.
// Anything parse would flag, and the services whose parameters this walk does not follow
// (ReadPropertyMultiple, WriteProperty, …), go to parse.
import { TALLY_PARSE, type Direction, type PduTally, type Tally } from '../protocol.ts';
import { BVLC_FUNCTIONS, CONFIRMED_SERVICES, UNCONFIRMED_SERVICES } from './catalog.ts';
import { BVLC_TYPE_BIP } from './pdu.ts';

const BVLC_FUNCTION = 0;
const APDU_TYPE = 1;
const CONFIRMED_SERVICE = 2;
const UNCONFIRMED_SERVICE = 3;

const KNOWN_BVLC = new Uint8Array(256);
for (const code of Object.keys(BVLC_FUNCTIONS)) KNOWN_BVLC[Number(code)] = 1;

/** What the last readTag() found (one tag at a time, so no object per tag). */
let tagNumber = 0;
let tagContext = false;
/** 0 a tag with data (or a boolean), 1 an opening tag, 2 a closing tag. */
let tagShape = 0;

/**
 * tags.ts readTag at b[at, end): the offset after the tag, or -1 where readTag would fail or
 * read past the end (an extended tag number cut short included, which parse treats unevenly).
 */
function readTag(b: Uint8Array, at: number, end: number): number {
  if (at >= end) return -1;
  const first = b[at++];
  let number = first >>> 4;
  if (number === 0x0f) {
    if (at >= end) return -1;
    number = b[at++];
  }
  const lvt = first & 0x07;
  tagNumber = number;
  tagContext = (first & 0x08) !== 0;
  tagShape = 0;
  if (tagContext && (lvt === 6 || lvt === 7)) {
    tagShape = lvt === 6 ? 1 : 2;
    return at;
  }
  if (!tagContext && number === 1) return at;
  let length = lvt;
  if (lvt === 5) {
    if (at >= end) return -1;
    length = b[at++];
    if (length === 254) {
      if (at + 2 > end) return -1;
      length = (b[at] << 8) | b[at + 1];
      at += 2;
    } else if (length === 255) {
      if (at + 4 > end) return -1;
      length = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
      at += 4;
    }
  }
  return length > end - at ? -1 : at + length;
}

/** A data tag of this number and class at `at` (services.ts expect): the offset after it, or -1. */
function expect(b: Uint8Array, at: number, end: number, number: number, context: boolean): number {
  const next = readTag(b, at, end);
  return next >= 0 && tagNumber === number && tagContext === context && tagShape === 0 ? next : -1;
}

/** objectIdentifier [0], propertyIdentifier [1], propertyArrayIndex [2] OPTIONAL: the offset after, or -1. */
function propertyReference(b: Uint8Array, at: number, end: number): number {
  at = expect(b, at, end, 0, true);
  if (at >= 0) at = expect(b, at, end, 1, true);
  if (at < 0) return -1;
  const next = readTag(b, at, end);
  return next >= 0 && tagContext && tagNumber === 2 && tagShape === 0 ? next : at;
}

/** ReadProperty-ACK: a property reference, then values inside [3] … [3] that end the data. */
function readPropertyAck(b: Uint8Array, at: number, end: number): boolean {
  at = propertyReference(b, at, end);
  if (at < 0) return false;
  at = readTag(b, at, end);
  if (at < 0 || tagShape !== 1 || tagNumber !== 3) return false;
  let depth = 0;
  for (;;) {
    at = readTag(b, at, end);
    if (at < 0) return false;
    if (tagShape === 1) depth++;
    else if (tagShape === 2) {
      if (depth === 0) return tagNumber === 3 && at === end;
      depth--;
    }
  }
}

/** True when decodeService would find these parameters well formed; false sends the PDU to parse. */
function serviceFits(type: number, service: number, b: Uint8Array, at: number, end: number): boolean {
  if (type === 1 && service === 0) {
    at = expect(b, at, end, 12, false);
    if (at >= 0) at = expect(b, at, end, 2, false);
    if (at >= 0) at = expect(b, at, end, 9, false);
    if (at >= 0) at = expect(b, at, end, 2, false);
    return at === end;
  }
  if (type === 1 && service === 8) {
    if (at === end) return true;
    at = expect(b, at, end, 0, true);
    if (at >= 0) at = expect(b, at, end, 1, true);
    return at === end;
  }
  if (type === 0 && service === 12) return propertyReference(b, at, end) === end;
  if (type === 3 && service === 12) return readPropertyAck(b, at, end);
  // Parameters decodeService checks and this walk does not.
  if (type === 0 && (service === 14 || service === 15 || service === 17 || service === 20)) return false;
  if (type === 3 && service === 14) return false;
  return true;
}

/**
 * The NPDU (and APDU) at b[at, end), counted into the BACnet tally's fields when readNpduInto would
 * record no anomaly; false, having counted nothing, otherwise. Also the count of an NPDU carried
 * without BVLC (over 802.2 LLC or MS/TP), which then carries the protocol's own header.
 */
export function countNpdu(b: Uint8Array, at: number, end: number, into: Tally): boolean {
  if (end - at < 2) return false;
  const control = b[at + 1];
  if (b[at] !== 1 || (control & 0x50) !== 0) return false;
  at += 2;
  // Destination and source: network, address length, address; a hop count with a destination.
  if (control & 0x20) {
    if (at + 3 > end) return false;
    at += 3 + b[at + 2];
  }
  if (control & 0x08) {
    if (at + 3 > end) return false;
    at += 3 + b[at + 2];
  }
  if (control & 0x20) at++;
  if (at > end) return false;
  if (control & 0x80) {
    // A network layer message: its type (and vendor), the rest kept as data; no APDU.
    if (at + 1 > end || (b[at] >= 0x80 && at + 3 > end)) return false;
    return true;
  }
  if (at === end) return false;
  // APDU header (§20.1), as readApdu.
  const b0 = b[at];
  const type = b0 >>> 4;
  const segmented = (b0 & 0x08) !== 0;
  let service = -1;
  let header: number;
  switch (type) {
    case 0:
      header = segmented ? 6 : 4;
      break;
    case 1:
      header = 2;
      break;
    case 2:
    case 5:
      header = 3;
      break;
    case 3:
      header = segmented ? 5 : 3;
      break;
    case 4:
      header = 4;
      break;
    case 6:
    case 7:
      header = 3;
      break;
    default:
      return false;
  }
  if (at + header > end) return false;
  if (type <= 3 || type === 5) {
    service = b[at + header - 1];
    const known = type === 1 ? service < UNCONFIRMED_SERVICES.length : service < CONFIRMED_SERVICES.length;
    if (!known) return false;
    if (!(segmented && (type === 0 || type === 3)) && !serviceFits(type, service, b, at + header, end)) return false;
  } else if (at + header !== end) return false;
  into.add(APDU_TYPE, type);
  if (service >= 0) into.add(type === 1 ? UNCONFIRMED_SERVICE : CONFIRMED_SERVICE, service);
  return true;
}

function count(b: Uint8Array, start: number, end: number, _direction: Direction, into: Tally): number {
  const n = end - start;
  if (n === 0) return -4;
  if (b[start] !== BVLC_TYPE_BIP) return 0;
  if (n > 1 && KNOWN_BVLC[b[start + 1]] === 0) return 0;
  if (n < 4) return -4;
  const length = (b[start + 2] << 8) | b[start + 3];
  if (length < 4) return 0;
  if (n < length) return -length;
  const fn = b[start + 1];
  const stop = start + length;
  if (fn === 0x04 || fn === 0x09 || fn === 0x0a || fn === 0x0b) {
    // Forwarded-NPDU first names the original source (B/IP address and port).
    const at = fn === 0x04 ? start + 10 : start + 4;
    if (at > stop || !countNpdu(b, at, stop, into)) return TALLY_PARSE;
  }
  into.own = true;
  into.add(BVLC_FUNCTION, fn);
  return length;
}

export const bacnetTally: PduTally = {
  fields: ['bvlc.function', 'bacapp.type', 'bacapp.confirmed_service', 'bacapp.unconfirmed_service'],
  count,
};
