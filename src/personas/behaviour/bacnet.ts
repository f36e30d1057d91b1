// BACnet/IP device on UDP 47808: Who-Is → I-Am (ASHRAE 135 §16.10) and ReadProperty of the
// device object (§15.5), answered for the wildcard instance 4194303 too (§12.11.1), as
// nmap's bacnet-info and the scanner ask.
import {
  bacnet, errorResponse, iAm, identityRequests, readPropertyAck, whoIs, WILDCARD_DEVICE, type BacnetMessage, type BacnetValue,
} from '../../protocols/bacnet/index.ts';
import { render } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour } from './types.ts';

const DEVICE = 8;
const READ_PROPERTY = 12;
/** §21 error classes and codes. */
const ERROR = { object: 1, property: 2, services: 5, unknownObject: 31, unknownProperty: 32, serviceRequestDenied: 29 } as const;
/** Property identifiers answered besides the identity ones (§21 BACnetPropertyIdentifier). */
const OBJECT_IDENTIFIER = 75;
const OBJECT_TYPE = 79;
const SYSTEM_STATUS = 112;
const PROTOCOL_VERSION = 98;
const PROTOCOL_REVISION = 139;

export function instanceOf(device: Device): number {
  return Number(device.vars.instance);
}

function property(device: Device, id: number): BacnetValue | undefined {
  const s = device.persona.services.bacnet;
  if (!s) return undefined;
  const v = device.vars;
  switch (id) {
    case OBJECT_IDENTIFIER: return { objectType: DEVICE, instance: instanceOf(device) };
    case OBJECT_TYPE: return DEVICE;
    case 77: return render(s.objectName, v);
    case 121: return render(s.vendorName, v);
    case 120: return s.vendorId;
    case 70: return render(s.modelName, v);
    case 44: return render(s.firmwareRevision, v);
    case 12: return render(s.applicationSoftwareVersion, v);
    case 28: return s.description === undefined ? undefined : render(s.description, v);
    case 58: return s.location === undefined ? undefined : render(s.location, v);
    case SYSTEM_STATUS: return 0;
    case PROTOCOL_VERSION: return 1;
    case PROTOCOL_REVISION: return 14;
    default: return undefined;
  }
}

function answer(device: Device, request: BacnetMessage): BacnetMessage[] {
  const s = device.persona.services.bacnet;
  const apdu = request.apdu;
  if (!s || !apdu) return [];
  const instance = instanceOf(device);
  if (apdu.type === 1 && apdu.service === 8) {
    const range = apdu.parameters?.whoIs;
    const inRange = range?.low === undefined || range.high === undefined || (instance >= range.low && instance <= range.high);
    return inRange ? [iAm(instance, s.vendorId)] : [];
  }
  if (apdu.type !== 0 || apdu.invokeId === undefined) return [];
  if (apdu.service !== READ_PROPERTY) return [errorResponse(apdu.invokeId, apdu.service ?? 0, ERROR.services, ERROR.serviceRequestDenied)];
  const ref = apdu.parameters?.properties?.[0];
  const target = ref?.objectId;
  if (!ref || !target || target.objectType !== DEVICE || (target.instance !== instance && target.instance !== WILDCARD_DEVICE)) {
    return [errorResponse(apdu.invokeId, READ_PROPERTY, ERROR.object, ERROR.unknownObject)];
  }
  const value = property(device, ref.propertyId);
  if (value === undefined) return [errorResponse(apdu.invokeId, READ_PROPERTY, ERROR.property, ERROR.unknownProperty)];
  return [readPropertyAck(apdu.invokeId, { objectType: DEVICE, instance }, ref.propertyId, value)];
}

export const bacnetBehaviour: Behaviour<BacnetMessage> = {
  name: 'bacnet',
  protocol: bacnet,
  answer,
  probes: () => [whoIs(), ...identityRequests(WILDCARD_DEVICE)],
};
