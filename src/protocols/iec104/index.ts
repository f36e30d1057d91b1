// IEC 60870-5-104 (telecontrol over TCP 2404): APCI framing, I/S/U formats, ASDUs with
// information objects for the common monitoring and command types.
import type { DeviceIdentity } from '../../model/index.ts';
import type { Fields, Protocol } from '../protocol.ts';
import { iec104Tally } from './tally.ts';
import { encodeApdu, parseApdu, START, MIN_LENGTH, MAX_LENGTH, type Iec104Message } from './apdu.ts';
import { ELEMENT_SIZE, TYPE_IDS, U_FUNCTIONS } from './type-ids.ts';

export type { Iec104Message, Apci, Asdu, InformationObject, Cp56Time2a } from './apdu.ts';
export { TYPE_IDS, CAUSES, U_FUNCTIONS, type UFunction } from './type-ids.ts';
export { mirror, singlePoints, stationInterrogation, startDataTransferActivation, testFrameActivation, uConfirmation } from './builders.ts';

const U_BITS = new Set<number>(Object.values(U_FUNCTIONS));

/**
 * IEC 60870-5-101 §7.2: an ASDU's length follows from its type and variable structure qualifier
 * (6 octets of header, then one 3-octet address per object, or one in all when SQ = 1). Text
 * that happens to start with 0x68 ("h") almost never fits.
 */
function asduFits(typeId: number, vsq: number, asduLength: number): boolean {
  const info = TYPE_IDS[typeId];
  if (!info) return false;
  const n = vsq & 0x7f;
  if (n === 0) return false;
  if (!info.elements) return true;
  const size = info.elements.reduce((t, e) => t + ELEMENT_SIZE[e], 0);
  return asduLength === 6 + (vsq & 0x80 ? 3 + n * size : n * (3 + size));
}

export const iec104: Protocol<Iec104Message> = {
  name: 'iec104',
  endpoints: [{ transport: 'tcp', port: 2404 }],

  recognize(bytes, _direction, transport) {
    if (transport !== 'tcp' || bytes.length === 0 || bytes[0] !== START) return false;
    if (bytes.length >= 2 && (bytes[1] < MIN_LENGTH || bytes[1] > MAX_LENGTH)) return false;
    if (bytes.length >= 3) {
      const c0 = bytes[2];
      if ((c0 & 0x03) === 0x03) return U_BITS.has(c0 & 0xfc) && bytes[1] === MIN_LENGTH;
      if ((c0 & 0x03) === 0x01) return c0 === 0x01 && bytes[1] === MIN_LENGTH;
      if (bytes[1] <= MIN_LENGTH + 6) return false;
      return bytes.length < 8 || asduFits(bytes[6], bytes[7], bytes[1] - MIN_LENGTH);
    }
    return true;
  },

  parse(bytes) {
    return parseApdu(bytes);
  },

  encode: encodeApdu,

  // nmap's iec-identify reports only what a station answers to a general interrogation: the
  // ASDU common address and its information object addresses; there is no vendor field in 104.
  identify(messages) {
    const asdus = messages.flatMap((m) => (m.asdu ? [m.asdu] : []));
    if (asdus.length === 0) return null;
    const identity: DeviceIdentity = {
      raw: {
        commonAddresses: [...new Set(asdus.map((a) => a.commonAddress))],
        informationObjectAddresses: [...new Set(asdus.flatMap((a) => a.objects.map((o) => o.address)))].slice(0, 64),
      },
    };
    return identity;
  },

  // Keys are tshark's (IEC 60870-5-104 dissector): type 0=I 1=S 3=U, utype = U control bits >> 2.
  fields(m) {
    // A malformed APDU shows only its length, as in tshark.
    if (m.malformed) return { 'iec60870_104.apdulen': m.malformed[1] };
    const f: Fields = {};
    const a = m.apci;
    if (a.format === 'I') {
      f['iec60870_104.type'] = 0;
      f['iec60870_104.tx'] = a.sendSequence;
      f['iec60870_104.rx'] = a.receiveSequence;
    } else if (a.format === 'S') {
      f['iec60870_104.type'] = 1;
      f['iec60870_104.rx'] = a.receiveSequence;
    } else {
      f['iec60870_104.type'] = 3;
      f['iec60870_104.utype'] = (a.control & 0xfc) >>> 2;
    }
    const s = m.asdu;
    if (s && s.headerOctets !== undefined) {
      // An ASDU cut inside its header: only the octets that arrived (101 §7.2: type, VSQ, COT, OA, CA).
      f['iec60870_asdu.typeid'] = s.typeId;
      f['iec60870_asdu.typeid_name'] = s.typeName;
      if (s.headerOctets >= 2) {
        f['iec60870_asdu.numix'] = s.count;
        f['iec60870_asdu.sq'] = s.sequence;
      }
      if (s.headerOctets >= 3) {
        f['iec60870_asdu.causetx'] = s.cause;
        f['iec60870_asdu.nega'] = s.negative;
        f['iec60870_asdu.test'] = s.test;
      }
      if (s.headerOctets >= 4) f['iec60870_asdu.oa'] = s.originatorAddress;
    } else if (s) {
      f['iec60870_asdu.typeid'] = s.typeId;
      f['iec60870_asdu.typeid_name'] = s.typeName;
      f['iec60870_asdu.causetx'] = s.cause;
      f['iec60870_asdu.nega'] = s.negative;
      f['iec60870_asdu.test'] = s.test;
      f['iec60870_asdu.oa'] = s.originatorAddress;
      f['iec60870_asdu.addr'] = s.commonAddress;
      f['iec60870_asdu.numix'] = s.count;
      f['iec60870_asdu.sq'] = s.sequence;
      f['iec60870_asdu.ioa'] = s.objects.map((o) => o.address);
    }
    return f;
  },

  // fields() restricted to what the traffic summary counts (Protocol.summaryFields).
  summaryFields(m) {
    if (m.malformed) return { 'iec60870_104.apdulen': m.malformed[1] };
    const a = m.apci;
    const f: Fields = { 'iec60870_104.type': a.format === 'I' ? 0 : a.format === 'S' ? 1 : 3 };
    if (a.format !== 'I' && a.format !== 'S') f['iec60870_104.utype'] = (a.control & 0xfc) >>> 2;
    const s = m.asdu;
    if (s) {
      f['iec60870_asdu.typeid'] = s.typeId;
      // An ASDU cut inside its header has a cause of transmission from its third octet on.
      if (s.headerOctets === undefined || s.headerOctets >= 3) f['iec60870_asdu.causetx'] = s.cause;
    }
    return f;
  },
  tally: iec104Tally,
};
