// BACnet/IP on UDP 47808 (ASHRAE 135 Annex J) and BACnet NPDUs carried without BVLC (ISO 8802-2
// LLC, §7): BVLL, network layer, APDU header, and the services that identify a device.
import type { DeviceIdentity } from '../../model/index.ts';
import type { Fields, Protocol } from '../protocol.ts';
import { BVLC_FUNCTIONS, IDENTITY_PROPERTIES, VENDOR_IDS } from './catalog.ts';
import { BVLC_TYPE_BIP, encodeMessage, parseBvlc, type BacnetMessage } from './pdu.ts';
import type { BacnetValue } from './tags.ts';
import { bacnetTally } from './tally.ts';

export { countNpdu } from './tally.ts';

export type { BacnetMessage, Bvlc, Npdu, Apdu, NetworkAddress } from './pdu.ts';
export type { IAm, WhoIs, PropertyReference, ServiceParameters } from './services.ts';
export type { BacnetValue, ObjectId } from './tags.ts';
export { parseNpdu } from './pdu.ts';
export { readPropertyRequestData, iAmData, REINITIALIZE_STATES, ENABLE_DISABLE } from './services.ts';
export {
  APDU_TYPES, BVLC_FUNCTIONS, CONFIRMED_SERVICES, UNCONFIRMED_SERVICES, NETWORK_MESSAGES, OBJECT_TYPES, PROPERTIES, IDENTITY_PROPERTIES, VENDOR_IDS,
} from './catalog.ts';
export { errorResponse, iAm, identityRequests, readProperty, readPropertyAck, whoIs, WILDCARD_DEVICE } from './builders.ts';

/** ISO 8802-2 LLC service access point assigned to BACnet (§7.1): DSAP = SSAP = 0x82. */
export const BACNET_LLC_SAP = 0x82;

const DEVICE = 8;

function text(v: BacnetValue | undefined): string | undefined {
  if (v === undefined || v === null || v instanceof Uint8Array || typeof v === 'object') return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

export const bacnet: Protocol<BacnetMessage> = {
  name: 'bacnet',
  endpoints: [{ transport: 'udp', port: 47808 }],

  // BACnet/IP is UDP only (Annex J); BACnet/SC's WebSocket transport is another protocol.
  recognize(bytes, _direction, transport) {
    if (transport !== 'udp' || bytes.length === 0 || bytes[0] !== BVLC_TYPE_BIP) return false;
    if (bytes.length > 1 && !(bytes[1] in BVLC_FUNCTIONS)) return false;
    if (bytes.length < 4) return true;
    const length = (bytes[2] << 8) | bytes[3];
    if (length < 4) return false;
    return length === bytes.length;
  },

  parse(bytes) {
    return parseBvlc(bytes);
  },

  encode: encodeMessage,

  // What nmap's bacnet-info reports: the I-Am (device instance, vendor id) and the device
  // object's vendor-name, model-name, firmware-revision, application-software-version,
  // object-name, description and location read with ReadProperty.
  identify(messages) {
    const props = new Map<number, BacnetValue>();
    let instance: number | undefined;
    let vendorId: number | undefined;
    for (const m of messages) {
      const p = m.apdu?.parameters;
      if (p?.iAm) {
        instance = p.iAm.device.instance;
        vendorId = p.iAm.vendorId;
      }
      if (m.apdu?.type !== 3) continue;
      for (const ref of p?.properties ?? []) {
        if (ref.objectId?.objectType !== DEVICE || !ref.values?.length) continue;
        instance ??= ref.objectId.instance;
        props.set(ref.propertyId, ref.values[0]);
      }
    }
    const vid = props.get(IDENTITY_PROPERTIES.vendorIdentifier);
    if (typeof vid === 'number') vendorId = vid;
    if (instance === undefined && props.size === 0) return null;
    const P = IDENTITY_PROPERTIES;
    const identity: DeviceIdentity = {
      raw: {
        ...(instance !== undefined ? { deviceInstance: instance } : {}),
        ...(vendorId !== undefined ? { vendorId } : {}),
        ...(text(props.get(P.applicationSoftwareVersion)) ? { applicationSoftwareVersion: text(props.get(P.applicationSoftwareVersion)) } : {}),
        ...(text(props.get(P.description)) ? { description: text(props.get(P.description)) } : {}),
        ...(text(props.get(P.location)) ? { location: text(props.get(P.location)) } : {}),
      },
    };
    const set = (k: 'vendor' | 'product' | 'model' | 'firmware' | 'moduleName', v: string | undefined) => {
      if (v) identity[k] = v;
    };
    set('vendor', text(props.get(P.vendorName)) ?? (vendorId !== undefined ? VENDOR_IDS[vendorId] : undefined));
    set('model', text(props.get(P.modelName)));
    set('product', text(props.get(P.modelName)));
    set('firmware', text(props.get(P.firmwareRevision)));
    set('moduleName', text(props.get(P.objectName)));
    return identity;
  },

  // tshark's field names (BVLC, BACnet NPDU and BACapp dissectors).
  fields(m) {
    const f: Fields = {};
    if (m.bvlc) {
      f['bvlc.type'] = m.bvlc.type;
      f['bvlc.function'] = m.bvlc.function;
    }
    const n = m.npdu;
    if (n) {
      f['bacnet.version'] = n.version;
      f['bacnet.control'] = n.control;
      if (n.destination) f['bacnet.dnet'] = n.destination.network;
      if (n.source) f['bacnet.snet'] = n.source.network;
      if (n.hopCount !== undefined) f['bacnet.hopc'] = n.hopCount;
      if (n.networkMessage) {
        f['bacnet.mesgtyp'] = n.networkMessage.type;
        if (n.networkMessage.vendorId !== undefined) f['bacnet.vendor'] = n.networkMessage.vendorId;
      }
    }
    const a = m.apdu;
    if (a) {
      f['bacapp.type'] = a.type;
      if (a.invokeId !== undefined) f['bacapp.invoke_id'] = a.invokeId;
      if (a.service !== undefined) f[a.type === 1 ? 'bacapp.unconfirmed_service' : 'bacapp.confirmed_service'] = a.service;
      if (a.type === 6 && a.reason !== undefined) f['bacapp.reject_reason'] = a.reason;
      if (a.type === 7 && a.reason !== undefined) f['bacapp.abort_reason'] = a.reason;
      const p = a.parameters;
      if (p?.iAm) {
        f['bacapp.objectType'] = [p.iAm.device.objectType];
        f['bacapp.instance_number'] = [p.iAm.device.instance];
        f['bacapp.vendor_identifier'] = p.iAm.vendorId;
      }
      if (p?.whoIs?.low !== undefined) f['bacapp.who_is.low_limit'] = p.whoIs.low;
      if (p?.whoIs?.high !== undefined) f['bacapp.who_is.high_limit'] = p.whoIs.high;
      if (p?.properties) {
        f['bacapp.objectType'] = p.properties.map((r) => r.objectId?.objectType ?? -1);
        f['bacapp.instance_number'] = p.properties.map((r) => r.objectId?.instance ?? -1);
        f['bacapp.property_identifier'] = p.properties.map((r) => r.propertyId);
      }
      if (p?.priority !== undefined) f['bacapp.priority'] = p.priority;
      if (p?.reinitialize) f['bacapp.reinitialize_state'] = p.reinitialize.state;
      if (p?.communicationControl) f['bacapp.enable_disable'] = p.communicationControl.enableDisable;
      if (p?.reinitialize || p?.communicationControl) f['bacapp.password_present'] = (p.reinitialize ?? p.communicationControl)!.password;
      if (p?.error) {
        f['bacapp.error_class'] = p.error.errorClass;
        f['bacapp.error_code'] = p.error.errorCode;
      }
    }
    return f;
  },

  // fields() restricted to what the traffic summary counts (Protocol.summaryFields): the BVLC
  // function, the APDU type and service, and one field of the network layer (which tells a BACnet
  // frame without BVLC, over LLC or MS/TP, from a frame of nothing).
  summaryFields(m) {
    const f: Fields = {};
    if (m.bvlc) f['bvlc.function'] = m.bvlc.function;
    if (m.npdu) f['bacnet.version'] = m.npdu.version;
    const a = m.apdu;
    if (a) {
      f['bacapp.type'] = a.type;
      if (a.service !== undefined) f[a.type === 1 ? 'bacapp.unconfirmed_service' : 'bacapp.confirmed_service'] = a.service;
    }
    return f;
  },
  tally: bacnetTally,
};
