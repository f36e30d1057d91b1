// Answers a device persona (honeypot, digital twin) gives, as messages for `modbus.encode`.
import type { DeviceIdObject, ModbusMessage, ModbusPdu } from './message.ts';
import { exceptionName } from './function-codes.ts';

function reply(request: ModbusMessage, pdu: ModbusPdu): ModbusMessage {
  return { anomalies: [], direction: 'to-client', transactionId: request.transactionId, unitId: request.unitId, function: { ...request.function }, pdu };
}

export function exceptionResponse(request: ModbusMessage, code: number): ModbusMessage {
  const m = reply(request, { kind: 'exception', code });
  m.exception = { code, name: exceptionName(code) };
  return m;
}

/**
 * 43 / 14 reply (§6.21) to a device-id request, from a persona's objects. Basic asks for objects
 * 0–2, regular 0–6, extended everything, specific the one object; all fit in one reply here.
 */
export function deviceIdResponse(request: ModbusMessage, objects: readonly DeviceIdObject[], conformityLevel = 0x82): ModbusMessage {
  if (request.pdu.kind !== 'device-id-request') return exceptionResponse(request, 1);
  const { readDeviceIdCode, objectId } = request.pdu;
  const limit = readDeviceIdCode === 1 ? 2 : readDeviceIdCode === 2 ? 0x7f : 0xff;
  const chosen =
    readDeviceIdCode === 4 ? objects.filter((o) => o.id === objectId) : objects.filter((o) => o.id >= objectId && o.id <= limit);
  if (!chosen.length) return exceptionResponse(request, 2);
  return reply(request, { kind: 'device-id', readDeviceIdCode, conformityLevel, moreFollows: 0, nextObjectId: 0, objects: chosen });
}

/** 17 reply: server id octets, run indicator (0xFF on), additional data. */
export function reportServerIdResponse(request: ModbusMessage, serverId: Uint8Array, running = true, additional: Uint8Array = new Uint8Array(0)): ModbusMessage {
  const data = new Uint8Array(serverId.length + 1 + additional.length);
  data.set(serverId);
  data[serverId.length] = running ? 0xff : 0x00;
  data.set(additional, serverId.length + 1);
  return reply(request, { kind: 'report-server-id', data });
}
