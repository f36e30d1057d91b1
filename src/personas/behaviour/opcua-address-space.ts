// A small OPC UA address space per deployed device (IEC 62541-3 nodes, IEC 62541-5 standard
// nodes): Root with the Objects, Types and Views folders; the Server object with ServerArray,
// NamespaceArray, ServiceLevel and ServerStatus (StartTime, CurrentTime, State, BuildInfo); and
// one folder of process variables for the device, picked per deployment from what its site
// runs (a water plant has flows and levels, a substation voltages and breakers) and moving
// slowly over time, as live measurements do. Pure: values are functions of the device and the
// time asked for, so the twin and the honeypot answer alike.
import { BUILT_IN, type LocalizedText, type NodeId, type QualifiedName, type Variant } from '../../protocols/opcua/index.ts';
import { ByteWriter } from '../../wire/index.ts';
import { hash32, random, render } from '../deploy.ts';
import type { Device } from '../types.ts';

/** IEC 62541-3 §8.29 NodeClass. */
export const NODE_CLASS = { Object: 1, Variable: 2, Method: 4, ObjectType: 8, VariableType: 16, ReferenceType: 32, DataType: 64, View: 128 } as const;

/** Standard reference types (IEC 62541-5 §11, NodeIds.csv) and the supertype of each. */
export const REF = {
  References: 31, NonHierarchicalReferences: 32, HierarchicalReferences: 33, HasChild: 34, Organizes: 35, HasEventSource: 36,
  HasTypeDefinition: 40, Aggregates: 44, HasSubtype: 45, HasProperty: 46, HasComponent: 47, HasNotifier: 48,
} as const;
const SUPERTYPE: Readonly<Record<number, number>> = { 32: 31, 33: 31, 34: 33, 35: 33, 36: 33, 40: 32, 44: 34, 45: 34, 46: 44, 47: 44, 48: 36 };

export function isReferenceType(id: number): boolean {
  return id === REF.References || id in SUPERTYPE;
}

/** True when `type` is `base` or (with subtypes) below it. */
export function referenceMatches(type: number, base: number, includeSubtypes: boolean): boolean {
  if (type === base) return true;
  if (!includeSubtypes) return false;
  for (let t = SUPERTYPE[type]; t !== undefined; t = SUPERTYPE[t]) if (t === base) return true;
  return false;
}

/** AccessLevel bits (IEC 62541-3 §5.6.2): 1 CurrentRead, 2 CurrentWrite. */
export const ACCESS = { read: 1, write: 2 } as const;

export interface UaVariable {
  dataType: number;
  /** -1 scalar, 1 one-dimensional array. */
  valueRank: number;
  accessLevel: number;
  /** What an anonymous session may do: read only, on every node. */
  userAccessLevel: number;
  minimumSamplingInterval: number;
  value(now: number): Variant;
  /** Sample time of the value: process values are scanned every 100 ms, server values are live. */
  sampled(now: number): number;
}

export interface UaNode {
  nodeId: NodeId;
  key: string;
  nodeClass: number;
  browseName: QualifiedName;
  displayName: LocalizedText;
  description: LocalizedText;
  /** Forward references: reference type, target key. HasTypeDefinition included. */
  refs: Array<{ type: number; target: string }>;
  /** Inverse references, filled once every node is known. */
  inverse: Array<{ type: number; target: string }>;
  typeDefinition?: string;
  eventNotifier?: number;
  isAbstract?: boolean;
  variable?: UaVariable;
}

export interface BuildInfoValue {
  productUri: string;
  manufacturerName: string;
  productName: string;
  softwareVersion: string;
  buildNumber: string;
  /** ms since 1970. */
  buildDate: number;
}

export interface ProcessVariable {
  key: string;
  name: string;
  unit: string;
  writable: boolean;
}

export interface AddressSpace {
  nodes: Map<string, UaNode>;
  namespaces: string[];
  buildInfo: BuildInfoValue;
  /** The device folder's variables, in browse order. */
  process: ProcessVariable[];
  deviceFolder: string;
  startTime(now: number): number;
}

/** ns=0 numeric ids of the standard nodes served (IEC 62541-6 NodeIds.csv). */
const ID = {
  RootFolder: 84, ObjectsFolder: 85, TypesFolder: 86, ViewsFolder: 87, ObjectTypesFolder: 88, VariableTypesFolder: 89, DataTypesFolder: 90,
  ReferenceTypesFolder: 91, Server: 2253, ServerArray: 2254, NamespaceArray: 2255, ServerStatus: 2256, StartTime: 2257, CurrentTime: 2258,
  State: 2259, BuildInfo: 2260, ProductName: 2261, ProductUri: 2262, ManufacturerName: 2263, SoftwareVersion: 2264, BuildNumber: 2265,
  BuildDate: 2266, ServiceLevel: 2267, SecondsTillShutdown: 2992, ShutdownReason: 2993, Auditing: 2994,
  BaseObjectType: 58, FolderType: 61, BaseVariableType: 62, BaseDataVariableType: 63, PropertyType: 68, ServerType: 2004,
  ServerStatusType: 2138, BuildInfoType: 3051, BaseDataType: 24, ServerState: 852, ServerStatusDataType: 862, BuildInfoDataType: 338,
  UtcTime: 294,
} as const;

/** Binary encodings of the structures served (NodeIds.csv): ServerStatusDataType, BuildInfo. */
const ENCODING = { ServerStatus: 864, BuildInfo: 340 } as const;

const DAY = 86_400_000;

interface ProcessTemplate {
  name: string;
  unit: string;
  type: 'Double' | 'Float' | 'Boolean' | 'UInt32';
  lo: number;
  hi: number;
  writable?: boolean;
}

const WATER: ProcessTemplate[] = [
  { name: 'InletFlow', unit: 'm3/h', type: 'Double', lo: 180, hi: 950 },
  { name: 'OutletPressure', unit: 'bar', type: 'Double', lo: 2.2, hi: 5.8 },
  { name: 'ClearWellLevel', unit: 'm', type: 'Double', lo: 1.5, hi: 6.5 },
  { name: 'Turbidity', unit: 'NTU', type: 'Float', lo: 0.08, hi: 0.9 },
  { name: 'ResidualChlorine', unit: 'mg/L', type: 'Float', lo: 0.3, hi: 1.1 },
  { name: 'Pump1Running', unit: '', type: 'Boolean', lo: 0, hi: 1 },
  { name: 'Pump2Running', unit: '', type: 'Boolean', lo: 0, hi: 1 },
  { name: 'PressureSetpoint', unit: 'bar', type: 'Double', lo: 3.5, hi: 4.5, writable: true },
  { name: 'Pump1RunHours', unit: 'h', type: 'UInt32', lo: 8_000, hi: 60_000 },
];
const POWER: ProcessTemplate[] = [
  { name: 'BusVoltage', unit: 'kV', type: 'Double', lo: 10.3, hi: 10.7 },
  { name: 'LineCurrent', unit: 'A', type: 'Double', lo: 140, hi: 620 },
  { name: 'Frequency', unit: 'Hz', type: 'Double', lo: 49.96, hi: 50.04 },
  { name: 'ActivePower', unit: 'MW', type: 'Double', lo: 2.5, hi: 11 },
  { name: 'PowerFactor', unit: '', type: 'Float', lo: 0.88, hi: 0.98 },
  { name: 'TransformerOilTemp', unit: 'degC', type: 'Float', lo: 38, hi: 72 },
  { name: 'BreakerClosed', unit: '', type: 'Boolean', lo: 0, hi: 1 },
  { name: 'VoltageSetpoint', unit: 'kV', type: 'Double', lo: 10.4, hi: 10.6, writable: true },
];
const GAS: ProcessTemplate[] = [
  { name: 'InletPressure', unit: 'MPa', type: 'Double', lo: 1.2, hi: 3.8 },
  { name: 'OutletPressure', unit: 'kPa', type: 'Double', lo: 180, hi: 380 },
  { name: 'StandardFlow', unit: 'Nm3/h', type: 'Double', lo: 400, hi: 5200 },
  { name: 'GasTemperature', unit: 'degC', type: 'Float', lo: 4, hi: 26 },
  { name: 'ShutoffValveOpen', unit: '', type: 'Boolean', lo: 0, hi: 1 },
  { name: 'OdorantLevel', unit: '%', type: 'Float', lo: 35, hi: 90 },
  { name: 'OutletPressureSetpoint', unit: 'kPa', type: 'Double', lo: 250, hi: 320, writable: true },
];
const BATCH: ProcessTemplate[] = [
  { name: 'ReactorTemperature', unit: 'degC', type: 'Double', lo: 62, hi: 148 },
  { name: 'ReactorPressure', unit: 'bar', type: 'Double', lo: 1.1, hi: 6.5 },
  { name: 'AgitatorSpeed', unit: 'rpm', type: 'Float', lo: 40, hi: 220 },
  { name: 'FeedFlow', unit: 'L/min', type: 'Float', lo: 12, hi: 140 },
  { name: 'pH', unit: '', type: 'Float', lo: 5.8, hi: 8.2 },
  { name: 'HeaterOn', unit: '', type: 'Boolean', lo: 0, hi: 1 },
  { name: 'BatchCount', unit: '', type: 'UInt32', lo: 1_200, hi: 30_000 },
  { name: 'TemperatureSetpoint', unit: 'degC', type: 'Double', lo: 80, hi: 130, writable: true },
];
const KILN: ProcessTemplate[] = [
  { name: 'KilnTemperature', unit: 'degC', type: 'Double', lo: 1280, hi: 1460 },
  { name: 'ExhaustFanSpeed', unit: 'rpm', type: 'Float', lo: 650, hi: 980 },
  { name: 'ConveyorSpeed', unit: 'm/s', type: 'Float', lo: 0.8, hi: 2.4 },
  { name: 'MainDriveCurrent', unit: 'A', type: 'Double', lo: 180, hi: 410 },
  { name: 'DamperPosition', unit: '%', type: 'Float', lo: 20, hi: 85 },
  { name: 'MainDriveRunning', unit: '', type: 'Boolean', lo: 0, hi: 1 },
  { name: 'FanSpeedSetpoint', unit: 'rpm', type: 'Float', lo: 700, hi: 900, writable: true },
];
const HEAT: ProcessTemplate[] = [
  { name: 'SupplyWaterTemp', unit: 'degC', type: 'Double', lo: 68, hi: 92 },
  { name: 'ReturnWaterTemp', unit: 'degC', type: 'Double', lo: 45, hi: 65 },
  { name: 'SteamPressure', unit: 'bar', type: 'Double', lo: 6, hi: 12 },
  { name: 'BoilerLoad', unit: '%', type: 'Float', lo: 25, hi: 95 },
  { name: 'FeedwaterFlow', unit: 't/h', type: 'Float', lo: 2, hi: 14 },
  { name: 'BurnerOn', unit: '', type: 'Boolean', lo: 0, hi: 1 },
  { name: 'SupplyTempSetpoint', unit: 'degC', type: 'Double', lo: 75, hi: 85, writable: true },
];

/** Site codes of deploy.ts's {station} ("WTP03_PLC2") → the process that site runs. */
const BY_SITE: Readonly<Record<string, ProcessTemplate[]>> = {
  WTP: WATER, WWTP: WATER, PS: WATER, SUB: POWER, GAS, CHEM: BATCH, PHM: BATCH, FOOD: BATCH, STL: KILN, CEM: KILN, HVAC: HEAT, BLR: HEAT,
};

const TYPE_IDS: Readonly<Record<ProcessTemplate['type'], number>> = { Double: BUILT_IN.Double, Float: BUILT_IN.Float, Boolean: BUILT_IN.Boolean, UInt32: BUILT_IN.UInt32 };

export function keyOf(n: NodeId): string {
  return `${n.namespace}|${n.kind}|${n.id}`;
}

const ns0 = (id: number): NodeId => ({ namespace: 0, kind: 'numeric', id });

/** DateTime (§5.2.2.5): 100 ns ticks since 1601-01-01 UTC, for structure bodies. */
function ticks(ms: number): bigint {
  return (BigInt(Math.floor(ms)) + 11_644_473_600_000n) * 10_000n;
}

function writeUaString(w: ByteWriter, s: string): void {
  const b = new TextEncoder().encode(s);
  w.i32le(b.length).bytes(b);
}

function buildInfoBody(w: ByteWriter, b: BuildInfoValue): void {
  writeUaString(w, b.productUri);
  writeUaString(w, b.manufacturerName);
  writeUaString(w, b.productName);
  writeUaString(w, b.softwareVersion);
  writeUaString(w, b.buildNumber);
  w.u64le(ticks(b.buildDate));
}

/** BuildInfo (IEC 62541-5 §12.4) as an ExtensionObject Variant. */
function buildInfoVariant(b: BuildInfoValue): Variant {
  const w = new ByteWriter(160);
  buildInfoBody(w, b);
  return { type: BUILT_IN.ExtensionObject, value: { typeId: ns0(ENCODING.BuildInfo), body: w.finish() } };
}

/** ServerStatusDataType (IEC 62541-5 §12.10): State 0 = Running. */
function serverStatusVariant(b: BuildInfoValue, start: number, now: number): Variant {
  const w = new ByteWriter(200);
  w.u64le(ticks(start)).u64le(ticks(now)).u32le(0);
  buildInfoBody(w, b);
  w.u32le(0); // secondsTillShutdown
  w.u8(0); // shutdownReason: empty LocalizedText
  return { type: BUILT_IN.ExtensionObject, value: { typeId: ns0(ENCODING.ServerStatus), body: w.finish() } };
}

/**
 * What the server says it is: the persona's vendor, product and firmware as the device's own
 * BuildInfo writes them; the build number and date follow from the firmware image, so devices
 * running one image agree, as a real fleet does.
 */
export function buildInfoOf(device: Device): BuildInfoValue {
  const spec = device.persona.services.opcua;
  const firmware = device.vars.firmware;
  const images = device.persona.firmware;
  const at = Math.max(0, images.indexOf(firmware));
  const h = hash32(`${device.persona.id}/${firmware}/build`);
  // Images in the catalogue are listed oldest first: release dates a year or so apart from 2017.
  const buildDate = Date.UTC(2017, 2, 1) + at * 380 * DAY + (h % 120) * DAY + (h % 86_400) * 1000;
  return {
    productUri: spec ? render(spec.productUri, device.vars) : '',
    manufacturerName: device.persona.vendor,
    productName: device.persona.product,
    softwareVersion: firmware,
    buildNumber: String(1000 + (h % 9000)),
    buildDate,
  };
}

const cache = new WeakMap<Device, AddressSpace>();

/** The device's address space (built once per deployed device). */
export function addressSpaceOf(device: Device): AddressSpace {
  let space = cache.get(device);
  if (!space) {
    space = build(device);
    cache.set(device, space);
  }
  return space;
}

function build(device: Device): AddressSpace {
  const spec = device.persona.services.opcua;
  const applicationUri = spec ? render(spec.applicationUri, device.vars) : `urn:${device.vars.station}`;
  const station = device.vars.station ?? 'Device';
  const next = random(`${device.vars.serial}/opcua`);
  const namespaces = ['http://opcfoundation.org/UA/', applicationUri, `${applicationUri}:Process`];
  const buildInfo = buildInfoOf(device);
  // Up between 3 and 400 days, restarted at the same phase every cycle: stable for months, as a
  // controller's start time is between maintenance windows.
  const cycle = Math.floor((3 + next() * 397) * DAY);
  const phase = Math.floor(next() * cycle);
  const startTime = (now: number) => now - ((((now - phase) % cycle) + cycle) % cycle);
  const nodes = new Map<string, UaNode>();

  const add = (nodeId: NodeId, nodeClass: number, name: string, more: Partial<UaNode> = {}, browseNs = nodeId.namespace): UaNode => {
    const node: UaNode = {
      nodeId, key: keyOf(nodeId), nodeClass, browseName: { namespace: browseNs, name }, displayName: { text: name }, description: { text: '' },
      refs: [], inverse: [], ...more,
    };
    nodes.set(node.key, node);
    return node;
  };
  const link = (from: UaNode, type: number, to: UaNode) => from.refs.push({ type, target: to.key });
  const typed = (n: UaNode, type: UaNode) => {
    n.typeDefinition = type.key;
    link(n, REF.HasTypeDefinition, type);
  };

  // Types this space refers to, each under its folder with its supertype (HasSubtype).
  const baseObjectType = add(ns0(ID.BaseObjectType), NODE_CLASS.ObjectType, 'BaseObjectType');
  const folderType = add(ns0(ID.FolderType), NODE_CLASS.ObjectType, 'FolderType');
  const serverType = add(ns0(ID.ServerType), NODE_CLASS.ObjectType, 'ServerType');
  const baseVariableType = add(ns0(ID.BaseVariableType), NODE_CLASS.VariableType, 'BaseVariableType', { isAbstract: true });
  const baseDataVariableType = add(ns0(ID.BaseDataVariableType), NODE_CLASS.VariableType, 'BaseDataVariableType');
  const propertyType = add(ns0(ID.PropertyType), NODE_CLASS.VariableType, 'PropertyType');
  const serverStatusType = add(ns0(ID.ServerStatusType), NODE_CLASS.VariableType, 'ServerStatusType');
  const buildInfoType = add(ns0(ID.BuildInfoType), NODE_CLASS.VariableType, 'BuildInfoType');
  const baseDataType = add(ns0(ID.BaseDataType), NODE_CLASS.DataType, 'BaseDataType', { isAbstract: true });
  const references = add(ns0(REF.References), NODE_CLASS.ReferenceType, 'References', { isAbstract: true });
  for (const t of [folderType, serverType]) link(baseObjectType, REF.HasSubtype, t);
  for (const t of [baseDataVariableType, propertyType]) link(baseVariableType, REF.HasSubtype, t);
  for (const t of [serverStatusType, buildInfoType]) link(baseDataVariableType, REF.HasSubtype, t);

  const folder = (id: number, name: string, parent?: UaNode) => {
    const f = add(ns0(id), NODE_CLASS.Object, name);
    typed(f, folderType);
    if (parent) link(parent, REF.Organizes, f);
    return f;
  };
  const root = folder(ID.RootFolder, 'Root');
  const objects = folder(ID.ObjectsFolder, 'Objects', root);
  const types = folder(ID.TypesFolder, 'Types', root);
  folder(ID.ViewsFolder, 'Views', root);
  link(folder(ID.ObjectTypesFolder, 'ObjectTypes', types), REF.Organizes, baseObjectType);
  link(folder(ID.VariableTypesFolder, 'VariableTypes', types), REF.Organizes, baseVariableType);
  link(folder(ID.DataTypesFolder, 'DataTypes', types), REF.Organizes, baseDataType);
  link(folder(ID.ReferenceTypesFolder, 'ReferenceTypes', types), REF.Organizes, references);

  const live = (now: number) => now;
  const constant = (value: (now: number) => Variant, dataType: number, valueRank = -1): UaVariable => ({
    dataType, valueRank, accessLevel: ACCESS.read, userAccessLevel: ACCESS.read, minimumSamplingInterval: 0, value, sampled: live,
  });
  const variable = (parent: UaNode, ref: number, id: number, name: string, type: UaNode, v: UaVariable) => {
    const n = add(ns0(id), NODE_CLASS.Variable, name, { variable: v });
    typed(n, type);
    link(parent, ref, n);
    return n;
  };

  const server = add(ns0(ID.Server), NODE_CLASS.Object, 'Server', { eventNotifier: 1 });
  typed(server, serverType);
  link(objects, REF.Organizes, server);
  const str = (s: string): Variant => ({ type: BUILT_IN.String, value: s });
  variable(server, REF.HasProperty, ID.ServerArray, 'ServerArray', propertyType, constant(() => ({ type: BUILT_IN.String, value: [applicationUri] }), BUILT_IN.String, 1));
  variable(server, REF.HasProperty, ID.NamespaceArray, 'NamespaceArray', propertyType, constant(() => ({ type: BUILT_IN.String, value: [...namespaces] }), BUILT_IN.String, 1));
  variable(server, REF.HasProperty, ID.ServiceLevel, 'ServiceLevel', propertyType, constant(() => ({ type: BUILT_IN.Byte, value: 255 }), BUILT_IN.Byte));
  variable(server, REF.HasProperty, ID.Auditing, 'Auditing', propertyType, constant(() => ({ type: BUILT_IN.Boolean, value: false }), BUILT_IN.Boolean));
  const status = variable(server, REF.HasComponent, ID.ServerStatus, 'ServerStatus', serverStatusType,
    constant((now) => serverStatusVariant(buildInfo, startTime(now), now), ID.ServerStatusDataType));
  const date = (f: (now: number) => number): UaVariable => constant((now) => ({ type: BUILT_IN.DateTime, value: f(now) }), ID.UtcTime);
  variable(status, REF.HasComponent, ID.StartTime, 'StartTime', baseDataVariableType, date(startTime));
  variable(status, REF.HasComponent, ID.CurrentTime, 'CurrentTime', baseDataVariableType, date((now) => now));
  variable(status, REF.HasComponent, ID.State, 'State', baseDataVariableType, constant(() => ({ type: BUILT_IN.Int32, value: 0 }), ID.ServerState));
  const bi = variable(status, REF.HasComponent, ID.BuildInfo, 'BuildInfo', buildInfoType, constant(() => buildInfoVariant(buildInfo), ID.BuildInfoDataType));
  variable(bi, REF.HasComponent, ID.ProductUri, 'ProductUri', baseDataVariableType, constant(() => str(buildInfo.productUri), BUILT_IN.String));
  variable(bi, REF.HasComponent, ID.ManufacturerName, 'ManufacturerName', baseDataVariableType, constant(() => str(buildInfo.manufacturerName), BUILT_IN.String));
  variable(bi, REF.HasComponent, ID.ProductName, 'ProductName', baseDataVariableType, constant(() => str(buildInfo.productName), BUILT_IN.String));
  variable(bi, REF.HasComponent, ID.SoftwareVersion, 'SoftwareVersion', baseDataVariableType, constant(() => str(buildInfo.softwareVersion), BUILT_IN.String));
  variable(bi, REF.HasComponent, ID.BuildNumber, 'BuildNumber', baseDataVariableType, constant(() => str(buildInfo.buildNumber), BUILT_IN.String));
  variable(bi, REF.HasComponent, ID.BuildDate, 'BuildDate', baseDataVariableType, date(() => buildInfo.buildDate));
  variable(status, REF.HasComponent, ID.SecondsTillShutdown, 'SecondsTillShutdown', baseDataVariableType, constant(() => ({ type: BUILT_IN.UInt32, value: 0 }), BUILT_IN.UInt32));
  variable(status, REF.HasComponent, ID.ShutdownReason, 'ShutdownReason', baseDataVariableType, constant(() => ({ type: BUILT_IN.LocalizedText, value: {} }), BUILT_IN.LocalizedText));

  // The device folder: ns=2 string ids "<station>.<name>", as engineering tools export tag names.
  const deviceNode = add({ namespace: 2, kind: 'string', id: station }, NODE_CLASS.Object, station);
  typed(deviceNode, folderType);
  link(objects, REF.Organizes, deviceNode);
  const site = /^[A-Z]+/.exec(station)?.[0] ?? '';
  const pool = [...(BY_SITE[site] ?? WATER)];
  const count = Math.min(pool.length, 5 + Math.floor(next() * 3));
  const chosen: ProcessTemplate[] = [];
  while (chosen.length < count) chosen.push(...pool.splice(Math.floor(next() * pool.length), 1));
  // Setpoints are what an operator changes: keep one whenever the site has one.
  const setpoint = pool.find((t) => t.writable);
  if (setpoint && !chosen.some((t) => t.writable)) chosen[chosen.length - 1] = setpoint;
  chosen.sort((a, b) => (BY_SITE[site] ?? WATER).indexOf(a) - (BY_SITE[site] ?? WATER).indexOf(b));
  const process: ProcessVariable[] = [];
  for (const t of chosen) {
    const signal = processSignal(t, next, `${device.vars.serial}/${t.name}`);
    const nodeId: NodeId = { namespace: 2, kind: 'string', id: `${station}.${t.name}` };
    const n = add(nodeId, NODE_CLASS.Variable, t.name, {
      description: { text: t.unit ? `${t.name} [${t.unit}]` : t.name },
      variable: {
        dataType: TYPE_IDS[t.type], valueRank: -1,
        accessLevel: t.writable ? ACCESS.read | ACCESS.write : ACCESS.read,
        userAccessLevel: ACCESS.read,
        minimumSamplingInterval: 100,
        value: (now) => ({ type: TYPE_IDS[t.type], value: signal(now) }),
        sampled: (now) => now - (now % 100),
      },
    });
    typed(n, baseDataVariableType);
    link(deviceNode, REF.HasComponent, n);
    process.push({ key: n.key, name: t.name, unit: t.unit, writable: !!t.writable });
  }

  for (const n of nodes.values()) for (const r of n.refs) nodes.get(r.target)?.inverse.push({ type: r.type, target: n.key });
  return { nodes, namespaces, buildInfo, process, deviceFolder: deviceNode.key, startTime };
}

/**
 * A slowly moving measurement: a level drawn per device inside the template's range, a swing of
 * a few percent over a period of 5-40 minutes, and noise that changes once a second. Booleans
 * are mostly on with an occasional stop; counters grow by one every few minutes.
 */
function processSignal(t: ProcessTemplate, next: () => number, key: string): (now: number) => number | boolean {
  const span = t.hi - t.lo;
  const level = t.lo + span * (0.3 + 0.4 * next());
  const swing = span * (0.05 + 0.1 * next());
  const period = (5 + next() * 35) * 60_000;
  const phase = next() * 2 * Math.PI;
  const digits = span >= 100 ? 1 : span >= 1 ? 2 : 3;
  const scale = 10 ** digits;
  if (t.type === 'Boolean') {
    const cycle = (2 + next() * 10) * 3_600_000;
    return (now) => Math.sin((2 * Math.PI * now) / cycle + phase) > -0.85;
  }
  if (t.type === 'UInt32') {
    const every = (2 + next() * 8) * 60_000;
    return (now) => Math.max(0, Math.floor(level + (now - Date.UTC(2026, 0, 1)) / every)) >>> 0;
  }
  if (t.writable) return () => Math.round(level * scale) / scale;
  return (now) => {
    const noise = ((hash32(`${key}/${Math.floor(now / 1000)}`) / 0x1_0000_0000) - 0.5) * swing * 0.1;
    const v = level + swing * Math.sin((2 * Math.PI * now) / period + phase) + noise;
    return Math.round(v * scale) / scale;
  };
}
