// The one table between protocol fields (tshark field names, from each protocol's `fields`) and
// the summary's histograms, whose layout mirrors the tshark oracle (schema ics-pcap-oracle/1,
// reference/corpus/README.md): `{ modbus: { func_code: { "3": 12 } }, … }`.

/** tshark field → [oracle group, oracle key]. */
export const HISTOGRAM_FIELDS: Readonly<Record<string, readonly [string, string]>> = {
  'mbtcp.unit_id': ['modbus', 'unit_id'],
  'modbus.func_code': ['modbus', 'func_code'],
  'modbus.exception_code': ['modbus', 'exception_code'],
  's7comm.header.rosctr': ['s7comm', 'rosctr'],
  's7comm.param.func': ['s7comm', 'param_func'],
  's7comm.param.userdata.funcgroup': ['s7comm', 'userdata_funcgroup'],
  'dnp3.al.func': ['dnp3', 'al_func'],
  'dnp3.ctl.prifunc': ['dnp3', 'dl_prifunc'],
  'dnp3.ctl.secfunc': ['dnp3', 'dl_secfunc'],
  'iec60870_104.type': ['iec104', 'apci_type'],
  'iec60870_104.utype': ['iec104', 'u_type'],
  'iec60870_asdu.typeid': ['iec104', 'asdu_typeid'],
  'iec60870_asdu.causetx': ['iec104', 'causetx'],
  'enip.command': ['enip', 'command'],
  'cip.service': ['cip', 'service'],
  'cip.sc': ['cip', 'service_code'],
  'bvlc.function': ['bacnet', 'bvlc_function'],
  'bacapp.type': ['bacnet', 'apdu_type'],
  'bacapp.confirmed_service': ['bacnet', 'confirmed_service'],
  'bacapp.unconfirmed_service': ['bacnet', 'unconfirmed_service'],
  'opcua.transport.type': ['opcua', 'transport_type'],
  'opcua.servicenodeid.numeric': ['opcua', 'service_nodeid'],
  'mqtt.msgtype': ['mqtt', 'msgtype'],
  'omron.command': ['omron', 'command_code'],
  'omron.tcp.command': ['omron', 'tcp_command'],
};

/** Every oracle group with its keys, in the oracle's order (empty histograms are kept). */
export const HISTOGRAM_GROUPS: Readonly<Record<string, readonly string[]>> = {
  modbus: ['unit_id', 'func_code', 'exception_code'],
  s7comm: ['rosctr', 'param_func', 'userdata_funcgroup'],
  dnp3: ['al_func', 'dl_prifunc', 'dl_secfunc'],
  iec104: ['apci_type', 'u_type', 'asdu_typeid', 'causetx'],
  enip: ['command'],
  cip: ['service', 'service_code'],
  bacnet: ['bvlc_function', 'apdu_type', 'confirmed_service', 'unconfirmed_service'],
  opcua: ['transport_type', 'service_nodeid'],
  mqtt: ['msgtype'],
  omron: ['command_code', 'tcp_command'],
};

/**
 * The tshark field prefixes each registry protocol's `fields` use, so the summary can look up only
 * the histogram fields a protocol can have instead of walking every field of every message.
 */
export const FIELD_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  modbus: ['mbtcp', 'modbus'],
  s7comm: ['s7comm'],
  's7comm-plus': ['s7comm-plus'],
  dnp3: ['dnp3'],
  iec104: ['iec60870_104', 'iec60870_asdu'],
  enip: ['enip', 'cip'],
  bacnet: ['bvlc', 'bacnet', 'bacapp'],
  opcua: ['opcua'],
  mqtt: ['mqtt'],
  fins: ['omron'],
};

/**
 * The conversation protocol name tshark reports (the first ICS dissector in frame.protocols) for
 * a registry protocol; by transport where tshark has two (mbtcp / mbudp).
 */
const CONVERSATION_NAMES: Readonly<Record<string, { tcp: string; udp: string }>> = {
  modbus: { tcp: 'mbtcp', udp: 'mbudp' },
  iec104: { tcp: 'iec60870_104', udp: 'iec60870_104' },
  bacnet: { tcp: 'bvlc', udp: 'bvlc' },
  fins: { tcp: 'omron', udp: 'omron' },
  's7comm-plus': { tcp: 's7comm_plus_heuristic', udp: 's7comm_plus_heuristic' },
};

export function conversationName(protocol: string, transport: 'tcp' | 'udp'): string {
  const names = CONVERSATION_NAMES[protocol];
  return names === undefined ? protocol : names[transport];
}

/** Oracle histogram keys are decimal numbers, or the value itself for text (OPC UA "HEL"). */
export function histogramKey(v: string | number | boolean): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (/^0x[0-9a-f]+$/i.test(v)) return String(parseInt(v, 16));
  return v;
}
