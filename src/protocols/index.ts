export type {
  Direction,
  Endpoint,
  FieldValue,
  Fields,
  FlowState,
  Message,
  Parsed,
  Protocol,
  PduTally,
  Tally,
} from './protocol.ts';
export { TALLY_PARSE } from './protocol.ts';
export type { ProtocolFixture } from './fixture.ts';
export { fixture, fixturesFor } from './fixture.ts';
export { PROTOCOLS, protocolByName, protocolsAt, recognizeProtocols } from './registry.ts';

export { modbus, type ModbusMessage, type ModbusPdu } from './modbus/index.ts';
export { s7comm, type S7commMessage } from './s7comm/index.ts';
export { s7commPlus, type S7commPlusMessage } from './s7comm-plus/index.ts';
export { enip, type EnipMessage } from './enip/index.ts';
export { fins, type FinsMessage } from './fins/index.ts';
