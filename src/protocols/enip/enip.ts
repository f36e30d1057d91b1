// EtherNet/IP encapsulation (CIP Networks Library Vol 2 §2-3): a 24-octet little-endian header
// (command, length, session handle, status, sender context, options) and command-specific data,
// on TCP and UDP 44818. CIP explicit messages ride in the common packet format (Vol 2 §2-6).
import { ByteReader, ByteWriter, toHex } from '../../wire/index.ts';
import type { DeviceIdentity, Transport } from '../../model/index.ts';
import type { Direction, Fields, Message, Parsed, Protocol, Tally } from '../protocol.ts';
import { CIP_SC, CIP_SERVICE, className, countCipServices, decodeCip, decodeEpath, flattenCip, pathClass, serviceName, type CipMessage } from './cip.ts';
import { COMMAND_NAMES, DEVICE_TYPE_NAMES, GENERAL_STATUS_NAMES, IDENTITY_STATE_NAMES, ITEM, ITEM_NAMES, KNOWN_COMMAND, VENDOR_NAMES, nameOf } from './names.ts';
import { HEADER_SIZE, MAX_ITEMS, MAX_LENGTH } from './layout.ts';
import { enipTally } from './tally.ts';

export { ITEM } from './names.ts';

export interface CpfItem {
  typeId: number;
  data: Uint8Array;
}

export type EnipBody =
  | { kind: 'empty' }
  /** ListIdentity / ListServices / ListInterfaces replies: a CPF item list. */
  | { kind: 'items'; items: CpfItem[] }
  | { kind: 'register-session'; protocolVersion: number; optionFlags: number }
  /** SendRRData / SendUnitData: interface handle, timeout and a CPF item list. */
  | { kind: 'send-data'; interfaceHandle: number; timeout: number; items: CpfItem[] }
  | { kind: 'raw'; data: Uint8Array };

export interface EnipMessage extends Message {
  direction: Direction;
  command: number;
  sessionHandle: number;
  status: number;
  senderContext: Uint8Array;
  options: number;
  body: EnipBody;
}

/** ListIdentity reply item (Vol 2 Table 2-4.4). */
export interface IdentityItem {
  protocolVersion: number;
  socketAddress: { family: number; port: number; address: string };
  vendorId: number;
  deviceType: number;
  productCode: number;
  revision: { major: number; minor: number };
  status: number;
  serialNumber: number;
  productName: string;
  state: number;
}

/** Items of no data (the null address item of every SendRRData) share one empty view. */
const NO_DATA = new Uint8Array(0);

/** Vol 2 §2-6.1: item count, then type id, length and data per item (as ByteReader.list would refuse counts). */
function cpf(r: ByteReader): CpfItem[] {
  const count = r.u16le();
  if (count > MAX_ITEMS || count * 4 > r.remaining) {
    r.overrun = true;
    return [];
  }
  // Sized up front: an array grown by push from empty reserves 16 slots for the usual two items.
  // A short read leaves it unfinished, but then the overrun makes the whole body raw.
  const out = new Array<CpfItem>(count);
  for (let i = 0; i < count && !r.overrun; i++) {
    const typeId = r.u16le();
    const length = r.u16le();
    if (length > r.remaining) r.has(length);
    out[i] = { typeId, data: length === 0 && !r.overrun ? NO_DATA : r.bytesView(length) };
  }
  return out;
}

/**
 * The command-specific data: the rest of `r` (a reader bounded to the PDU, past its header). No
 * view of it is made unless it is kept raw; an anomaly is pushed when it does not decode.
 */
function decodeBody(command: number, r: ByteReader, anomalies: string[]): EnipBody {
  const start = r.offset;
  const length = r.remaining;
  if (length === 0) return { kind: 'empty' };
  let body: EnipBody;
  if (command === 0x0063 || command === 0x0004 || command === 0x0064) body = { kind: 'items', items: cpf(r) };
  else if (command === 0x0065 && length === 4) body = { kind: 'register-session', protocolVersion: r.u16le(), optionFlags: r.u16le() };
  else if (command === 0x006f || command === 0x0070) {
    const interfaceHandle = r.u32le();
    const timeout = r.u16le();
    body = { kind: 'send-data', interfaceHandle, timeout, items: cpf(r) };
  } else return { kind: 'raw', data: r.bytes.subarray(start, start + length) };
  if (r.overrun || r.remaining) {
    anomalies.push('malformed-command-data');
    return { kind: 'raw', data: r.bytes.subarray(start, start + length) };
  }
  return body;
}

function parse(bytes: Uint8Array, direction: Direction): Parsed<EnipMessage> {
  if (bytes.length >= 2 && KNOWN_COMMAND[bytes[0] | (bytes[1] << 8)] === 0) return { kind: 'not-mine' };
  if (bytes.length < HEADER_SIZE) return { kind: 'incomplete', needed: HEADER_SIZE };
  const command = bytes[0] | (bytes[1] << 8);
  const length = bytes[2] | (bytes[3] << 8);
  if (length > MAX_LENGTH) return { kind: 'not-mine' };
  const total = HEADER_SIZE + length;
  if (bytes.length < total) return { kind: 'incomplete', needed: total };
  const r = new ByteReader(bytes, 4, total);
  const sessionHandle = r.u32le();
  const status = r.u32le();
  const senderContext = r.bytesView(8);
  const options = r.u32le();
  const anomalies: string[] = [];
  const body = decodeBody(command, r, anomalies);
  // Vol 2 §2-3.6: the options field is zero; a receiver discards packets where it is not.
  if (options !== 0) anomalies.push('nonzero-options');
  return { kind: 'done', message: { anomalies, direction, command, sessionHandle, status, senderContext, options, body }, consumed: total };
}

function writeItems(w: ByteWriter, items: readonly CpfItem[]): void {
  w.u16le(items.length);
  for (const it of items) w.u16le(it.typeId).u16le(it.data.length).bytes(it.data);
}

function encode(m: EnipMessage): Uint8Array {
  const w = new ByteWriter(64);
  w.u16le(m.command).u16le(0).u32le(m.sessionHandle).u32le(m.status);
  w.bytes(m.senderContext.length === 8 ? m.senderContext : new Uint8Array(8)).u32le(m.options);
  const b = m.body;
  if (b.kind === 'items') writeItems(w, b.items);
  else if (b.kind === 'register-session') w.u16le(b.protocolVersion).u16le(b.optionFlags);
  else if (b.kind === 'send-data') {
    w.u32le(b.interfaceHandle).u16le(b.timeout);
    writeItems(w, b.items);
  } else if (b.kind === 'raw') w.bytes(b.data);
  w.patchU16le(2, w.length - HEADER_SIZE);
  return w.finish();
}

/** Every command code is below 0x100, so its first (low) octet already tells. */
const COMMAND_LOW_BYTES = new Set(Object.keys(COMMAND_NAMES).map((c) => Number(c) & 0xff));

/** A known command; from 24 octets on also a sane options field and a length fitting the command. */
function recognize(bytes: Uint8Array, _direction: Direction, _transport: Transport): boolean {
  if (bytes.length < 2) return bytes.length === 0 || COMMAND_LOW_BYTES.has(bytes[0]);
  const command = (bytes[1] << 8) | bytes[0];
  if (!(command in COMMAND_NAMES)) return false;
  if (bytes.length < HEADER_SIZE) return true;
  const r = new ByteReader(bytes);
  r.skip(2);
  const length = r.u16le();
  r.skip(16);
  const options = r.u32le();
  if (options !== 0 || length > MAX_LENGTH) return false;
  if (command === 0x0065) return length === 4;
  if (command === 0x006f || command === 0x0070) return length >= 8;
  return true;
}

export function decodeIdentityItem(data: Uint8Array): IdentityItem | null {
  const r = new ByteReader(data);
  const protocolVersion = r.u16le();
  const family = r.u16be();
  const port = r.u16be();
  const a = r.bytesView(4);
  r.skip(8);
  const identity = readIdentity(r);
  const state = r.u8();
  if (r.overrun) return null;
  return { protocolVersion, socketAddress: { family, port, address: Array.from(a).join('.') }, ...identity, state };
}

export function encodeIdentityItem(id: IdentityItem): Uint8Array {
  const w = new ByteWriter(64);
  w.u16le(id.protocolVersion).u16be(id.socketAddress.family).u16be(id.socketAddress.port);
  for (const part of id.socketAddress.address.split('.').slice(0, 4)) w.u8(Number(part) || 0);
  w.bytes(new Uint8Array(8)).u16le(id.vendorId).u16le(id.deviceType).u16le(id.productCode);
  w.u8(id.revision.major).u8(id.revision.minor).u16le(id.status).u32le(id.serialNumber);
  w.u8(id.productName.length).ascii(id.productName).u8(id.state);
  return w.finish();
}

function items(m: EnipMessage): CpfItem[] {
  return m.body.kind === 'items' || m.body.kind === 'send-data' ? m.body.items : [];
}

/** The CIP messages a SendRRData / SendUnitData carries, with every embedded request flattened. */
export function cipMessages(m: EnipMessage): CipMessage[] {
  const out: CipMessage[] = [];
  for (const it of items(m)) {
    let data: Uint8Array | undefined;
    if (it.typeId === ITEM.unconnectedData) data = it.data;
    // Connected data items start with a 16-bit sequence count (Vol 2 §2-6.3.2).
    else if (it.typeId === ITEM.connectedData && it.data.length > 2) data = it.data.subarray(2);
    const cip = data ? decodeCip(data) : null;
    if (cip) out.push(...flattenCip(cip));
  }
  return out;
}

function fields(m: EnipMessage): Fields {
  const f: Fields = {
    'enip.command': m.command,
    'enip.command_name': nameOf(COMMAND_NAMES, m.command),
    'enip.session': m.sessionHandle,
    'enip.status': m.status,
    'enip.context': toHex(m.senderContext),
    'enip.options': m.options,
  };
  if (m.body.kind === 'register-session') f['enip.rs.version'] = m.body.protocolVersion;
  const list = items(m);
  if (m.body.kind === 'items' || m.body.kind === 'send-data') {
    f['enip.cpf.itemcount'] = list.length;
    f['enip.cpf.typeid'] = list.map((i) => i.typeId);
    f['enip.cpf.typeid_name'] = list.map((i) => nameOf(ITEM_NAMES, i.typeId));
  }
  const identity = list.find((i) => i.typeId === ITEM.listIdentity);
  const id = identity ? decodeIdentityItem(identity.data) : null;
  if (id) {
    f['enip.lir.vendor'] = id.vendorId;
    f['enip.lir.devtype'] = id.deviceType;
    f['enip.lir.prodcode'] = id.productCode;
    f['enip.lir.revision'] = `${id.revision.major}.${id.revision.minor}`;
    f['enip.lir.status'] = id.status;
    f['enip.lir.serial'] = id.serialNumber;
    f['enip.lir.name'] = id.productName;
    f['enip.lir.state'] = id.state;
  }
  const services = list.find((i) => i.typeId === ITEM.listServices);
  if (services && services.data.length >= 20) f['enip.lsr.servicename'] = new ByteReader(services.data, 4).ascii(16);

  const cip = cipMessages(m);
  if (cip.length) {
    f['cip.service'] = cip.map((c) => (c.kind === 'response' ? c.service | 0x80 : c.service));
    f['cip.sc'] = cip.map((c) => c.service);
    f['cip.rr'] = cip.map((c) => (c.kind === 'response' ? 1 : 0));
    const classes: number[] = [];
    const instances: number[] = [];
    const attributes: number[] = [];
    const symbols: string[] = [];
    const names: string[] = [];
    for (const c of cip) {
      let cls: number | undefined;
      if (c.kind === 'request') {
        for (const seg of decodeEpath(c.path)) {
          if (seg.type === 'class') {
            cls ??= seg.value;
            classes.push(seg.value);
          } else if (seg.type === 'instance') instances.push(seg.value);
          else if (seg.type === 'attribute') attributes.push(seg.value);
          else if (seg.type === 'symbol') symbols.push(seg.name);
        }
      }
      names.push(serviceName(c.service, cls));
    }
    f['cip.service_name'] = names;
    if (classes.length) {
      f['cip.class'] = classes;
      f['cip.class_name'] = classes.map(className);
    }
    if (instances.length) f['cip.instance'] = instances;
    if (attributes.length) f['cip.attribute'] = attributes;
    if (symbols.length) f['cip.symbol'] = symbols;
    const responses = cip.filter((c) => c.kind === 'response');
    if (responses.length) {
      f['cip.genstat'] = responses.map((c) => c.generalStatus);
      f['cip.genstat_name'] = responses.map((c) => nameOf(GENERAL_STATUS_NAMES, c.generalStatus));
    }
  }
  return f;
}

/**
 * CIP service codes gathered for summaryFields in scratch lists, copied at their exact size (most
 * messages carry one service); the lists are emptied only now and then, as emptying one also drops
 * its storage.
 */
const scratch = {
  service: [] as number[],
  sc: [] as number[],
  own: false,
  flawed: false,
  add(field: number, value: number): void {
    if (field === CIP_SERVICE) this.service.push(value);
    else if (field === CIP_SC) this.sc.push(value);
  },
  // The ENIP tally counts no text fields.
  addText(): void {},
} satisfies Tally & { service: number[]; sc: number[] };

/** fields() restricted to what the traffic summary counts (Protocol.summaryFields). */
function summaryFields(m: EnipMessage): Fields {
  const f: Fields = { 'enip.command': m.command };
  if (m.body.kind !== 'items' && m.body.kind !== 'send-data') return f;
  const list = m.body.items;
  const { service, sc } = scratch;
  if (service.length > 4096) {
    service.length = 0;
    sc.length = 0;
  }
  const from = service.length;
  for (let i = 0; i < list.length; i++) {
    const it = list[i];
    if (it.typeId === ITEM.unconnectedData) countCipServices(it.data, 0, it.data.length, 0, scratch);
    else if (it.typeId === ITEM.connectedData && it.data.length > 2) countCipServices(it.data, 2, it.data.length, 0, scratch);
  }
  if (service.length > from) {
    f['cip.service'] = service.slice(from);
    f['cip.sc'] = sc.slice(from);
  }
  return f;
}

/** The Identity object's attributes 1–7 (and 8, state) as a Get_Attributes_All reply carries them (Vol 1 §5-2). */
export function decodeIdentityAttributes(data: Uint8Array): Omit<IdentityItem, 'protocolVersion' | 'socketAddress'> | null {
  const r = new ByteReader(data);
  const identity = readIdentity(r);
  if (r.overrun) return null;
  const state = r.remaining ? r.u8() : 255;
  return { ...identity, state };
}

/** Vendor ID through Product Name, in the order both ListIdentity and the Identity object give them. */
function readIdentity(r: ByteReader): Omit<IdentityItem, 'protocolVersion' | 'socketAddress' | 'state'> {
  const vendorId = r.u16le();
  const deviceType = r.u16le();
  const productCode = r.u16le();
  const major = r.u8();
  const minor = r.u8();
  const status = r.u16le();
  const serialNumber = r.u32le();
  const productName = r.ascii(r.u8());
  return { vendorId, deviceType, productCode, revision: { major, minor }, status, serialNumber, productName };
}

function toIdentity(id: Omit<IdentityItem, 'protocolVersion' | 'socketAddress'>, socketAddress?: IdentityItem['socketAddress']): DeviceIdentity {
  const identity: DeviceIdentity = {
    vendor: VENDOR_NAMES[id.vendorId] ?? `CIP vendor ${id.vendorId}`,
    firmware: `${id.revision.major}.${id.revision.minor}`,
    serial: id.serialNumber.toString(16).padStart(8, '0'),
    raw: {
      vendorId: id.vendorId,
      deviceType: id.deviceType,
      deviceTypeName: DEVICE_TYPE_NAMES[id.deviceType] ?? 'unknown',
      productCode: id.productCode,
      status: id.status,
      state: id.state,
      stateName: IDENTITY_STATE_NAMES[id.state] ?? 'unknown',
    },
  };
  if (id.productName) {
    identity.product = id.productName;
    identity.model = id.productName;
  }
  if (socketAddress && identity.raw) identity.raw.socketAddress = `${socketAddress.address}:${socketAddress.port}`;
  // Rockwell product names start with the catalogue number: "1756-L61/B LOGIX5561".
  const catalog = /^(\d{4}-[A-Z0-9/]+)/.exec(id.productName);
  if (id.vendorId === 1 && catalog) identity.orderNumber = catalog[1];
  return identity;
}

/**
 * From a ListIdentity reply, or else from a Get_Attributes_All reply that follows a request to
 * the Identity object (class 1) on the same flow, as engineering tools send when going online.
 */
function identify(messages: readonly EnipMessage[]): DeviceIdentity | null {
  for (const m of messages) {
    const item = items(m).find((i) => i.typeId === ITEM.listIdentity);
    const id = item ? decodeIdentityItem(item.data) : null;
    if (id) return toIdentity(id, id.socketAddress);
  }
  let asked = false;
  for (const m of messages) {
    for (const c of cipMessages(m)) {
      if (c.kind === 'request') {
        if (c.service === 0x01) asked = pathClass(c.path) === 0x01;
      } else if (asked && c.service === 0x01 && c.generalStatus === 0) {
        const attrs = decodeIdentityAttributes(c.data);
        if (attrs) return toIdentity(attrs);
      }
    }
  }
  return null;
}

export const enip: Protocol<EnipMessage> = {
  name: 'enip',
  endpoints: [
    { transport: 'tcp', port: 44818 },
    { transport: 'udp', port: 44818 },
  ],
  recognize,
  parse: (bytes, direction) => parse(bytes, direction),
  encode,
  identify,
  fields,
  summaryFields,
  tally: enipTally,
};
