// The traffic summary's counting path for Omron FINS (Protocol.tally): the FINS/TCP header and the
// FINS command code read in place. FINS keeps no flow state, so the tally decides every frame as
// parse does; a frame parse would flag (an unknown command, a FINS/TCP frame-send whose frame does
// not decode) goes to parse, so the anomalies stay parse's.
import { TALLY_PARSE, type Direction, type PduTally, type Tally } from '../protocol.ts';
import { COMMAND_NAMES, TCP_COMMAND_NAMES } from './names.ts';
import { FRAME_HEADER, ICF_RESERVED, ICF_RESPONSE, MAGIC, MAX_GCT, MAX_TCP_LENGTH, TCP_HEADER } from './layout.ts';

const COMMAND = 0;
const TCP_COMMAND = 1;

/** MRC << 8 | SRC codes with a name: any other parse flags as unknown-command. */
const KNOWN_COMMAND = new Uint8Array(0x10000);
for (const code of Object.keys(COMMAND_NAMES)) KNOWN_COMMAND[Number(code)] = 1;
/** FINS/TCP commands with a name (all below 256): any other parse flags as unknown-tcp-command. */
const KNOWN_TCP_COMMAND = new Uint8Array(256);
for (const code of Object.keys(TCP_COMMAND_NAMES)) KNOWN_TCP_COMMAND[Number(code)] = 1;

/** A FINS frame at b[at, end): its command code when parse decodes it (header plausible, long enough), else -1. */
function frameCommand(b: Uint8Array, at: number, end: number): number {
  const n = end - at;
  if (b[at] & ICF_RESERVED || b[at + 1] !== 0 || b[at + 2] > MAX_GCT) return -1;
  if (n < (b[at] & ICF_RESPONSE ? FRAME_HEADER + 4 : FRAME_HEADER + 2)) return -1;
  return (b[at + 10] << 8) | b[at + 11];
}

function countTcp(b: Uint8Array, start: number, end: number, into: Tally): number {
  const n = end - start;
  for (let i = 0; i < 4 && i < n; i++) if (b[start + i] !== MAGIC[i]) return 0;
  if (n < 8) return -TCP_HEADER;
  const length = ((b[start + 4] << 24) | (b[start + 5] << 16) | (b[start + 6] << 8) | b[start + 7]) >>> 0;
  if (length < 8 || length > MAX_TCP_LENGTH) return 0;
  const total = 8 + length;
  if (n < total) return -total;
  const command = ((b[start + 8] << 24) | (b[start + 9] << 16) | (b[start + 10] << 8) | b[start + 11]) >>> 0;
  if (command > 0xff || KNOWN_TCP_COMMAND[command] === 0) return TALLY_PARSE;
  let frame = -1;
  if (command === 2 && total > TCP_HEADER) {
    frame = frameCommand(b, start + TCP_HEADER, start + total);
    if (frame < 0) return TALLY_PARSE;
  }
  into.own = true;
  into.add(TCP_COMMAND, command);
  if (frame >= 0) into.add(COMMAND, frame);
  return total;
}

function count(b: Uint8Array, start: number, end: number, _direction: Direction, into: Tally): number {
  const n = end - start;
  if (n > 0 && b[start] === MAGIC[0]) return countTcp(b, start, end, into);
  // A datagram is one frame (W227 §3): its header as far as it goes must be plausible.
  if (n >= 1 && b[start] & ICF_RESERVED) return 0;
  if (n >= 2 && b[start + 1] !== 0) return 0;
  if (n >= 3 && b[start + 2] > MAX_GCT) return 0;
  const size = n >= 1 && b[start] & ICF_RESPONSE ? FRAME_HEADER + 4 : FRAME_HEADER + 2;
  if (n < size) return -size;
  const command = (b[start + 10] << 8) | b[start + 11];
  if (KNOWN_COMMAND[command] === 0) return TALLY_PARSE;
  into.own = true;
  into.add(COMMAND, command);
  return n;
}

export const finsTally: PduTally = {
  fields: ['omron.command', 'omron.tcp.command'],
  count,
};
