// The traffic summary's counting path for EtherNet/IP (Protocol.tally): the encapsulation header
// and the common packet format read in place, and the CIP services of its data items counted by
// the same walk as summaryFields (countCipServices). A PDU parse would flag (options not zero,
// command data that does not hold together) goes to parse.
import { TALLY_PARSE, type Direction, type PduTally, type Tally } from '../protocol.ts';
import { countCipServices } from './cip.ts';
import { HEADER_SIZE, MAX_ITEMS, MAX_LENGTH } from './layout.ts';
import { ITEM, KNOWN_COMMAND } from './names.ts';

const COMMAND = 0;

/** True when a CPF item list (Vol 2 §2-6.1) fills b[at, end) exactly, as parse's cpf() requires. */
function itemsFit(b: Uint8Array, at: number, end: number): boolean {
  if (end - at < 2) return false;
  const count = b[at] | (b[at + 1] << 8);
  at += 2;
  if (count > MAX_ITEMS || count * 4 > end - at) return false;
  for (let i = 0; i < count; i++) {
    if (at + 4 > end) return false;
    at += 4 + (b[at + 2] | (b[at + 3] << 8));
    if (at > end) return false;
  }
  return at === end;
}

/** The CIP services of a CPF item list that fits (unconnected data, and connected data past its sequence count). */
function countItems(b: Uint8Array, at: number, into: Tally): void {
  const count = b[at] | (b[at + 1] << 8);
  at += 2;
  for (let i = 0; i < count; i++) {
    const typeId = b[at] | (b[at + 1] << 8);
    const length = b[at + 2] | (b[at + 3] << 8);
    const data = at + 4;
    if (typeId === ITEM.unconnectedData) countCipServices(b, data, data + length, 0, into);
    else if (typeId === ITEM.connectedData && length > 2) countCipServices(b, data + 2, data + length, 0, into);
    at = data + length;
  }
}

function count(b: Uint8Array, start: number, end: number, _direction: Direction, into: Tally): number {
  const n = end - start;
  if (n >= 2 && KNOWN_COMMAND[b[start] | (b[start + 1] << 8)] === 0) return 0;
  if (n < HEADER_SIZE) return -HEADER_SIZE;
  const command = b[start] | (b[start + 1] << 8);
  const length = b[start + 2] | (b[start + 3] << 8);
  if (length > MAX_LENGTH) return 0;
  const total = HEADER_SIZE + length;
  if (n < total) return -total;
  // Vol 2 §2-3.6: options must be zero (parse records an anomaly).
  if ((b[start + 20] | b[start + 21] | b[start + 22] | b[start + 23]) !== 0) return TALLY_PARSE;
  const body = start + HEADER_SIZE;
  const stop = start + total;
  // The command data as parse's decodeBody reads it; other commands keep theirs raw, unchecked.
  let items = -1;
  if (length > 0) {
    if (command === 0x0063 || command === 0x0004 || command === 0x0064) items = body;
    else if (command === 0x006f || command === 0x0070) {
      // Interface handle and timeout, then the items.
      if (length < 6) return TALLY_PARSE;
      items = body + 6;
    }
    if (items >= 0 && !itemsFit(b, items, stop)) return TALLY_PARSE;
  }
  into.own = true;
  into.add(COMMAND, command);
  if (items >= 0) countItems(b, items, into);
  return total;
}

export const enipTally: PduTally = {
  fields: ['enip.command', 'cip.service', 'cip.sc'],
  count,
};
