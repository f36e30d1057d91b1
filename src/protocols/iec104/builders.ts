// APDUs the scanner sends, in the order nmap's iec-identify uses: TESTFR act, STARTDT act, then a
// station interrogation (C_IC_NA_1, QOI 20) to the broadcast common address 0xFFFF; and the
// station's answers a persona gives.
import type { Asdu, Iec104Message } from './apdu.ts';
import { CAUSES, type UFunction } from './type-ids.ts';

export function testFrameActivation(): Iec104Message {
  return { anomalies: [], apci: { format: 'U', function: 'TESTFR act', control: 0x43 } };
}

export function startDataTransferActivation(): Iec104Message {
  return { anomalies: [], apci: { format: 'U', function: 'STARTDT act', control: 0x07 } };
}

/** IEC 60870-5-101 §7.3.4.1 C_IC_NA_1 with QOI 20 (station interrogation). */
export function stationInterrogation(commonAddress = 0xffff, sendSequence = 0, receiveSequence = 0): Iec104Message {
  return {
    anomalies: [],
    apci: { format: 'I', sendSequence, receiveSequence },
    asdu: {
      typeId: 100,
      typeName: 'C_IC_NA_1',
      sequence: false,
      count: 1,
      cause: 6,
      causeName: 'activation',
      negative: false,
      test: false,
      originatorAddress: 0,
      commonAddress,
      objects: [{ address: 0, value: 20 }],
    },
  };
}

const CONFIRMATIONS: Partial<Record<UFunction, UFunction>> = {
  'STARTDT act': 'STARTDT con',
  'STOPDT act': 'STOPDT con',
  'TESTFR act': 'TESTFR con',
};
const U_CONTROL: Record<UFunction, number> = {
  'STARTDT act': 0x07, 'STARTDT con': 0x0b, 'STOPDT act': 0x13, 'STOPDT con': 0x23, 'TESTFR act': 0x43, 'TESTFR con': 0x83,
};

/** §5.3: the confirmation of a U-format activation, or undefined for anything else. */
export function uConfirmation(request: Iec104Message): Iec104Message | undefined {
  if (request.apci.format !== 'U' || request.apci.function === 'invalid') return undefined;
  const fn = CONFIRMATIONS[request.apci.function];
  return fn ? { anomalies: [], apci: { format: 'U', function: fn, control: U_CONTROL[fn] } } : undefined;
}

/** The request's ASDU sent back with another cause: 7 activation confirmation, 10 termination (101 §7.4). */
export function mirror(request: Asdu, cause: 7 | 10, sendSequence: number, receiveSequence: number, commonAddress = request.commonAddress): Iec104Message {
  return {
    anomalies: [],
    apci: { format: 'I', sendSequence, receiveSequence },
    asdu: { ...request, commonAddress, cause, causeName: CAUSES[cause], objects: request.objects.map((o) => ({ ...o })) },
  };
}

/** M_SP_NA_1 single points answering a station interrogation (cause 20), one object per address. */
export function singlePoints(commonAddress: number, points: ReadonlyArray<readonly [number, 0 | 1]>, sendSequence: number, receiveSequence: number): Iec104Message {
  return {
    anomalies: [],
    apci: { format: 'I', sendSequence, receiveSequence },
    asdu: {
      typeId: 1, typeName: 'M_SP_NA_1', sequence: false, count: points.length, cause: 20, causeName: CAUSES[20],
      negative: false, test: false, originatorAddress: 0, commonAddress,
      objects: points.map(([address, value]) => ({ address, value, quality: 0 })),
    },
  };
}
