// The traffic summary's counting path for DNP3 (Protocol.tally): the link header, its CRCs and
// the transport header read in place, and a fragment that one frame carries whole (FIR and FIN)
// walked as parseFragment walks it, its anomalies reported as `flawed`. A segment that starts or
// continues a longer fragment changes the flow's reassembly state, so it goes to parse, as do
// frames with link-layer anomalies (a bad CRC, an unknown link function, LEN below 5) and any frame
// arriving while a fragment of its link pair is being joined.
import { TALLY_PARSE, type Direction, type FlowState, type PduTally, type Tally } from '../protocol.ts';
import { objectsWalkCleanly } from './application.ts';
import { APPLICATION_FUNCTIONS, PRIMARY_FUNCTIONS, SECONDARY_FUNCTIONS, isResponse } from './catalog.ts';
import { HEADER_SIZE, MAX_USER_DATA, MIN_LEN, START_0, START_1, copyUserData, crc16dnp, frameSize } from './link.ts';
import { TRANSPORT_STATE_KEY, transportKey } from './transport.ts';

const AL_FUNC = 0;
const PRIFUNC = 1;
const SECFUNC = 2;

/** The user data of the frame being counted, block CRCs removed (at most 250 octets). */
const userData = new Uint8Array(MAX_USER_DATA);

function count(b: Uint8Array, start: number, end: number, _direction: Direction, into: Tally, state?: FlowState): number {
  const n = end - start;
  if (n === 0) return -HEADER_SIZE;
  if (b[start] !== START_0 || (n > 1 && b[start + 1] !== START_1)) return 0;
  if (n < 3) return -HEADER_SIZE;
  const len = b[start + 2];
  // LEN below its minimum: parse's malformed frame, with its anomaly.
  if (len < MIN_LEN) return TALLY_PARSE;
  const total = frameSize(len);
  if (n < total) return -total;
  if ((b[start + 8] | (b[start + 9] << 8)) !== crc16dnp(b, start, start + 8)) return TALLY_PARSE;
  const control = b[start + 3];
  const primary = (control & 0x40) !== 0;
  const fn = control & 0x0f;
  if ((primary ? PRIMARY_FUNCTIONS : SECONDARY_FUNCTIONS)[fn] === undefined) return TALLY_PARSE;
  const dataLen = len - MIN_LEN;
  if (!copyUserData(b, start + HEADER_SIZE, dataLen, userData)) return TALLY_PARSE;
  if (!(primary && (fn === 3 || fn === 4))) {
    // No user data expected (link status, reset, acknowledgements): parse flags any that is there.
    if (dataLen > 0) return TALLY_PARSE;
    into.own = true;
    into.add(primary ? PRIFUNC : SECFUNC, fn);
    return total;
  }
  // Transport header (IEEE 1815-2012 §8.2): only a whole fragment in this frame, with nothing of
  // its link pair waiting, leaves the reassembly state as it is.
  if (dataLen < 3) return TALLY_PARSE;
  const th = userData[0];
  if ((th & 0xc0) !== 0xc0) return TALLY_PARSE;
  const pending = state?.[TRANSPORT_STATE_KEY] as ReadonlyMap<string, unknown> | undefined;
  if (pending !== undefined && pending.size > 0) {
    const source = b[start + 6] | (b[start + 7] << 8);
    const destination = b[start + 4] | (b[start + 5] << 8);
    if (pending.has(transportKey(source, destination))) return TALLY_PARSE;
  }
  // Application header (§4.2.2): control, function, and the IIN octets of a response. A fragment
  // parse flags (an unknown function, IIN cut short, objects that do not walk) still has its
  // function counted, as a frame with anomalies.
  const fc = userData[2];
  const objects = isResponse(fc) ? 5 : 3;
  if (APPLICATION_FUNCTIONS[fc] === undefined || dataLen < objects || !objectsWalkCleanly(userData, objects, dataLen, fc)) into.flawed = true;
  into.own = true;
  into.add(PRIFUNC, fn);
  into.add(AL_FUNC, fc);
  return total;
}

export const dnp3Tally: PduTally = {
  fields: ['dnp3.al.func', 'dnp3.ctl.prifunc', 'dnp3.ctl.secfunc'],
  count,
};
