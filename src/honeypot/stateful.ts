// Where the honeypot answers differently from the twin: requests that read or change state
// (Modbus writes, S7 stop/start, data blocks and block lists, MQTT retained topics). Anything
// not handled here goes to the persona's own behaviour, so identification answers stay exactly
// the twin's (and the nmap tests of both cover them).
import { BEHAVIOURS, type Conversation, type Device, type ProtocolName } from '../personas/index.ts';
import { exceptionResponse, type ModbusMessage } from '../protocols/modbus/index.ts';
import { szlResponse, type S7commMessage, type S7Data, type S7DataItem } from '../protocols/s7comm/index.ts';
import { publish, topicMatches, type MqttMessage } from '../protocols/mqtt/index.ts';
import type { Message } from '../protocols/index.ts';
import { singlePoints, type Iec104Message } from '../protocols/iec104/index.ts';
import { deviceAttributesResponse, type Dnp3Message } from '../protocols/dnp3/index.ts';
import type { EnipMessage } from '../protocols/enip/index.ts';
import { render, versionParts } from '../personas/index.ts';
import { errorResponse, readPropertyAck, WILDCARD_DEVICE, type BacnetMessage } from '../protocols/bacnet/index.ts';
import { ByteWriter } from '../wire/index.ts';
import { baseRegister, MAX_RETAINED, MAX_RETAINED_BYTES, MAX_S7_AREAS, MAX_WRITTEN, S7_AREA_BYTES, setBounded, type HoneypotState } from './state.ts';

/** Modbus §6.3 / §6.1 / §6.12 quantity limits. */
const MAX_REGISTERS = 125;
const MAX_BITS = 2000;
const MAX_WRITE_REGISTERS = 123;
const DATA_SIZE = 10_000;

function modbusReply(request: ModbusMessage, pdu: ModbusMessage['pdu']): ModbusMessage {
  return { anomalies: [], direction: 'to-client', transactionId: request.transactionId, unitId: request.unitId, function: { ...request.function }, pdu };
}

function modbus(device: Device, state: HoneypotState, request: ModbusMessage): ModbusMessage[] | undefined {
  const code = request.function.code;
  const pdu = request.pdu;
  const out = (addr: number, n: number) => addr + n > DATA_SIZE;
  if ((code === 3 || code === 4) && pdu.kind === 'read-request') {
    if (pdu.quantity < 1 || pdu.quantity > MAX_REGISTERS) return [exceptionResponse(request, 3)];
    if (out(pdu.address, pdu.quantity)) return [exceptionResponse(request, 2)];
    const values = Array.from({ length: pdu.quantity }, (_, i) => {
      const a = pdu.address + i;
      return (code === 3 ? state.holding.get(a) : undefined) ?? baseRegister(device, code, a);
    });
    return [modbusReply(request, { kind: 'registers', values })];
  }
  if ((code === 1 || code === 2) && pdu.kind === 'read-request') {
    if (pdu.quantity < 1 || pdu.quantity > MAX_BITS) return [exceptionResponse(request, 3)];
    if (out(pdu.address, pdu.quantity)) return [exceptionResponse(request, 2)];
    const values = new Uint8Array(Math.ceil(pdu.quantity / 8));
    for (let i = 0; i < pdu.quantity; i++) {
      const a = pdu.address + i;
      const bit = (code === 1 ? state.coils.get(a) : undefined) ?? baseRegister(device, code, a) & 1;
      if (bit) values[i >> 3] |= 1 << (i & 7);
    }
    return [modbusReply(request, { kind: 'bits', values })];
  }
  if (code === 6 && pdu.kind === 'write-single') {
    if (out(pdu.address, 1)) return [exceptionResponse(request, 2)];
    setBounded(state.holding, pdu.address, pdu.value & 0xffff, MAX_WRITTEN);
    state.eventCounter = (state.eventCounter + 1) & 0xffff;
    return [modbusReply(request, { kind: 'write-single', address: pdu.address, value: pdu.value })];
  }
  if (code === 5 && pdu.kind === 'write-single') {
    // §6.5: only 0xFF00 (ON) and 0x0000 (OFF) are legal output values.
    if (pdu.value !== 0xff00 && pdu.value !== 0) return [exceptionResponse(request, 3)];
    if (out(pdu.address, 1)) return [exceptionResponse(request, 2)];
    setBounded(state.coils, pdu.address, pdu.value ? 1 : 0, MAX_WRITTEN);
    state.eventCounter = (state.eventCounter + 1) & 0xffff;
    return [modbusReply(request, { kind: 'write-single', address: pdu.address, value: pdu.value })];
  }
  if (code === 16 && pdu.kind === 'write-multiple-registers') {
    if (pdu.quantity < 1 || pdu.quantity > MAX_WRITE_REGISTERS || pdu.values.length !== pdu.quantity) return [exceptionResponse(request, 3)];
    if (out(pdu.address, pdu.quantity)) return [exceptionResponse(request, 2)];
    pdu.values.forEach((v, i) => setBounded(state.holding, pdu.address + i, v & 0xffff, MAX_WRITTEN));
    state.eventCounter = (state.eventCounter + 1) & 0xffff;
    return [modbusReply(request, { kind: 'write-multiple-response', address: pdu.address, quantity: pdu.quantity })];
  }
  if (code === 15 && pdu.kind === 'write-multiple-coils') {
    if (pdu.quantity < 1 || pdu.quantity > 1968 || pdu.values.length < Math.ceil(pdu.quantity / 8)) return [exceptionResponse(request, 3)];
    if (out(pdu.address, pdu.quantity)) return [exceptionResponse(request, 2)];
    for (let i = 0; i < pdu.quantity; i++) setBounded(state.coils, pdu.address + i, (pdu.values[i >> 3] >> (i & 7)) & 1, MAX_WRITTEN);
    state.eventCounter = (state.eventCounter + 1) & 0xffff;
    return [modbusReply(request, { kind: 'write-multiple-response', address: pdu.address, quantity: pdu.quantity })];
  }
  if (code === 11 && pdu.kind === 'empty') return [modbusReply(request, { kind: 'comm-event-counter', status: 0, eventCount: state.eventCounter })];
  return undefined;
}

const DT = { name: 'DT', pduType: 0xf0, eot: true, tpduNumber: 0 } as const;
/** Block type codes of the S7 block list (as Wireshark's s7comm dissector names them). */
const BLOCK_TYPES = [0x38, 0x41, 0x43, 0x45, 0x42, 0x44, 0x46] as const; // OB DB FC FB SDB SFC SFB
const AREA_DB = 0x84;

function ackData(request: S7commMessage, param: NonNullable<S7commMessage['s7']>['param'], data: S7Data, error = { errorClass: 0, errorCode: 0 }): S7commMessage {
  return { anomalies: [], direction: 'to-client', cotp: { ...DT }, s7: { rosctr: 3, redundancyId: 0, pduRef: request.s7?.pduRef ?? 0, error, param, data } };
}

function userdata(request: S7commMessage, group: number, subfunction: number, payload: Uint8Array): S7commMessage {
  const p = request.s7?.param;
  const base = szlResponse(request, { id: 0, index: 0, recordLength: 0, records: [] });
  const s7 = base.s7!;
  return {
    ...base,
    s7: {
      ...s7,
      param: { ...(s7.param as Extract<typeof s7.param, { kind: 'userdata' }>), group, subfunction, sequence: p?.kind === 'userdata' ? p.sequence : 0 },
      data: { kind: 'userdata', returnCode: 0xff, transportSize: 9, payload },
    },
  };
}

function s7(device: Device, state: HoneypotState, request: S7commMessage): S7commMessage[] | undefined {
  const pdu = request.s7;
  if (!pdu) return undefined;
  const p = pdu.param;
  if (pdu.rosctr === 7 && p.kind === 'userdata' && pdu.data.kind === 'userdata') {
    const payload = pdu.data.payload;
    // SZL 0x0424 (mode transition): byte 3 of the record is the current mode, 0x08 RUN, 0x04 STOP.
    if (p.group === 4 && p.subfunction === 1 && payload.length >= 4 && (((payload[0] << 8) | payload[1]) & 0xff) === 0x24) {
      const record = new Uint8Array(20);
      record.set([0x51, state.cpu === 'run' ? 0x44 : 0x42, 0xff, state.cpu === 'run' ? 0x08 : 0x04]);
      return [szlResponse(request, { id: 0x0424, index: 0, recordLength: 20, records: [record] })];
    }
    // Block functions, list blocks: (0x30, type, count) per block type.
    if (p.group === 3 && p.subfunction === 1) {
      const w = new ByteWriter(BLOCK_TYPES.length * 4);
      const counts: Record<number, number> = { 0x38: 3, 0x41: state.dataBlocks.length, 0x43: 4 + (state.dataBlocks.length % 5), 0x45: 2, 0x42: 5, 0x44: 38, 0x46: 24 };
      for (const t of BLOCK_TYPES) w.u8(0x30).u8(t).u16be(counts[t]);
      return [userdata(request, 3, 1, w.finish())];
    }
    return undefined;
  }
  if (pdu.rosctr !== 1) return undefined;
  if (p.kind === 'function') {
    if (p.function === 0x29) {
      state.cpu = 'stop';
      return [ackData(request, { kind: 'function', function: 0x29, bytes: new Uint8Array(0) }, { kind: 'none' })];
    }
    if (p.function === 0x28) {
      // PI service: "P_PROGRAM" is the start; anything else is answered as done.
      state.cpu = 'run';
      return [ackData(request, { kind: 'function', function: 0x28, bytes: new Uint8Array(0) }, { kind: 'none' })];
    }
    if (p.function >= 0x1a && p.function <= 0x1f) {
      // Download/upload is refused with "block not found"-class errors: nothing is ever stored or run.
      return [ackData(request, { kind: 'function', function: p.function, bytes: new Uint8Array(0) }, { kind: 'none' }, { errorClass: 0xd2, errorCode: 0x09 })];
    }
    return undefined;
  }
  if (p.kind === 'var' && p.function === 0x04) {
    const items: S7DataItem[] = p.items.map((it) => {
      if (it.kind !== 'any') return { returnCode: 0x05, transportSize: 0, length: 0, data: new Uint8Array(0) };
      const octets = it.transportSize === 1 ? Math.ceil(it.length / 8) : it.length * (it.transportSize === 4 || it.transportSize === 5 ? 2 : it.transportSize >= 6 && it.transportSize <= 8 ? 4 : 1);
      const area = state.s7.get(`${it.area}/${it.area === AREA_DB ? it.dbNumber : 0}`);
      if (it.area === AREA_DB && !area) return { returnCode: 0x0a, transportSize: 0, length: 0, data: new Uint8Array(0) };
      const size = area?.length ?? S7_AREA_BYTES;
      if (octets > 222 || it.byteAddress + octets > size) return { returnCode: 0x05, transportSize: 0, length: 0, data: new Uint8Array(0) };
      const data = area ? area.slice(it.byteAddress, it.byteAddress + octets) : new Uint8Array(octets);
      return { returnCode: 0xff, transportSize: 0x04, length: octets * 8, data };
    });
    return [ackData(request, { kind: 'var', function: 0x04, itemCount: items.length, items: [] }, { kind: 'items', items })];
  }
  if (p.kind === 'var' && p.function === 0x05) {
    const data = pdu.data.kind === 'items' ? pdu.data.items : [];
    const codes = p.items.map((it, i) => {
      const d = data[i];
      if (it.kind !== 'any' || !d) return 0x05;
      const key = `${it.area}/${it.area === AREA_DB ? it.dbNumber : 0}`;
      let area = state.s7.get(key);
      if (!area) {
        if (it.area === AREA_DB || state.s7.size >= MAX_S7_AREAS) return 0x0a;
        area = new Uint8Array(S7_AREA_BYTES);
        state.s7.set(key, area);
      }
      if (it.byteAddress + d.data.length > area.length) return 0x05;
      area.set(d.data, it.byteAddress);
      return 0xff;
    });
    return [ackData(request, { kind: 'var', function: 0x05, itemCount: codes.length, items: [] }, { kind: 'return-codes', codes })];
  }
  return undefined;
}

function mqtt(_device: Device, state: HoneypotState, request: MqttMessage, conversation: Conversation): MqttMessage[] | undefined {
  if (!conversation.data.connected) return undefined;
  if (request.typeName === 'PUBLISH' && request.publish) {
    const { topic, payload, retain, qos } = request.publish;
    // Kept for later subscribers, bounded; never forwarded anywhere else.
    if (retain && !topic.startsWith('$') && topic.length <= 128) {
      if (payload.length === 0) state.retained.delete(topic);
      else setBounded(state.retained, topic, payload.slice(0, MAX_RETAINED_BYTES), MAX_RETAINED);
    }
    return qos === 1 ? [{ anomalies: [], type: 4, typeName: 'PUBACK', flags: 0, version: 4, packetId: request.packetId ?? 0 }] : [];
  }
  if (request.typeName === 'SUBSCRIBE') {
    const base = BEHAVIOURS.mqtt.answer(_device, request, conversation) as MqttMessage[];
    const filters = (request.subscriptions ?? []).map((s) => s.topic);
    for (const [topic, value] of state.retained) if (filters.some((f) => topicMatches(f, topic))) base.push(publish(topic, value, true));
    return base;
  }
  return undefined;
}

/**
 * IEC 60870-5-104: the interrogation answers the points as they are now (the persona's answer,
 * values from the state), so a spontaneous change seen earlier is confirmed by the next GI.
 */
function iec104(device: Device, state: HoneypotState, request: Iec104Message, conversation: Conversation): Iec104Message[] | undefined {
  const replies = BEHAVIOURS.iec104.answer(device, request, conversation) as Iec104Message[];
  for (const m of replies) {
    if (m.asdu?.typeId === 1 && m.asdu.cause === 20) m.asdu.objects = m.asdu.objects.map((o) => ({ ...o, value: state.points.get(o.address) ?? o.value }));
  }
  return replies;
}

/**
 * What a device sends unasked on an open connection, now and then: IEC 104 spontaneous single-point
 * changes (M_SP_NA_1, cause 3, IEC 60870-5-101 §7.2.3) once the master has started data transfer.
 */
export function spontaneous(device: Device, state: HoneypotState, protocol: ProtocolName, conversation: Conversation, next: () => number): Message[] {
  if (protocol !== 'iec104' || !conversation.data.started || state.points.size === 0) return [];
  const spec = device.persona.services.iec104;
  if (!spec) return [];
  const addresses = [...state.points.keys()];
  const address = addresses[Math.floor(next() * addresses.length)];
  const value = (state.points.get(address) === 1 ? 0 : 1) as 0 | 1;
  state.points.set(address, value);
  const d = conversation.data;
  const sent = d.sent ?? 0;
  d.sent = (sent + 1) & 0x7fff;
  const m = singlePoints(spec.commonAddress, [[address, value]], sent, d.received ?? 0);
  m.asdu!.cause = 3;
  m.asdu!.causeName = 'spontaneous';
  return [m];
}

/** ASHRAE 135 §12.11: device properties an operator may write (object-name 77, description 28, location 58). */
const BACNET_WRITABLE = new Set([77, 28, 58]);
const BACNET_DEVICE = 8;

/** BACnet WriteProperty (§15.9) of the device's writable properties sticks; ReadProperty returns it. */
function bacnet(device: Device, state: HoneypotState, request: BacnetMessage): BacnetMessage[] | undefined {
  const apdu = request.apdu;
  if (!apdu || apdu.type !== 0 || apdu.invokeId === undefined) return undefined;
  const ref = apdu.parameters?.properties?.[0];
  const instance = Number(device.vars.instance);
  const mine = ref?.objectId?.objectType === BACNET_DEVICE && (ref.objectId.instance === instance || ref.objectId.instance === WILDCARD_DEVICE);
  if (!ref || !mine) return undefined;
  if (apdu.service === 15) {
    const value = ref.values?.[0];
    // §18: write-access-denied (class property 2, code 40) for anything but a short character string.
    if (!BACNET_WRITABLE.has(ref.propertyId) || typeof value !== 'string' || value.length > 64) return [errorResponse(apdu.invokeId, 15, 2, 40)];
    state.bacnet.set(ref.propertyId, value);
    const ack = errorResponse(apdu.invokeId, 15);
    return [{ ...ack, apdu: { type: 2, typeName: 'SimpleACK', flags: 0, invokeId: apdu.invokeId, service: 15, serviceData: new Uint8Array(0) } }];
  }
  if (apdu.service === 12 && state.bacnet.has(ref.propertyId)) {
    return [readPropertyAck(apdu.invokeId, { objectType: BACNET_DEVICE, instance }, ref.propertyId, state.bacnet.get(ref.propertyId)!)];
  }
  return undefined;
}

const DNP3_BINARY_INPUTS = 8;
const DNP3_ANALOG_INPUTS = 4;

/**
 * DNP3 class data (IEEE 1815-2012 §4.4.5): a READ of class 0 (g60v1) answers the static points —
 * binary inputs with flags (g1v2) and 16-bit analog inputs with flag (g30v2), qualifier 0x00 —
 * analogs drifting slowly around their per-device values; classes 1–3 (g60v2–4) have no events.
 */
function dnp3(device: Device, state: HoneypotState, request: Dnp3Message): Dnp3Message[] | undefined {
  const app = request.application;
  const spec = device.persona.services.dnp3;
  const c = request.link.control;
  if (!spec || !app || app.function !== 1 || !c.direction || !c.primary || !app.objects.some((o) => o.group === 60)) return undefined;
  const out: number[] = [];
  if (app.objects.some((o) => o.group === 60 && o.variation === 1)) {
    out.push(1, 2, 0x00, 0, DNP3_BINARY_INPUTS - 1);
    for (let i = 0; i < DNP3_BINARY_INPUTS; i++) out.push(0x01 | (baseRegister(device, 0x0d01, i) & 1 ? 0x80 : 0));
    out.push(30, 2, 0x00, 0, DNP3_ANALOG_INPUTS - 1);
    const minutes = (Date.now() - state.bootedAt) / 60_000;
    for (let i = 0; i < DNP3_ANALOG_INPUTS; i++) {
      const v = Math.round((baseRegister(device, 0x0d30, i) % 4000) + 50 * Math.sin(minutes / (7 + i))) & 0xffff;
      out.push(0x01, v & 0xff, v >> 8);
    }
  }
  const m = deviceAttributesResponse(request.link.source, spec.address, [], app.control.sequence);
  m.application!.objectBytes = new Uint8Array(out);
  return [m];
}

/** CIP general status codes (Vol 1 Appendix B). */
const CIP = { success: 0x00, pathUnknown: 0x05, serviceNotSupported: 0x08, attributeNotSupported: 0x14 } as const;

/** Class, instance and attribute of a padded EPATH of logical segments (Vol 1 §C-1.4.2). */
function logicalPath(path: Uint8Array): { cls?: number; instance?: number; attribute?: number } {
  const out: { cls?: number; instance?: number; attribute?: number } = {};
  for (let i = 0; i + 1 < path.length; ) {
    const seg = path[i];
    const wide = (seg & 0x03) === 1;
    const value = wide ? (i + 3 < path.length ? path[i + 2] | (path[i + 3] << 8) : -1) : path[i + 1];
    const kind = seg & 0xfc;
    if (kind === 0x20) out.cls = value;
    else if (kind === 0x24) out.instance = value;
    else if (kind === 0x30) out.attribute = value;
    else break;
    i += wide ? 4 : 2;
  }
  return out;
}

/** Identity object (class 0x01) attributes 1–7 (Vol 1 §5A-2.2), little-endian as CIP sends them. */
function identityAttribute(device: Device, id: number): Uint8Array | undefined {
  const spec = device.persona.services.enip;
  if (!spec) return undefined;
  const [major, minor] = versionParts(spec.revision ? render(spec.revision, device.vars) : device.vars.firmware);
  const u16 = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff);
  const name = new TextEncoder().encode(render(spec.productName, device.vars)).slice(0, 32);
  switch (id) {
    case 1: return u16(spec.vendorId);
    case 2: return u16(spec.deviceType);
    case 3: return u16(spec.productCode);
    case 4: return Uint8Array.of(major & 0xff, minor & 0xff);
    case 5: return u16(spec.status ?? 0x0060);
    case 6: {
      const n = Number.parseInt(device.vars.serial, 16) >>> 0;
      return Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
    }
    case 7: return Uint8Array.of(name.length, ...name);
  }
  return undefined;
}

/**
 * EtherNet/IP SendRRData (Vol 2 §2-4.7) carrying an unconnected CIP request: the Identity object
 * answers Get_Attributes_All (0x01) and Get_Attribute_Single (0x0E); Reset (0x05) is acknowledged
 * (and logged as a restart) but nothing restarts; every other object is "path destination unknown".
 */
function enip(device: Device, _state: HoneypotState, request: EnipMessage, conversation: Conversation): EnipMessage[] | undefined {
  if (request.command !== 0x006f || request.body.kind !== 'send-data' || conversation.transport !== 'tcp') return undefined;
  const base = { anomalies: [], direction: 'to-client' as const, command: request.command, senderContext: request.senderContext, options: 0, sessionHandle: request.sessionHandle };
  // Table 2-3.3 status 0x0064: invalid session handle (no RegisterSession first).
  if (!conversation.data.session || request.sessionHandle !== conversation.data.session) return [{ ...base, status: 0x0064, body: { kind: 'empty' } }];
  const data = request.body.items.find((it) => it.typeId === 0x00b2)?.data;
  if (!data || data.length < 2 || data.length < 2 + data[1] * 2) return [{ ...base, status: 0x0003, body: { kind: 'empty' } }];
  const service = data[0] & 0x7f;
  const { cls, instance, attribute } = logicalPath(data.subarray(2, 2 + data[1] * 2));
  let status: number = CIP.success;
  let reply: Uint8Array = new Uint8Array(0);
  if (cls !== 1 || instance !== 1) status = CIP.pathUnknown;
  else if (service === 0x01) {
    const parts = [1, 2, 3, 4, 5, 6, 7].map((a) => identityAttribute(device, a) ?? new Uint8Array(0));
    reply = new Uint8Array(parts.reduce((t, p) => t + p.length, 0));
    let o = 0;
    for (const p of parts) reply.set(p, (o += p.length) - p.length);
  } else if (service === 0x0e) {
    const value = attribute === undefined ? undefined : identityAttribute(device, attribute);
    if (value) reply = value;
    else status = CIP.attributeNotSupported;
  } else if (service !== 0x05) status = CIP.serviceNotSupported;
  const cip = new Uint8Array(4 + reply.length);
  cip.set([service | 0x80, 0, status, 0]);
  cip.set(reply, 4);
  return [{ ...base, status: 0, body: { kind: 'send-data', interfaceHandle: 0, timeout: 0, items: [{ typeId: 0, data: new Uint8Array(0) }, { typeId: 0x00b2, data: cip }] } }];
}

type Stateful = (device: Device, state: HoneypotState, request: Message, conversation: Conversation) => Message[] | undefined;

const STATEFUL: Partial<Record<ProtocolName, Stateful>> = {
  modbus: modbus as unknown as Stateful,
  s7comm: s7 as unknown as Stateful,
  mqtt: mqtt as unknown as Stateful,
  iec104: iec104 as unknown as Stateful,
  bacnet: bacnet as unknown as Stateful,
  dnp3: dnp3 as unknown as Stateful,
  enip: enip as unknown as Stateful,
};

/** The device's replies to one request: the stateful answer where there is one, else the persona's. */
export function answer(device: Device, state: HoneypotState, protocol: ProtocolName, request: Message, conversation: Conversation): Message[] {
  return STATEFUL[protocol]?.(device, state, request, conversation) ?? BEHAVIOURS[protocol].answer(device, request, conversation);
}
