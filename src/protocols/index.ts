export type {
  Direction,
  Endpoint,
  FieldValue,
  Fields,
  FlowState,
  Message,
  Parsed,
  Protocol,
} from './protocol.ts';
export type { ProtocolFixture } from './fixture.ts';
export { fixture, fixturesFor } from './fixture.ts';
export { PROTOCOLS, protocolByName } from './registry.ts';
