// Modbus/TCP device: Read Device Identification (43/14, Modbus Application Protocol v1.1b3
// §6.21), Report Server ID (17, §6.13) and register reads with stable per-device values.
import {
  deviceIdResponse, exceptionResponse, modbus, readDeviceIdentification, reportServerId, reportServerIdResponse,
  type ModbusMessage,
} from '../../protocols/modbus/index.ts';
import { hash32, render } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour } from './types.ts';

/** §6.21 object ids: 0–2 basic, 3–6 regular. */
const OBJECT_IDS = { vendorName: 0, productCode: 1, revision: 2, vendorUrl: 3, productName: 4, modelName: 5, userApplicationName: 6 } as const;

/** §6.3: at most 125 registers per read; 2000 bits per coil read (§6.1). */
const MAX_REGISTERS = 125;
const MAX_BITS = 2000;
/** The address space the persona's data model covers; reads beyond it are exception 02. */
const DATA_SIZE = 10_000;

function objects(device: Device): { id: number; value: string }[] {
  const o = device.persona.services.modbus?.objects;
  if (!o) return [];
  return (Object.keys(OBJECT_IDS) as (keyof typeof OBJECT_IDS)[])
    .filter((k) => o[k] !== undefined)
    .map((k) => ({ id: OBJECT_IDS[k], value: render(o[k] as string, device.vars) }));
}

function register(device: Device, address: number): number {
  return hash32(`${device.vars.serial}/${address}`) & 0xffff;
}

function answer(device: Device, request: ModbusMessage): ModbusMessage[] {
  const spec = device.persona.services.modbus ?? {};
  const pdu = request.pdu;
  const code = request.function.code;
  if (code === 43 && pdu.kind === 'device-id-request') {
    const objs = objects(device);
    return [objs.length ? deviceIdResponse(request, objs, spec.conformityLevel ?? 0x83) : exceptionResponse(request, 1)];
  }
  if (code === 17) {
    if (!spec.serverId) return [exceptionResponse(request, 1)];
    return [reportServerIdResponse(request, new TextEncoder().encode(render(spec.serverId, device.vars)))];
  }
  if ((code === 3 || code === 4) && pdu.kind === 'read-request') {
    if (pdu.quantity < 1 || pdu.quantity > MAX_REGISTERS) return [exceptionResponse(request, 3)];
    if (pdu.address + pdu.quantity > DATA_SIZE) return [exceptionResponse(request, 2)];
    const values = Array.from({ length: pdu.quantity }, (_, i) => register(device, (code << 16) + pdu.address + i));
    return [{ ...reply(request), pdu: { kind: 'registers', values } }];
  }
  if ((code === 1 || code === 2) && pdu.kind === 'read-request') {
    if (pdu.quantity < 1 || pdu.quantity > MAX_BITS) return [exceptionResponse(request, 3)];
    if (pdu.address + pdu.quantity > DATA_SIZE) return [exceptionResponse(request, 2)];
    const values = new Uint8Array(Math.ceil(pdu.quantity / 8));
    for (let i = 0; i < pdu.quantity; i++) if (register(device, (code << 16) + pdu.address + i) & 1) values[i >> 3] |= 1 << (i & 7);
    return [{ ...reply(request), pdu: { kind: 'bits', values } }];
  }
  return [exceptionResponse(request, 1)];
}

function reply(request: ModbusMessage): ModbusMessage {
  return { anomalies: [], direction: 'to-client', transactionId: request.transactionId, unitId: request.unitId, function: { ...request.function }, pdu: { kind: 'empty' } };
}

export const modbusBehaviour: Behaviour<ModbusMessage> = {
  name: 'modbus',
  protocol: modbus,
  answer,
  probes: () => [readDeviceIdentification(1, 1, 3, 0), reportServerId(2, 1)],
};
