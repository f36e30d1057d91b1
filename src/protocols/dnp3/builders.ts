// Frames the scanner sends to an outstation: a link status request (answered by any DNP3 link
// layer) and a READ of group 0 device attributes (IEEE 1815-2012 §A.1, variation 254 = all).
import type { Dnp3Message } from './index.ts';

const MASTER_CONTROL = { direction: true, primary: true, frameCountBit: false, frameCountValidOrDataFlowControl: false } as const;

export function requestLinkStatus(destination: number, source: number): Dnp3Message {
  return {
    anomalies: [],
    link: { length: 5, destination, source, control: { ...MASTER_CONTROL, function: 9, functionName: 'REQUEST_LINK_STATUS' } },
  };
}

/** READ with the given object headers (group, variation, qualifier 0x06 = all objects). */
export function readRequest(destination: number, source: number, objects: ReadonlyArray<readonly [number, number]>, sequence = 0): Dnp3Message {
  const objectBytes = new Uint8Array(objects.length * 3);
  objects.forEach(([g, v], i) => objectBytes.set([g, v, 0x06], i * 3));
  return {
    anomalies: [],
    link: { length: 0, destination, source, control: { ...MASTER_CONTROL, function: 4, functionName: 'UNCONFIRMED_USER_DATA' } },
    transport: { first: true, final: true, sequence: sequence & 0x3f },
    application: {
      control: { first: true, final: true, confirm: false, unsolicited: false, sequence: sequence & 0x0f },
      function: 1,
      functionName: 'READ',
      objects: [],
      objectBytes,
    },
  };
}

/** READ g0v254: every device attribute the outstation has (name, vendor, software version, …). */
export function readDeviceAttributes(destination: number, source: number, sequence = 0): Dnp3Message {
  return readRequest(destination, source, [[0, 254]], sequence);
}
