// Service parameters of the services identification needs (ASHRAE 135 §16.9–16.10 Who-Is /
// I-Am, §15.5 ReadProperty, §15.7 ReadPropertyMultiple, §18 Error). Others stay raw octets.
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import { nameOf, PROPERTIES, SEGMENTATION } from './catalog.ts';
import {
  applicationValue, objectId, objectIdBytes, readTag, unsigned, unsignedBytes, writeTag, type BacnetValue, type ObjectId, type Tag,
} from './tags.ts';

export interface IAm {
  device: ObjectId;
  maxApdu: number;
  segmentation: number;
  segmentationName: string;
  vendorId: number;
}

export interface WhoIs {
  low?: number;
  high?: number;
}

export interface PropertyReference {
  objectId?: ObjectId;
  propertyId: number;
  propertyName: string;
  arrayIndex?: number;
  /** Application-tagged values of an acknowledgement; constructed values are skipped. */
  values?: BacnetValue[];
  error?: { errorClass: number; errorCode: number };
}

/** §16.4.1.1 reinitializedStateOfDevice. */
export const REINITIALIZE_STATES = [
  'coldstart', 'warmstart', 'start-backup', 'end-backup', 'start-restore', 'end-restore', 'abort-restore', 'activate-changes',
] as const;
/** §16.1.1.1.2 enable-disable. */
export const ENABLE_DISABLE = ['enable', 'disable', 'disable-initiation'] as const;

export interface ServiceParameters {
  iAm?: IAm;
  whoIs?: WhoIs;
  /** ReadProperty(Multiple) references and answers; the one property a WriteProperty writes. */
  properties?: PropertyReference[];
  /** WriteProperty priority (1..16), when given. */
  priority?: number;
  error?: { errorClass: number; errorCode: number };
  /** ReinitializeDevice (§16.4): the state asked for; whether a password came with it (never kept). */
  reinitialize?: { state: number; stateName: string; password: boolean };
  /** DeviceCommunicationControl (§16.1): minutes (absent = indefinite), enable/disable, password presence. */
  communicationControl?: { durationMinutes?: number; enableDisable: number; name: string; password: boolean };
}

const MAX_VALUES = 1024;

function propertyRef(propertyId: number): PropertyReference {
  return { propertyId, propertyName: nameOf(PROPERTIES, propertyId) };
}

/** Decodes the parameters of the services above for this APDU type and service choice; others give {}. */
export function decodeService(apduType: number, service: number, data: Uint8Array, anomalies: string[]): ServiceParameters {
  const r = new ByteReader(data);
  const out: ServiceParameters = {};
  const ok = (() => {
    if (apduType === 1 && service === 0) return iAm(r, out);
    if (apduType === 1 && service === 8) return whoIs(r, out);
    if (apduType === 0 && service === 12) return readPropertyRequest(r, out);
    if (apduType === 3 && service === 12) return readPropertyAck(r, out);
    if (apduType === 0 && service === 14) return rpmRequest(r, out);
    if (apduType === 3 && service === 14) return rpmAck(r, out);
    if (apduType === 0 && service === 15) return writeProperty(r, out);
    if (apduType === 0 && service === 17) return communicationControl(r, out);
    if (apduType === 0 && service === 20) return reinitialize(r, out);
    if (apduType === 5) return errorPdu(r, out);
    return true;
  })();
  if (!ok) anomalies.push('service-parameters-malformed');
  return out;
}

function expect(r: ByteReader, number: number, context: boolean): Tag | undefined {
  const t = readTag(r);
  if (!t || t.number !== number || t.context !== context || t.opening || t.closing) return undefined;
  return t;
}

function optionalContext(r: ByteReader, number: number): Tag | undefined {
  const at = r.offset;
  const t = readTag(r);
  if (t && t.context && t.number === number && !t.opening && !t.closing) return t;
  r.offset = at;
  r.overrun = false;
  return undefined;
}

function iAm(r: ByteReader, out: ServiceParameters): boolean {
  const id = expect(r, 12, false);
  const max = expect(r, 2, false);
  const seg = expect(r, 9, false);
  const vendor = expect(r, 2, false);
  if (!id || !max || !seg || !vendor) return false;
  const segmentation = unsigned(seg.data);
  out.iAm = { device: objectId(id.data), maxApdu: unsigned(max.data), segmentation, segmentationName: nameOf(SEGMENTATION, segmentation), vendorId: unsigned(vendor.data) };
  return r.remaining === 0;
}

function whoIs(r: ByteReader, out: ServiceParameters): boolean {
  out.whoIs = {};
  if (r.remaining === 0) return true;
  const low = expect(r, 0, true);
  const high = expect(r, 1, true);
  if (!low || !high) return false;
  out.whoIs = { low: unsigned(low.data), high: unsigned(high.data) };
  return r.remaining === 0;
}

/** objectIdentifier [0], propertyIdentifier [1], propertyArrayIndex [2] OPTIONAL. */
function propertyReference(r: ByteReader): PropertyReference | null {
  const id = expect(r, 0, true);
  const prop = expect(r, 1, true);
  if (!id || !prop) return null;
  const ref: PropertyReference = { objectId: objectId(id.data), ...propertyRef(unsigned(prop.data)) };
  const index = optionalContext(r, 2);
  if (index) ref.arrayIndex = unsigned(index.data);
  return ref;
}

/** A property reference followed by propertyValue [3] (ReadProperty-ACK, WriteProperty). */
function propertyWithValues(r: ByteReader): PropertyReference | null {
  const ref = propertyReference(r);
  if (!ref) return null;
  const open = readTag(r);
  if (!open?.opening || open.number !== 3) return null;
  const values = readValues(r, 3);
  if (!values) return null;
  ref.values = values;
  return ref;
}

function readPropertyRequest(r: ByteReader, out: ServiceParameters): boolean {
  const ref = propertyReference(r);
  if (!ref) return false;
  out.properties = [ref];
  return r.remaining === 0;
}

function readPropertyAck(r: ByteReader, out: ServiceParameters): boolean {
  const ref = propertyWithValues(r);
  if (!ref) return false;
  out.properties = [ref];
  return r.remaining === 0;
}

/** Application values up to the closing tag `closing`; nested constructed data is stepped over. */
function readValues(r: ByteReader, closing: number): BacnetValue[] | undefined {
  const values: BacnetValue[] = [];
  let depth = 0;
  for (;;) {
    const t = readTag(r);
    if (!t) return undefined;
    if (t.opening) depth++;
    else if (t.closing) {
      if (depth === 0) return t.number === closing ? values : undefined;
      depth--;
    } else if (depth === 0 && !t.context && values.length < MAX_VALUES) values.push(applicationValue(t));
  }
}

function rpmRequest(r: ByteReader, out: ServiceParameters): boolean {
  const refs: PropertyReference[] = [];
  while (r.remaining > 0) {
    const id = expect(r, 0, true);
    const open = readTag(r);
    if (!id || !open?.opening || open.number !== 1) return false;
    const object = objectId(id.data);
    for (;;) {
      const t = readTag(r);
      if (!t) return false;
      if (t.closing && t.number === 1) break;
      if (!t.context || t.number !== 0 || refs.length >= MAX_VALUES) return false;
      const ref: PropertyReference = { objectId: object, ...propertyRef(unsigned(t.data)) };
      const index = optionalContext(r, 1);
      if (index) ref.arrayIndex = unsigned(index.data);
      refs.push(ref);
    }
  }
  out.properties = refs;
  return true;
}

function rpmAck(r: ByteReader, out: ServiceParameters): boolean {
  const refs: PropertyReference[] = [];
  while (r.remaining > 0) {
    const id = expect(r, 0, true);
    const open = readTag(r);
    if (!id || !open?.opening || open.number !== 1) return false;
    const object = objectId(id.data);
    for (;;) {
      const t = readTag(r);
      if (!t) return false;
      if (t.closing && t.number === 1) break;
      if (!t.context || t.number !== 2 || refs.length >= MAX_VALUES) return false;
      const ref: PropertyReference = { objectId: object, ...propertyRef(unsigned(t.data)) };
      const index = optionalContext(r, 3);
      if (index) ref.arrayIndex = unsigned(index.data);
      const result = readTag(r);
      if (!result?.opening) return false;
      if (result.number === 4) {
        const values = readValues(r, 4);
        if (!values) return false;
        ref.values = values;
      } else if (result.number === 5) {
        const cls = expect(r, 9, false);
        const code = expect(r, 9, false);
        const close = readTag(r);
        if (!cls || !code || !close?.closing) return false;
        ref.error = { errorClass: unsigned(cls.data), errorCode: unsigned(code.data) };
      } else return false;
      refs.push(ref);
    }
  }
  out.properties = refs;
  return true;
}

function writeProperty(r: ByteReader, out: ServiceParameters): boolean {
  const ref = propertyWithValues(r);
  if (!ref) return false;
  out.properties = [ref];
  const priority = optionalContext(r, 4);
  if (priority) out.priority = unsigned(priority.data);
  return r.remaining === 0;
}

function communicationControl(r: ByteReader, out: ServiceParameters): boolean {
  const duration = optionalContext(r, 0);
  const enable = expect(r, 1, true);
  if (!enable) return false;
  const password = optionalContext(r, 2);
  const enableDisable = unsigned(enable.data);
  out.communicationControl = {
    ...(duration ? { durationMinutes: unsigned(duration.data) } : {}),
    enableDisable,
    name: nameOf(ENABLE_DISABLE, enableDisable),
    password: password !== undefined,
  };
  return r.remaining === 0;
}

function reinitialize(r: ByteReader, out: ServiceParameters): boolean {
  const state = expect(r, 0, true);
  if (!state) return false;
  const password = optionalContext(r, 1);
  const value = unsigned(state.data);
  out.reinitialize = { state: value, stateName: nameOf(REINITIALIZE_STATES, value), password: password !== undefined };
  return r.remaining === 0;
}

function errorPdu(r: ByteReader, out: ServiceParameters): boolean {
  const cls = expect(r, 9, false);
  const code = expect(r, 9, false);
  if (!cls || !code) return true; // some services wrap the error in context tags; left raw
  out.error = { errorClass: unsigned(cls.data), errorCode: unsigned(code.data) };
  return true;
}

/** ReadProperty-Request service parameters (§15.5.1.1). */
export function readPropertyRequestData(object: ObjectId, propertyId: number, arrayIndex?: number): Uint8Array {
  const w = new ByteWriter(16);
  writeTag(w, 0, true, objectIdBytes(object));
  writeTag(w, 1, true, unsignedBytes(propertyId));
  if (arrayIndex !== undefined) writeTag(w, 2, true, unsignedBytes(arrayIndex));
  return w.finish();
}

/** I-Am-Request service parameters (§16.10.1), for personas. */
export function iAmData(a: Omit<IAm, 'segmentationName'>): Uint8Array {
  const w = new ByteWriter(16);
  writeTag(w, 12, false, objectIdBytes(a.device));
  writeTag(w, 2, false, unsignedBytes(a.maxApdu));
  writeTag(w, 9, false, unsignedBytes(a.segmentation));
  writeTag(w, 2, false, unsignedBytes(a.vendorId));
  return w.finish();
}
