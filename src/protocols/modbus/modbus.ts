// Modbus/TCP: the MBAP header (Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3)
// around a Modbus PDU (Modbus Application Protocol Specification v1.1b3).
import { ByteWriter, toHex } from '../../wire/index.ts';
import type { DeviceIdentity, Transport } from '../../model/index.ts';
import type { Direction, Fields, Parsed, Protocol } from '../protocol.ts';
import { DEVICE_ID_OBJECT_NAMES, DIAGNOSTIC_NAMES, exceptionName, functionName } from './function-codes.ts';
import type { ModbusMessage, ModbusPdu } from './message.ts';
import { decodePdu, encodePdu } from './pdu.ts';
import { modbusTally } from './tally.ts';
import { UMAS_FUNCTION_NAMES, UMAS_STATUS, umasText } from './umas.ts';

const MBAP_SIZE = 7;
/**
 * MBAP length counts the unit id and the PDU; a PDU is 1..253 bytes (Application Protocol §4.1),
 * so the length is 2..254. Schneider UMAS transfers send 255 (modicon_test.pcap frame 19), so up
 * to MAX_LENGTH is decoded with an anomaly; beyond that the bytes are refused as not Modbus.
 */
const MIN_LENGTH = 2;
const SPEC_MAX_LENGTH = 254;
const MAX_LENGTH = 512;

function header(bytes: Uint8Array): { protocolId: number; length: number } {
  return { protocolId: (bytes[2] << 8) | bytes[3], length: (bytes[4] << 8) | bytes[5] };
}

function parse(bytes: Uint8Array, direction: Direction): Parsed<ModbusMessage> {
  if (bytes.length >= 4 && (bytes[2] !== 0 || bytes[3] !== 0)) return { kind: 'not-mine' };
  if (bytes.length < 6) return { kind: 'incomplete', needed: MBAP_SIZE + 1 };
  const { length } = header(bytes);
  if (length < MIN_LENGTH || length > MAX_LENGTH) return { kind: 'not-mine' };
  const total = 6 + length;
  if (bytes.length < total) return { kind: 'incomplete', needed: total };

  const transactionId = (bytes[0] << 8) | bytes[1];
  const unitId = bytes[6];
  const raw = bytes[7];
  const exception = direction === 'to-client' && raw >= 0x80;
  const code = exception ? raw & 0x7f : raw;
  const { pdu, anomalies } = decodePdu(code, exception, direction, bytes, 8, total);
  if (length > SPEC_MAX_LENGTH) anomalies.push('length-exceeds-spec');
  const message: ModbusMessage = {
    anomalies,
    direction,
    transactionId,
    unitId,
    function: { code, name: functionName(code) },
    pdu,
  };
  // Set for every response with the exception bit, even a malformed one kept as raw bytes, so
  // encode puts the bit back.
  if (exception) {
    const ec = pdu.kind === 'exception' ? pdu.code : total > 8 ? bytes[8] : 0;
    message.exception = { code: ec, name: exceptionName(ec) };
  }
  return { kind: 'done', message, consumed: total };
}

function encode(m: ModbusMessage): Uint8Array {
  const w = new ByteWriter(16);
  w.u16be(m.transactionId).u16be(0).u16be(0).u8(m.unitId);
  w.u8(m.exception || m.pdu.kind === 'exception' ? m.function.code | 0x80 : m.function.code);
  encodePdu(w, m.pdu);
  w.patchU16be(4, w.length - 6);
  return w.finish();
}

function recognize(bytes: Uint8Array, _direction: Direction, _transport: Transport): boolean {
  if (bytes.length < 4 || bytes[2] !== 0 || bytes[3] !== 0) return false;
  if (bytes.length >= 6) {
    const { length } = header(bytes);
    if (length < MIN_LENGTH || length > MAX_LENGTH) return false;
  }
  return bytes.length < 8 || (bytes[7] & 0x7f) !== 0;
}

function printable(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
  return s.trim();
}

function identify(messages: readonly ModbusMessage[]): DeviceIdentity | null {
  const objects = new Map<number, string>();
  let serverId: Uint8Array | undefined;
  let umasId: string | undefined;
  // A UMAS read-id (0x02) request names the reply that follows it on the flow.
  let readIdAsked = false;
  for (const m of messages) {
    if (m.function.code === 90 && m.pdu.kind === 'raw' && m.pdu.data.length >= 2) {
      if (m.direction === 'to-server') readIdAsked = m.pdu.data[1] === 0x02;
      else if (readIdAsked && m.pdu.data[1] === UMAS_STATUS.ok) umasId ??= umasText(m.pdu.data);
    }
    if (m.direction !== 'to-client') continue;
    if (m.pdu.kind === 'device-id') for (const o of m.pdu.objects) objects.set(o.id, o.value.replace(/\0+$/, '').trim());
    if (m.pdu.kind === 'report-server-id' && m.pdu.data.length) serverId = m.pdu.data;
  }
  if (!objects.size && !serverId && !umasId) return null;
  const id: DeviceIdentity = {};
  const vendor = objects.get(0);
  const productCode = objects.get(1);
  const revision = objects.get(2);
  const productName = objects.get(4);
  const modelName = objects.get(5);
  if (vendor) id.vendor = vendor;
  if (productName || productCode) id.product = productName || productCode;
  if (modelName) id.model = modelName;
  if (productCode) id.orderNumber = productCode;
  if (revision) id.firmware = revision;
  const raw: Record<string, unknown> = {};
  for (const [objectId, value] of objects) raw[DEVICE_ID_OBJECT_NAMES[objectId] ?? `object${objectId}`] = value;
  if (serverId) {
    raw.serverId = toHex(serverId);
    const text = printable(serverId);
    if (text) raw.serverIdText = text;
    if (!id.product && text.length >= 3) id.product = text;
  }
  if (umasId) {
    raw.umasReadId = umasId;
    id.vendor ??= 'Schneider Electric';
    id.product ??= umasId;
    id.model ??= umasId;
  }
  id.raw = raw;
  return id;
}

/** tshark's packet-mbtcp.c field names, so detection rules read like Wireshark filters. */
function pduFields(pdu: ModbusPdu, code: number, f: Fields): void {
  const bitCount = code === 1 || code === 2 || code === 15;
  switch (pdu.kind) {
    case 'read-request':
    case 'write-multiple-response':
      f['modbus.reference_num'] = pdu.address;
      f[bitCount ? 'modbus.bit_cnt' : 'modbus.word_cnt'] = pdu.quantity;
      break;
    case 'bits':
      f['modbus.byte_cnt'] = pdu.values.length;
      break;
    case 'registers':
      f['modbus.byte_cnt'] = pdu.values.length * 2;
      f['modbus.regval_uint16'] = pdu.values;
      break;
    case 'write-single':
      f['modbus.reference_num'] = pdu.address;
      f[code === 5 ? 'modbus.data' : 'modbus.regval_uint16'] = pdu.value;
      break;
    case 'write-multiple-coils':
      f['modbus.reference_num'] = pdu.address;
      f['modbus.bit_cnt'] = pdu.quantity;
      f['modbus.byte_cnt'] = pdu.values.length;
      break;
    case 'write-multiple-registers':
      f['modbus.reference_num'] = pdu.address;
      f['modbus.word_cnt'] = pdu.quantity;
      f['modbus.byte_cnt'] = pdu.values.length * 2;
      f['modbus.regval_uint16'] = pdu.values;
      break;
    case 'diagnostics':
      f['modbus.diagnostic_code'] = pdu.subFunction;
      f['modbus.diagnostic_name'] = DIAGNOSTIC_NAMES[pdu.subFunction] ?? 'unknown';
      break;
    case 'mask-write':
      f['modbus.reference_num'] = pdu.address;
      f['modbus.and_mask'] = pdu.andMask;
      f['modbus.or_mask'] = pdu.orMask;
      break;
    case 'read-write-registers':
      f['modbus.read_reference_num'] = pdu.readAddress;
      f['modbus.read_word_cnt'] = pdu.readQuantity;
      f['modbus.write_reference_num'] = pdu.writeAddress;
      f['modbus.write_word_cnt'] = pdu.writeQuantity;
      f['modbus.regval_uint16'] = pdu.values;
      break;
    case 'fifo-request':
      f['modbus.reference_num'] = pdu.address;
      break;
    case 'fifo':
      f['modbus.fifo_count'] = pdu.values.length;
      break;
    case 'device-id-request':
      f['modbus.mei'] = 14;
      f['modbus.read_device_id'] = pdu.readDeviceIdCode;
      f['modbus.object_id'] = pdu.objectId;
      break;
    case 'device-id':
      f['modbus.mei'] = 14;
      f['modbus.read_device_id'] = pdu.readDeviceIdCode;
      f['modbus.conformity_level'] = pdu.conformityLevel;
      f['modbus.more_follows'] = pdu.moreFollows;
      f['modbus.next_object_id'] = pdu.nextObjectId;
      f['modbus.num_objects'] = pdu.objects.length;
      f['modbus.object_id'] = pdu.objects.map((o) => o.id);
      f['modbus.object_str_value'] = pdu.objects.map((o) => o.value);
      break;
    case 'mei':
      f['modbus.mei'] = pdu.meiType;
      break;
    case 'report-server-id':
    case 'file-record':
      f['modbus.byte_cnt'] = pdu.data.length;
      break;
    case 'raw':
      if (pdu.data.length) f['modbus.data'] = toHex(pdu.data);
      break;
    default:
      break;
  }
}

function fields(m: ModbusMessage): Fields {
  const f: Fields = {
    'mbtcp.trans_id': m.transactionId,
    'mbtcp.prot_id': 0,
    'mbtcp.unit_id': m.unitId,
    // tshark masks the exception bit off modbus.func_code (reference/corpus/README.md).
    'modbus.func_code': m.function.code,
    'modbus.func_name': m.function.name,
    'modbus.request': m.direction === 'to-server',
  };
  if (m.exception) f['modbus.exception_code'] = m.exception.code;
  pduFields(m.pdu, m.function.code, f);
  if (m.function.code === 90 && !m.exception && m.pdu.kind === 'raw' && m.pdu.data.length >= 2) {
    f['modbus.umas.session'] = m.pdu.data[0];
    if (m.direction === 'to-server') {
      f['modbus.umas.func'] = m.pdu.data[1];
      f['modbus.umas.func_name'] = UMAS_FUNCTION_NAMES[m.pdu.data[1]] ?? 'unknown';
    } else f['modbus.umas.status'] = m.pdu.data[1];
  }
  return f;
}

/** fields() restricted to what the traffic summary counts (Protocol.summaryFields). */
function summaryFields(m: ModbusMessage): Fields {
  const f: Fields = { 'mbtcp.unit_id': m.unitId, 'modbus.func_code': m.function.code };
  if (m.exception) f['modbus.exception_code'] = m.exception.code;
  return f;
}

export const modbus: Protocol<ModbusMessage> = {
  name: 'modbus',
  endpoints: [
    { transport: 'tcp', port: 502 },
    { transport: 'udp', port: 502 },
  ],
  recognize,
  parse: (bytes, direction) => parse(bytes, direction),
  encode,
  identify,
  fields,
  summaryFields,
  tally: modbusTally,
};
