// APDUs the scanner sends, in the order nmap's iec-identify uses: TESTFR act, STARTDT act, then a
// station interrogation (C_IC_NA_1, QOI 20) to the broadcast common address 0xFFFF.
import type { Iec104Message } from './apdu.ts';

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
