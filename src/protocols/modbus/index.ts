export { modbus } from './modbus.ts';
export type { DeviceIdObject, ModbusMessage, ModbusPdu } from './message.ts';
export {
  DEVICE_ID_OBJECT_NAMES,
  EXCEPTION_NAMES,
  FUNCTION_NAMES,
  READ_DEVICE_ID_CODES,
} from './function-codes.ts';
export { readDeviceIdentification, readHoldingRegisters, reportServerId } from './requests.ts';
export { deviceIdResponse, exceptionResponse, reportServerIdResponse } from './responses.ts';
export { UMAS_FUNCTION_NAMES } from './umas.ts';
