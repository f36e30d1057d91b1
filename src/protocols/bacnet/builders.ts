// Requests the scanner sends, as nmap's bacnet-info does: Who-Is, then ReadProperty of the
// device object's identity properties (ASHRAE 135 §16.10, §15.5); and a persona's answers.
import { ByteWriter } from '../../wire/index.ts';
import { IDENTITY_PROPERTIES } from './catalog.ts';
import type { BacnetMessage } from './pdu.ts';
import { iAmData, readPropertyRequestData } from './services.ts';
import { objectIdBytes, unsignedBytes, writeTag, type BacnetValue, type ObjectId } from './tags.ts';

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

function unicast(apdu: BacnetMessage['apdu']): BacnetMessage {
  return {
    anomalies: [],
    bvlc: { type: 0x81, function: 0x0a, functionName: 'Original-Unicast-NPDU' },
    npdu: { version: 1, control: 0x00, expectingReply: false, priority: 0 },
    apdu,
  };
}

/** I-Am broadcast (§16.10): 1476-octet APDUs, no segmentation unless told otherwise. */
export function iAm(instance: number, vendorId: number, maxApdu = 1476, segmentation = 3): BacnetMessage {
  return {
    anomalies: [],
    bvlc: { type: 0x81, function: 0x0b, functionName: 'Original-Broadcast-NPDU' },
    npdu: { version: 1, control: 0x00, expectingReply: false, priority: 0 },
    apdu: {
      type: 1, typeName: 'Unconfirmed-REQ', flags: 0, service: 0, serviceName: 'i-Am',
      serviceData: iAmData({ device: { objectType: 8, instance }, maxApdu, segmentation, vendorId }),
    },
  };
}

/** §20.2: one application-tagged value; strings are character strings in UTF-8 (character set 0). */
function writeValue(w: ByteWriter, v: BacnetValue): void {
  if (v === null) w.u8(0x00);
  else if (typeof v === 'boolean') w.u8(0x10 | (v ? 1 : 0));
  else if (typeof v === 'number') writeTag(w, 2, false, unsignedBytes(v));
  else if (typeof v === 'string') writeTag(w, 7, false, [0, ...new TextEncoder().encode(v)]);
  else if (v instanceof Uint8Array) writeTag(w, 6, false, v);
  else writeTag(w, 12, false, objectIdBytes(v));
}

/** ReadProperty-ACK (§15.5.1.3) carrying one value. */
export function readPropertyAck(invokeId: number, object: ObjectId, propertyId: number, value: BacnetValue): BacnetMessage {
  const w = new ByteWriter(64);
  writeTag(w, 0, true, objectIdBytes(object));
  writeTag(w, 1, true, unsignedBytes(propertyId));
  w.u8(0x3e);
  writeValue(w, value);
  w.u8(0x3f);
  return unicast({ type: 3, typeName: 'ComplexACK', flags: 0, invokeId, service: 12, serviceName: 'readProperty', serviceData: w.finish() });
}

/** Error PDU (§18): error class property (2), code unknown-property (32) by default. */
export function errorResponse(invokeId: number, service: number, errorClass = 2, errorCode = 32): BacnetMessage {
  const w = new ByteWriter(8);
  writeTag(w, 9, false, unsignedBytes(errorClass));
  writeTag(w, 9, false, unsignedBytes(errorCode));
  return unicast({ type: 5, typeName: 'Error', flags: 0, invokeId, service, serviceData: w.finish() });
}
