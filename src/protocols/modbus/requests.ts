// Read-only requests the scanner sends, as messages for `modbus.encode`.
import type { ModbusMessage } from './message.ts';
import { functionName } from './function-codes.ts';

function request(transactionId: number, unitId: number, code: number, pdu: ModbusMessage['pdu']): ModbusMessage {
  return { anomalies: [], direction: 'to-server', transactionId, unitId, function: { code, name: functionName(code) }, pdu };
}

/** 43 / 14 Read Device Identification (§6.21): code 1 basic, 2 regular, 3 extended, 4 one object. */
export function readDeviceIdentification(transactionId: number, unitId: number, readDeviceIdCode = 1, objectId = 0): ModbusMessage {
  return request(transactionId, unitId, 43, { kind: 'device-id-request', readDeviceIdCode, objectId });
}

/** 17 Report Server ID (§6.13). */
export function reportServerId(transactionId: number, unitId: number): ModbusMessage {
  return request(transactionId, unitId, 17, { kind: 'empty' });
}

/** 3 Read Holding Registers (§6.3). */
export function readHoldingRegisters(transactionId: number, unitId: number, address: number, quantity: number): ModbusMessage {
  return request(transactionId, unitId, 3, { kind: 'read-request', address, quantity });
}
