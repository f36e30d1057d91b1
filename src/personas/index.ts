// Device personas: the catalogue of real device models (data), their deployment with seeded
// per-device values, and how each answers its protocols. Shared by the twin and the honeypot.
export type {
  BacnetSpec, Device, DeviceKind, Dnp3Spec, EnipSpec, FinsSpec, FoxSpec, Iec104Spec, ModbusSpec, MqttSpec, OpcuaSpec, Persona,
  ProtocolName, S7Spec, ServiceSpecs,
} from './types.ts';
export { checkPersona, loadCatalogue, personaById, personas } from './catalogue.ts';
export { deploy, fillPattern, hash32, random, render, versionParts, type DeployOptions } from './deploy.ts';
export {
  BEHAVIOURS, DeviceSession, endpointsOf, exposes, newConversation, probeExchange, protocolsOf, SESSION_LIMITS,
  type Behaviour, type Conversation,
} from './behaviour/index.ts';
