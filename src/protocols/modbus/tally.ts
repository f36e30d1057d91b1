// The traffic summary's counting path for Modbus/TCP (Protocol.tally): the MBAP header and the
// function code read in place. A PDU whose data parse would flag (a quantity out of range, a byte
// count that does not add up, function code 0, an over-long MBAP length) or whose layout is not
// checked here goes to parse, so the anomalies and counts stay parse's.
import { TALLY_PARSE, type Direction, type PduTally, type Tally } from '../protocol.ts';

const UNIT_ID = 0;
const FUNC_CODE = 1;
const EXCEPTION_CODE = 2;

/** Function codes with a data layout in pdu.ts; any other code keeps its data raw, unchecked. */
const LAID_OUT = new Uint8Array(256);
for (const code of [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 15, 16, 17, 20, 21, 22, 23, 24, 43]) LAID_OUT[code] = 1;

/**
 * True when decodePdu would decode bytes[at, end) for this code and direction with no anomaly,
 * for the layouts of the frequent codes; false sends the PDU to parse.
 */
function cleanData(code: number, toServer: boolean, b: Uint8Array, at: number, end: number): boolean {
  const n = end - at;
  if (LAID_OUT[code] === 0) return true;
  if (toServer) {
    switch (code) {
      case 1:
      case 2:
      case 3:
      case 4: {
        if (n !== 4) return false;
        const quantity = (b[at + 2] << 8) | b[at + 3];
        return quantity >= 1 && quantity <= (code <= 2 ? 2000 : 125);
      }
      case 5:
      case 6:
        return n === 4;
      case 15: {
        if (n < 5) return false;
        const quantity = (b[at + 2] << 8) | b[at + 3];
        const byteCount = b[at + 4];
        return byteCount === n - 5 && byteCount === (quantity + 7) >> 3 && quantity >= 1 && quantity <= 1968;
      }
      case 16: {
        if (n < 5) return false;
        const quantity = (b[at + 2] << 8) | b[at + 3];
        const byteCount = b[at + 4];
        return byteCount === n - 5 && byteCount === quantity * 2 && quantity >= 1 && quantity <= 123;
      }
      default:
        return false;
    }
  }
  switch (code) {
    case 1:
    case 2:
      return n >= 1 && b[at] === n - 1;
    case 3:
    case 4:
    case 23:
      // registers() refuses more than 127 values.
      return n >= 1 && b[at] === n - 1 && (b[at] & 1) === 0 && b[at] >> 1 <= 127;
    case 5:
    case 6:
    case 15:
    case 16:
      return n === 4;
    default:
      return false;
  }
}

function count(b: Uint8Array, start: number, end: number, direction: Direction, into: Tally): number {
  const n = end - start;
  if (n >= 4 && (b[start + 2] !== 0 || b[start + 3] !== 0)) return 0;
  if (n < 6) return -8;
  const length = (b[start + 4] << 8) | b[start + 5];
  if (length < 2 || length > 512) return 0;
  const total = 6 + length;
  if (n < total) return -total;
  // Past 254 (the spec's largest MBAP length) parse adds an anomaly.
  if (length > 254) return TALLY_PARSE;
  const raw = b[start + 7];
  const exception = direction === 'to-client' && raw >= 0x80;
  const code = exception ? raw & 0x7f : raw;
  if (code === 0) return TALLY_PARSE;
  if (exception) {
    if (total !== 9) return TALLY_PARSE;
  } else if (!cleanData(code, direction === 'to-server', b, start + 8, start + total)) return TALLY_PARSE;
  into.own = true;
  into.add(UNIT_ID, b[start + 6]);
  into.add(FUNC_CODE, code);
  if (exception) into.add(EXCEPTION_CODE, b[start + 8]);
  return total;
}

export const modbusTally: PduTally = {
  fields: ['mbtcp.unit_id', 'modbus.func_code', 'modbus.exception_code'],
  count,
};
