// A persona is one real device model as the network sees it: which protocols it speaks and
// what each of them says about the device. Text values are templates: `{firmware}`, `{fwMajor}`,
// `{fwMinor}`, `{serial}`, `{station}`, `{plant}`, `{mac}`, `{macSuffix}`, `{hostId}`, `{uuid}`,
// `{instance}` (BACnet device instance) and `{address}` (the device's LAN address) are filled per
// deployment (see deploy.ts), so a thousand twins of one model differ as real fleets do.
import type { DeviceIdentity } from '../model/index.ts';

export type DeviceKind = 'plc' | 'rtu' | 'relay' | 'gateway' | 'io' | 'bms' | 'meter' | 'broker' | 'scada' | 'honeypot';

/** Modbus/TCP: MEI 0x2B/0x0E objects (§6.21) and the report-server-id (0x11) text. */
export interface ModbusSpec {
  /** Read Device Identification objects; absent = the device answers 43/14 with exception 01. */
  objects?: {
    vendorName: string;
    productCode: string;
    revision: string;
    vendorUrl?: string;
    productName?: string;
    modelName?: string;
    userApplicationName?: string;
  };
  /** Report Server ID (0x11) data as text; absent = exception 01. */
  serverId?: string;
  conformityLevel?: number;
}

/** S7comm: SZL 0x0011 (module identification) and 0x001C (component identification). */
export interface S7Spec {
  /** Module hardware revision (Ausbg of the module record). */
  hardware: number;
  systemName: string;
  moduleName: string;
  plantId: string;
  copyright: string;
  moduleTypeName: string;
  /** The order number the SZL answers carry when it is not the persona's own (honeypots). */
  orderNumber?: string;
}

/** EtherNet/IP ListIdentity item (CIP Vol 2 §2-4.2.3). */
export interface EnipSpec {
  vendorId: number;
  deviceType: number;
  productCode: number;
  productName: string;
  /** Revision major.minor; defaults to the firmware. */
  revision?: string;
  status?: number;
}

/** Omron FINS controller data read (0501) answer. */
export interface FinsSpec {
  controllerModel: string;
  controllerVersion: string;
}

/** BACnet device object properties (ASHRAE 135 §12.11). */
export interface BacnetSpec {
  vendorId: number;
  vendorName: string;
  modelName: string;
  firmwareRevision: string;
  applicationSoftwareVersion: string;
  objectName: string;
  description?: string;
  location?: string;
}

/** OPC UA ApplicationDescription (IEC 62541-4 §7.2). */
export interface OpcuaSpec {
  applicationName: string;
  applicationUri: string;
  productUri: string;
}

/** MQTT broker: the $SYS/broker/version text; `auth: true` refuses anonymous CONNECTs. */
export interface MqttSpec {
  version: string;
  auth?: boolean;
}

/** Niagara Fox hello answer, key → value, in the order the station sends them. */
export interface FoxSpec {
  hello: Array<[string, string]>;
}

/** DNP3 outstation: link address and group 0 device attributes (IEEE 1815-2012 §A.1). */
export interface Dnp3Spec {
  address: number;
  manufacturer?: string;
  productName?: string;
  softwareVersion?: string;
  hardwareVersion?: string;
  deviceName?: string;
  serialNumber?: string;
}

/** IEC 60870-5-104 station: ASDU common address and the single points it reports. */
export interface Iec104Spec {
  commonAddress: number;
  points: number;
}

export interface ServiceSpecs {
  modbus?: ModbusSpec;
  s7comm?: S7Spec;
  enip?: EnipSpec;
  fins?: FinsSpec;
  bacnet?: BacnetSpec;
  opcua?: OpcuaSpec;
  mqtt?: MqttSpec;
  fox?: FoxSpec;
  dnp3?: Dnp3Spec;
  iec104?: Iec104Spec;
}

export type ProtocolName = keyof ServiceSpecs;

export interface Persona {
  id: string;
  vendor: string;
  product: string;
  model: string;
  orderNumber?: string;
  kind: DeviceKind;
  /** Relative frequency in a province's exposed population. */
  weight: number;
  /** Firmware images met in the field, as the device itself writes them. */
  firmware: string[];
  /** Serial pattern: literal text with {dN} digits, {AN} capital letters, {XN}/{xN} hex digits. */
  serial: string;
  /** IEEE OUI of the vendor's network interfaces, "00:1b:1b". */
  oui: string;
  /** Marks identities copied from a public honeypot's defaults (Conpot). */
  honeypot?: string;
  services: ServiceSpecs;
}

/** A persona deployed at one place: its template variables fixed, its identity known. */
export interface Device {
  persona: Persona;
  /** Deployment index (0-based), fixes every random choice together with the seed. */
  index: number;
  vars: Readonly<Record<string, string>>;
  /** The persona's identity as the operator would write it down (the twin's ground truth). */
  identity: DeviceIdentity;
}
