// Requests the scanner sends, as nmap's bacnet-info does: Who-Is, then ReadProperty of the
// device object's identity properties (ASHRAE 135 §16.10, §15.5).
import { IDENTITY_PROPERTIES } from './catalog.ts';
import type { BacnetMessage } from './pdu.ts';
import { readPropertyRequestData } from './services.ts';

/** Device instance 4194303 is the wildcard every device answers to (§12.11.1). */
export const WILDCARD_DEVICE = 4_194_303;

export function whoIs(): BacnetMessage {
  return {
    anomalies: [],
    bvlc: { type: 0x81, function: 0x0b, functionName: 'Original-Broadcast-NPDU' },
    npdu: { version: 1, control: 0x00, expectingReply: false, priority: 0 },
    apdu: { type: 1, typeName: 'Unconfirmed-REQ', flags: 0, service: 8, serviceName: 'who-Is', serviceData: new Uint8Array(0) },
  };
}

export function readProperty(propertyId: number, invokeId: number, instance = WILDCARD_DEVICE, objectType = 8): BacnetMessage {
  return {
    anomalies: [],
    bvlc: { type: 0x81, function: 0x0a, functionName: 'Original-Unicast-NPDU' },
    npdu: { version: 1, control: 0x04, expectingReply: true, priority: 0 },
    apdu: {
      type: 0,
      typeName: 'Confirmed-REQ',
      flags: 0,
      maxSegmentsAndApdu: 0x05,
      invokeId: invokeId & 0xff,
      service: 12,
      serviceName: 'readProperty',
      serviceData: readPropertyRequestData({ objectType, instance }, propertyId),
    },
  };
}

/** One ReadProperty per identity property of the device object, invoke ids from 1. */
export function identityRequests(instance = WILDCARD_DEVICE): BacnetMessage[] {
  return Object.values(IDENTITY_PROPERTIES).map((p, i) => readProperty(p, i + 1, instance));
}
