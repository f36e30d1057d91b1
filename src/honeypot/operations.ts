// What an attacker did, decoded from one request: the engine's own `fields` (tshark's field
// names) mapped to the few operations regulators care about. Function-code tables cite the specs.
import type { Fields } from '../protocols/index.ts';
import type { ProtocolName } from '../personas/index.ts';

export const OPERATIONS = [
  'connect', 'discovery', 'read', 'write', 'program-download', 'program-upload', 'stop', 'start', 'restart',
  'authentication', 'subscribe', 'publish', 'session', 'malformed', 'other',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Operations that change a process or its program (IEC 62443 "manipulate control"). */
export const MANIPULATING: ReadonlySet<Operation> = new Set(['write', 'program-download', 'stop', 'start', 'restart', 'publish']);

export interface Decoded {
  operation: Operation;
  /** A short human line: "read holding registers 0+10". */
  detail: string;
}

/** A numeric field, or the first of a list (CIP carries one entry per embedded request). */
const num = (f: Fields, k: string): number | undefined => {
  const v = Array.isArray(f[k]) ? (f[k] as unknown[])[0] : f[k];
  return typeof v === 'number' ? v : undefined;
};
const str = (f: Fields, k: string): string | undefined => {
  const v = Array.isArray(f[k]) ? (f[k] as unknown[])[0] : f[k];
  return typeof v === 'string' ? v : undefined;
};

/** Modbus Application Protocol v1.1b3 §6: function code → operation. */
function modbusOp(f: Fields): Decoded {
  const code = num(f, 'modbus.func_code') ?? -1;
  const name = str(f, 'modbus.func_name') ?? 'unknown';
  const at = num(f, 'modbus.reference_num') ?? num(f, 'modbus.read_reference_num');
  const count = num(f, 'modbus.word_cnt') ?? num(f, 'modbus.bit_cnt') ?? num(f, 'modbus.read_word_cnt');
  const range = at !== undefined ? ` ${at}${count !== undefined ? `+${count}` : ''}` : '';
  if ([1, 2, 3, 4, 24].includes(code)) return { operation: 'read', detail: `${name}${range}` };
  if ([5, 6, 15, 16, 22, 23].includes(code)) return { operation: 'write', detail: `${name}${range}` };
  if (code === 43 || code === 17) return { operation: 'discovery', detail: name };
  // §6.8.1 sub-function 01: Restart Communications Option.
  if (code === 8) return num(f, 'modbus.diagnostic_code') === 1 ? { operation: 'restart', detail: 'restart communications' } : { operation: 'read', detail: `diagnostics ${num(f, 'modbus.diagnostic_code') ?? ''}`.trim() };
  // 90 is Schneider's UMAS: programming and run/stop travel inside it.
  if (code === 90) return { operation: 'program-download', detail: 'umas' };
  return { operation: 'other', detail: `function ${code}` };
}

/** S7 job functions (Siemens S7 protocol, as Wireshark's s7comm dissector names them). */
function s7Op(f: Fields): Decoded {
  const rosctr = num(f, 's7comm.header.rosctr');
  const cotp = str(f, 'cotp.type_name');
  if (rosctr === undefined) return { operation: 'session', detail: `cotp ${cotp ?? ''}`.trim() };
  if (rosctr === 7) {
    const szl = num(f, 's7comm.data.userdata.szl_id');
    if (szl !== undefined) return { operation: 'discovery', detail: `read szl 0x${szl.toString(16).padStart(4, '0')}` };
    return { operation: 'read', detail: 'userdata' };
  }
  const fn = num(f, 's7comm.param.func');
  switch (fn) {
    case 0xf0: return { operation: 'session', detail: 'setup communication' };
    case 0x04: return { operation: 'read', detail: `read var${areaOf(f)}` };
    case 0x05: return { operation: 'write', detail: `write var${areaOf(f)}` };
    case 0x1a: case 0x1b: case 0x1c: return { operation: 'program-download', detail: str(f, 's7comm.param.func_name') ?? 'download' };
    case 0x1d: case 0x1e: case 0x1f: return { operation: 'program-upload', detail: str(f, 's7comm.param.func_name') ?? 'upload' };
    case 0x28: return { operation: 'start', detail: 'plc control' };
    case 0x29: return { operation: 'stop', detail: 'plc stop' };
  }
  return { operation: 'other', detail: `function ${fn ?? '?'}` };
}

function areaOf(f: Fields): string {
  const db = f['s7comm.param.item.db'];
  const n = Array.isArray(db) ? db[0] : db;
  return typeof n === 'number' && n > 0 ? ` DB${n}` : '';
}

/** CIP services (Vol 1 Appendix A) and encapsulation commands (Vol 2 §2-3). */
function enipOp(f: Fields): Decoded {
  const command = num(f, 'enip.command');
  const service = num(f, 'cip.sc') ?? num(f, 'cip.service');
  const cls = num(f, 'cip.class');
  if (command === 0x63 || command === 0x64 || command === 0x04) return { operation: 'discovery', detail: str(f, 'enip.command_name') ?? 'list' };
  if (command === 0x65 || command === 0x66) return { operation: 'session', detail: str(f, 'enip.command_name') ?? 'session' };
  if (service !== undefined) {
    const name = str(f, 'cip.service_name') ?? `service 0x${service.toString(16)}`;
    const target = cls !== undefined ? ` class 0x${cls.toString(16)}` : '';
    if (service === 0x05) return { operation: 'restart', detail: `reset${target}` };
    if (service === 0x06) return { operation: 'start', detail: `start${target}` };
    if (service === 0x07) return { operation: 'stop', detail: `stop${target}` };
    if ([0x02, 0x04, 0x10, 0x4d, 0x4e, 0x53].includes(service)) return { operation: 'write', detail: `${name}${target}` };
    if ([0x01, 0x03, 0x0e, 0x4c, 0x52].includes(service)) return { operation: cls === 1 ? 'discovery' : 'read', detail: `${name}${target}` };
    return { operation: 'other', detail: `${name}${target}` };
  }
  return { operation: 'other', detail: str(f, 'enip.command_name') ?? `command ${command ?? '?'}` };
}

/**
 * ASHRAE 135 §12.11 device object properties a scanner reads to identify a device: object-identifier
 * (75), object-name (77), vendor-name (121), vendor-identifier (120), model-name (70),
 * firmware-revision (44), application-software-version (12), description (28), location (58).
 */
const DEVICE_IDENTITY_PROPERTIES: ReadonlySet<number> = new Set([75, 77, 121, 120, 70, 44, 12, 28, 58]);

/** ASHRAE 135 §21: confirmed and unconfirmed service choices. */
function bacnetOp(f: Fields): Decoded {
  const type = num(f, 'bacapp.type');
  const unconfirmed = num(f, 'bacapp.unconfirmed_service');
  const confirmed = num(f, 'bacapp.confirmed_service');
  if (type === 1 && (unconfirmed === 8 || unconfirmed === 7)) return { operation: 'discovery', detail: unconfirmed === 8 ? 'who-is' : 'who-has' };
  if (confirmed !== undefined) {
    if (confirmed === 12 || confirmed === 14) {
      const name = confirmed === 12 ? 'read-property' : 'read-property-multiple';
      const types = f['bacapp.objectType'];
      const props = f['bacapp.property_identifier'];
      const identity = Array.isArray(types) && Array.isArray(props) && types.length > 0 && types.every((t) => t === 8) && props.every((x) => typeof x === 'number' && DEVICE_IDENTITY_PROPERTIES.has(x));
      return { operation: identity ? 'discovery' : 'read', detail: `${name}${Array.isArray(props) ? ` ${props.join(',')}` : ''}` };
    }
    if (confirmed === 15 || confirmed === 16) return { operation: 'write', detail: confirmed === 15 ? 'write-property' : 'write-property-multiple' };
    if (confirmed === 20) return { operation: 'restart', detail: 'reinitialize-device' };
    if (confirmed === 17) return { operation: 'stop', detail: 'device-communication-control' };
    if (confirmed === 6 || confirmed === 7) return { operation: 'program-download', detail: 'atomic-write-file' };
    return { operation: 'other', detail: `confirmed service ${confirmed}` };
  }
  return { operation: 'other', detail: `apdu type ${type ?? '?'}` };
}

/** IEC 60870-5-101 §7.2.1.1 type identifications: 45–69 commands, 100–107 system commands. */
function iec104Op(f: Fields): Decoded {
  const type = num(f, 'iec60870_asdu.typeid');
  if (type === undefined) return { operation: 'session', detail: `apci ${num(f, 'iec60870_104.utype') ?? num(f, 'iec60870_104.type') ?? ''}`.trim() };
  const name = str(f, 'iec60870_asdu.typeid_name') ?? `type ${type}`;
  if (type === 100 || type === 101 || type === 102) return { operation: type === 102 ? 'read' : 'discovery', detail: name };
  if (type === 105) return { operation: 'restart', detail: name };
  if (type >= 45 && type <= 69) return { operation: 'write', detail: name };
  if (type === 103) return { operation: 'write', detail: name };
  return { operation: 'other', detail: name };
}

/** IEEE 1815-2012 §4.2.2.5 application function codes. */
function dnp3Op(f: Fields): Decoded {
  const fn = num(f, 'dnp3.al.func');
  const link = num(f, 'dnp3.ctl.prifunc');
  if (fn === undefined) return { operation: link === 9 ? 'discovery' : 'session', detail: `link function ${link ?? '?'}` };
  if (fn === 1) {
    const objs = f['dnp3.al.obj'];
    const attributes = Array.isArray(objs) && objs.some((o) => typeof o === 'number' && o >> 8 === 0);
    return { operation: attributes ? 'discovery' : 'read', detail: attributes ? 'read device attributes' : 'read' };
  }
  if (fn === 2 || (fn >= 3 && fn <= 6)) return { operation: 'write', detail: ['', '', 'write', 'select', 'operate', 'direct operate', 'direct operate no ack'][fn] };
  if (fn === 13 || fn === 14) return { operation: 'restart', detail: fn === 13 ? 'cold restart' : 'warm restart' };
  if (fn === 17 || fn === 18) return { operation: fn === 17 ? 'start' : 'stop', detail: fn === 17 ? 'start application' : 'stop application' };
  if (fn >= 25 && fn <= 30) return { operation: 'program-download', detail: `file function ${fn}` };
  return { operation: 'other', detail: `function ${fn}` };
}

function finsOp(f: Fields): Decoded {
  const cmd = num(f, 'omron.command');
  if (cmd === undefined) return { operation: 'session', detail: 'fins/tcp' };
  const name = str(f, 'omron.command_name') ?? `command 0x${cmd.toString(16)}`;
  const mr = cmd >> 8;
  if (cmd === 0x0501 || cmd === 0x0502) return { operation: 'discovery', detail: name };
  if (cmd === 0x0401) return { operation: 'start', detail: name };
  if (cmd === 0x0402) return { operation: 'stop', detail: name };
  if (cmd === 0x0101 || cmd === 0x0104 || cmd === 0x0306 || mr === 0x06 || mr === 0x07) return { operation: 'read', detail: name };
  if (cmd === 0x0102 || cmd === 0x0103 || cmd === 0x0105 || cmd === 0x0307 || cmd === 0x0702) return { operation: 'write', detail: name };
  if (mr === 0x22) return { operation: 'program-download', detail: name };
  return { operation: 'other', detail: name };
}

/** A few text NodeIds of a list field ("i=85, ns=2;s=Tank.Level +3 more"). */
function nodesOf(f: Fields, k: string): string {
  const v = f[k];
  const list = (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
  return list.slice(0, 3).join(', ') + (list.length > 3 ? ` +${list.length - 3} more` : '');
}

/**
 * IEC 62541-5 §8.3.2 Server object: the namespace-0 nodes a client reads to learn what the server
 * is (Server 2253 … ServerStatus 2256-2266, ServiceLevel 2267, Auditing 2994, ServerCapabilities
 * 2268-…, NamespaceArray/ServerArray 2254-2255, the 11700s OperationLimits): identification,
 * not process data.
 */
function serverObjectNode(node: string): boolean {
  const m = /^i=(\d+)$/.exec(node);
  const id = m ? Number(m[1]) : -1;
  return (id >= 2253 && id <= 2300) || (id >= 2992 && id <= 2994) || (id >= 11700 && id <= 11720);
}

/** IEC 62541-4 services by their binary encoding node ids (Part 6 NodeIds.csv). */
function opcuaOp(f: Fields): Decoded {
  const type = str(f, 'opcua.transport.type');
  const service = num(f, 'opcua.servicenodeid.numeric');
  if (service === undefined) return { operation: type === 'HEL' ? 'discovery' : 'session', detail: type === 'HEL' ? 'hello' : (type ?? 'chunk') };
  switch (service) {
    case 428: return { operation: 'discovery', detail: 'get endpoints' };
    case 422: case 12208: return { operation: 'discovery', detail: 'find servers' };
    case 446: return { operation: 'session', detail: 'open secure channel' };
    case 452: return { operation: 'session', detail: 'close secure channel' };
    case 461: return { operation: 'session', detail: `create session${f['opcua.SessionName'] !== undefined ? ` "${str(f, 'opcua.SessionName')}"` : ''}` };
    case 473: return { operation: 'session', detail: 'close session' };
    case 467: {
      const kind = str(f, 'opcua.UserTokenType') ?? 'unknown';
      // The user name is logged; the password never leaves the bounded raw bytes of the event.
      if (kind === 'username') return { operation: 'authentication', detail: `activate session as ${str(f, 'opcua.UserName') ?? '?'}${f['opcua.EncryptionAlgorithm'] === '' ? ' (clear-text password)' : ''}` };
      return { operation: 'authentication', detail: `activate session ${kind}` };
    }
    case 527: return { operation: 'discovery', detail: `browse ${nodesOf(f, 'opcua.browse.node')}` };
    case 533: return { operation: 'discovery', detail: 'browse next' };
    case 631: {
      const nodes = f['opcua.read.node'];
      const list = Array.isArray(nodes) ? nodes.map(String) : [];
      const identification = list.length > 0 && list.every(serverObjectNode);
      return { operation: identification ? 'discovery' : 'read', detail: `read ${nodesOf(f, 'opcua.read.node')}` };
    }
    case 673: return { operation: 'write', detail: `write ${nodesOf(f, 'opcua.write.node')}` };
    case 712: return { operation: 'write', detail: `call ${nodesOf(f, 'opcua.call.method')}` };
    case 787: case 751: return { operation: 'subscribe', detail: service === 787 ? 'create subscription' : 'create monitored items' };
  }
  return { operation: 'other', detail: `service ${service}` };
}

function mqttOp(f: Fields): Decoded {
  const type = num(f, 'mqtt.msgtype');
  const topic = str(f, 'mqtt.topic');
  switch (type) {
    case 1: return { operation: 'authentication', detail: f['mqtt.conflag.uname'] ? `connect as ${str(f, 'mqtt.username') ?? '?'}` : 'connect anonymous' };
    case 3: return { operation: 'publish', detail: `publish ${topic ?? ''}`.trim() };
    case 8: return { operation: 'subscribe', detail: `subscribe ${topic ?? ''}`.trim() };
    case 12: case 14: return { operation: 'session', detail: type === 12 ? 'ping' : 'disconnect' };
  }
  return { operation: 'other', detail: `type ${type ?? '?'}` };
}

function foxOp(f: Fields): Decoded {
  const command = str(f, 'fox.command');
  if (command === 'hello') return { operation: 'discovery', detail: 'fox hello' };
  if (command && /auth|login/i.test(command)) return { operation: 'authentication', detail: command };
  return { operation: 'other', detail: `fox ${command ?? '?'}` };
}

const DECODERS: { readonly [P in ProtocolName]: (f: Fields) => Decoded } = {
  modbus: modbusOp, s7comm: s7Op, enip: enipOp, bacnet: bacnetOp, iec104: iec104Op, dnp3: dnp3Op,
  fins: finsOp, opcua: opcuaOp, mqtt: mqttOp, fox: foxOp,
};

/** The operation one parsed request performs. */
export function operationOf(protocol: ProtocolName, fields: Fields): Decoded {
  return DECODERS[protocol](fields);
}
