// Decoding and encoding of the Modbus PDU data (everything after the function code), per
// Modbus Application Protocol Specification v1.1b3 §6. A layout that does not fit its bytes
// exactly is kept as raw bytes with an anomaly, so encode(parse(x)) still gives x back.
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import type { Direction } from '../protocol.ts';
import { MEI_TYPES } from './function-codes.ts';
import type { DeviceIdObject, ModbusPdu } from './message.ts';

/** §6.1–§6.4 and §6.11/§6.12 quantity limits. */
const MAX_READ_BITS = 2000;
const MAX_READ_REGISTERS = 125;
const MAX_WRITE_BITS = 1968;
const MAX_WRITE_REGISTERS = 123;
const MAX_RW_WRITE_REGISTERS = 121;
/** §6.18: a FIFO queue holds at most 31 registers. */
const MAX_FIFO = 31;

export interface DecodedPdu {
  pdu: ModbusPdu;
  anomalies: string[];
}

/** byteCount/2 big-endian registers: ByteReader.list's bounds, without a closure per PDU. */
function registers(r: ByteReader, byteCount: number, max = MAX_READ_REGISTERS + 2): number[] {
  const count = byteCount >> 1;
  if (count > max || count * 2 > r.remaining) {
    r.overrun = true;
    return [];
  }
  // Sized up front (an array grown by push from empty reserves 16 slots).
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = r.u16be();
  return out;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function quantityAnomaly(quantity: number, max: number, anomalies: string[]): void {
  if (quantity < 1 || quantity > max) anomalies.push('quantity-out-of-range');
}

function decodeRequest(code: number, r: ByteReader, anomalies: string[]): ModbusPdu | null {
  switch (code) {
    case 1:
    case 2:
    case 3:
    case 4: {
      const address = r.u16be();
      const quantity = r.u16be();
      if (!r.overrun) quantityAnomaly(quantity, code <= 2 ? MAX_READ_BITS : MAX_READ_REGISTERS, anomalies);
      return { kind: 'read-request', address, quantity };
    }
    case 5:
    case 6:
      return { kind: 'write-single', address: r.u16be(), value: r.u16be() };
    case 7:
    case 11:
    case 12:
    case 17:
      return { kind: 'empty' };
    case 8:
      return { kind: 'diagnostics', subFunction: r.u16be(), data: r.bytesView(r.remaining) };
    case 15: {
      const address = r.u16be();
      const quantity = r.u16be();
      const byteCount = r.u8();
      if (r.overrun || byteCount !== r.remaining) return null;
      if (byteCount !== (quantity + 7) >> 3) anomalies.push('byte-count-mismatch');
      quantityAnomaly(quantity, MAX_WRITE_BITS, anomalies);
      return { kind: 'write-multiple-coils', address, quantity, values: r.bytesView(byteCount) };
    }
    case 16: {
      const address = r.u16be();
      const quantity = r.u16be();
      const byteCount = r.u8();
      if (r.overrun || byteCount !== r.remaining || byteCount % 2) return null;
      if (byteCount !== quantity * 2) anomalies.push('byte-count-mismatch');
      quantityAnomaly(quantity, MAX_WRITE_REGISTERS, anomalies);
      return { kind: 'write-multiple-registers', address, quantity, values: registers(r, byteCount) };
    }
    case 20:
    case 21:
      return fileRecord(r);
    case 22:
      return { kind: 'mask-write', address: r.u16be(), andMask: r.u16be(), orMask: r.u16be() };
    case 23: {
      const readAddress = r.u16be();
      const readQuantity = r.u16be();
      const writeAddress = r.u16be();
      const writeQuantity = r.u16be();
      const byteCount = r.u8();
      if (r.overrun || byteCount !== r.remaining || byteCount % 2) return null;
      if (byteCount !== writeQuantity * 2) anomalies.push('byte-count-mismatch');
      quantityAnomaly(readQuantity, MAX_READ_REGISTERS, anomalies);
      quantityAnomaly(writeQuantity, MAX_RW_WRITE_REGISTERS, anomalies);
      const values = registers(r, byteCount);
      return { kind: 'read-write-registers', readAddress, readQuantity, writeAddress, writeQuantity, values };
    }
    case 24:
      return { kind: 'fifo-request', address: r.u16be() };
    case 43: {
      const meiType = r.u8();
      if (meiType === MEI_TYPES.readDeviceIdentification) {
        return { kind: 'device-id-request', readDeviceIdCode: r.u8(), objectId: r.u8() };
      }
      return { kind: 'mei', meiType, data: r.bytesView(r.remaining) };
    }
    default:
      return { kind: 'raw', data: r.bytesView(r.remaining) };
  }
}

function fileRecord(r: ByteReader): ModbusPdu | null {
  const byteCount = r.u8();
  if (r.overrun || byteCount !== r.remaining) return null;
  return { kind: 'file-record', data: r.bytesView(byteCount) };
}

function decodeResponse(code: number, r: ByteReader, anomalies: string[]): ModbusPdu | null {
  switch (code) {
    case 1:
    case 2: {
      const byteCount = r.u8();
      if (r.overrun || byteCount !== r.remaining) return null;
      return { kind: 'bits', values: r.bytesView(byteCount) };
    }
    case 3:
    case 4:
    case 23: {
      const byteCount = r.u8();
      if (r.overrun || byteCount !== r.remaining || byteCount % 2) return null;
      return { kind: 'registers', values: registers(r, byteCount) };
    }
    case 5:
    case 6:
      return { kind: 'write-single', address: r.u16be(), value: r.u16be() };
    case 7:
      return { kind: 'exception-status', status: r.u8() };
    case 8:
      return { kind: 'diagnostics', subFunction: r.u16be(), data: r.bytesView(r.remaining) };
    case 11:
      return { kind: 'comm-event-counter', status: r.u16be(), eventCount: r.u16be() };
    case 12: {
      const byteCount = r.u8();
      if (r.overrun || byteCount !== r.remaining || byteCount < 6) return null;
      const status = r.u16be();
      const eventCount = r.u16be();
      const messageCount = r.u16be();
      return { kind: 'comm-event-log', status, eventCount, messageCount, events: r.bytesView(byteCount - 6) };
    }
    case 15:
    case 16:
      return { kind: 'write-multiple-response', address: r.u16be(), quantity: r.u16be() };
    case 17: {
      const byteCount = r.u8();
      if (r.overrun || byteCount !== r.remaining) return null;
      return { kind: 'report-server-id', data: r.bytesView(byteCount) };
    }
    case 20:
    case 21:
      return fileRecord(r);
    case 22:
      return { kind: 'mask-write', address: r.u16be(), andMask: r.u16be(), orMask: r.u16be() };
    case 24: {
      const byteCount = r.u16be();
      const fifoCount = r.u16be();
      if (r.overrun || byteCount !== r.remaining + 2 || fifoCount * 2 !== r.remaining) return null;
      if (fifoCount > MAX_FIFO) anomalies.push('quantity-out-of-range');
      return { kind: 'fifo', values: registers(r, fifoCount * 2, 0x7fff) };
    }
    case 43: {
      const meiType = r.u8();
      if (meiType !== MEI_TYPES.readDeviceIdentification) return { kind: 'mei', meiType, data: r.bytesView(r.remaining) };
      const readDeviceIdCode = r.u8();
      const conformityLevel = r.u8();
      const moreFollows = r.u8();
      const nextObjectId = r.u8();
      const count = r.u8();
      const objects = r.list(
        count,
        (x): DeviceIdObject => {
          const id = x.u8();
          const length = x.u8();
          if (length > x.remaining) x.has(length);
          return { id, value: latin1(x.bytesView(length)) };
        },
        255,
        2,
      );
      if (moreFollows !== 0 && moreFollows !== 0xff) anomalies.push('invalid-more-follows');
      return { kind: 'device-id', readDeviceIdCode, conformityLevel, moreFollows, nextObjectId, objects };
    }
    default:
      return { kind: 'raw', data: r.bytesView(r.remaining) };
  }
}

/**
 * Decodes the PDU data after the function code, bytes[start, end); `exception` is set for a
 * 0x80-flagged response. No view of the data is made unless it is kept raw.
 */
export function decodePdu(code: number, exception: boolean, direction: Direction, bytes: Uint8Array, start: number, end: number): DecodedPdu {
  const anomalies: string[] = [];
  const r = new ByteReader(bytes, start, end);
  let pdu: ModbusPdu | null;
  if (exception) pdu = { kind: 'exception', code: r.u8() };
  else pdu = direction === 'to-server' ? decodeRequest(code, r, anomalies) : decodeResponse(code, r, anomalies);
  if (pdu === null || r.overrun || r.remaining !== 0) {
    return { pdu: { kind: 'raw', data: bytes.subarray(start, end) }, anomalies: [code === 0 ? 'invalid-function-code' : 'pdu-length-mismatch'] };
  }
  if (code === 0) anomalies.push('invalid-function-code');
  return { pdu, anomalies };
}

export function encodePdu(w: ByteWriter, pdu: ModbusPdu): void {
  switch (pdu.kind) {
    case 'read-request':
    case 'write-multiple-response':
      w.u16be(pdu.address).u16be(pdu.quantity);
      return;
    case 'bits':
      w.u8(pdu.values.length).bytes(pdu.values);
      return;
    case 'registers':
      w.u8(pdu.values.length * 2);
      for (const v of pdu.values) w.u16be(v);
      return;
    case 'write-single':
      w.u16be(pdu.address).u16be(pdu.value);
      return;
    case 'write-multiple-coils':
      w.u16be(pdu.address).u16be(pdu.quantity).u8(pdu.values.length).bytes(pdu.values);
      return;
    case 'write-multiple-registers':
      w.u16be(pdu.address).u16be(pdu.quantity).u8(pdu.values.length * 2);
      for (const v of pdu.values) w.u16be(v);
      return;
    case 'empty':
      return;
    case 'exception-status':
      w.u8(pdu.status);
      return;
    case 'diagnostics':
      w.u16be(pdu.subFunction).bytes(pdu.data);
      return;
    case 'comm-event-counter':
      w.u16be(pdu.status).u16be(pdu.eventCount);
      return;
    case 'comm-event-log':
      w.u8(pdu.events.length + 6).u16be(pdu.status).u16be(pdu.eventCount).u16be(pdu.messageCount).bytes(pdu.events);
      return;
    case 'report-server-id':
    case 'file-record':
      w.u8(pdu.data.length).bytes(pdu.data);
      return;
    case 'mask-write':
      w.u16be(pdu.address).u16be(pdu.andMask).u16be(pdu.orMask);
      return;
    case 'read-write-registers':
      w.u16be(pdu.readAddress).u16be(pdu.readQuantity).u16be(pdu.writeAddress).u16be(pdu.writeQuantity);
      w.u8(pdu.values.length * 2);
      for (const v of pdu.values) w.u16be(v);
      return;
    case 'fifo-request':
      w.u16be(pdu.address);
      return;
    case 'fifo':
      w.u16be(pdu.values.length * 2 + 2).u16be(pdu.values.length);
      for (const v of pdu.values) w.u16be(v);
      return;
    case 'device-id-request':
      w.u8(MEI_TYPES.readDeviceIdentification).u8(pdu.readDeviceIdCode).u8(pdu.objectId);
      return;
    case 'device-id':
      w.u8(MEI_TYPES.readDeviceIdentification).u8(pdu.readDeviceIdCode).u8(pdu.conformityLevel);
      w.u8(pdu.moreFollows).u8(pdu.nextObjectId).u8(pdu.objects.length);
      for (const o of pdu.objects) w.u8(o.id).u8(o.value.length).ascii(o.value);
      return;
    case 'mei':
      w.u8(pdu.meiType).bytes(pdu.data);
      return;
    case 'exception':
      w.u8(pdu.code);
      return;
    case 'raw':
      w.bytes(pdu.data);
      return;
  }
}
