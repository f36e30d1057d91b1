// Frames the scanner sends to an outstation: a link status request (answered by any DNP3 link
// layer) and a READ of group 0 device attributes (IEEE 1815-2012 §A.1, variation 254 = all);
// and the outstation's answers a persona gives.
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

const SECONDARY_CONTROL = { direction: false, primary: false, frameCountBit: false, frameCountValidOrDataFlowControl: false } as const;

/** LINK_STATUS, the secondary answer to REQUEST_LINK_STATUS (§9.2.5.3.3). */
export function linkStatus(destination: number, source: number): Dnp3Message {
  return {
    anomalies: [],
    link: { length: 5, destination, source, control: { ...SECONDARY_CONTROL, function: 11, functionName: 'LINK_STATUS' } },
  };
}

/**
 * RESPONSE carrying group 0 device attributes (§A.1): one header per variation, qualifier 0x00
 * (8-bit start = stop = variation), data type 1 (VSTR) for text and 2 (UINT) for numbers.
 */
export function deviceAttributesResponse(
  destination: number, source: number, attributes: ReadonlyArray<readonly [number, string | number]>, sequence = 0,
): Dnp3Message {
  const out: number[] = [];
  for (const [variation, value] of attributes) {
    out.push(0x00, variation & 0xff, 0x00, variation & 0xff, variation & 0xff);
    if (typeof value === 'number') out.push(0x02, 4, value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
    else {
      const text = [...new TextEncoder().encode(value)].slice(0, 255);
      out.push(0x01, text.length, ...text);
    }
  }
  return {
    anomalies: [],
    link: { length: 0, destination, source, control: { ...SECONDARY_CONTROL, primary: true, function: 4, functionName: 'UNCONFIRMED_USER_DATA' } },
    transport: { first: true, final: true, sequence: sequence & 0x3f },
    application: {
      control: { first: true, final: true, confirm: false, unsolicited: false, sequence: sequence & 0x0f },
      function: 129,
      functionName: 'RESPONSE',
      iin: 0,
      objects: [],
      objectBytes: new Uint8Array(out),
    },
  };
}
