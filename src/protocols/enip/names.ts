// EtherNet/IP and CIP catalogues: The CIP Networks Library Vol 2 (EtherNet/IP Adaptation of
// CIP) §2-3 encapsulation commands and §2-6 common packet format item ids; Vol 1 Appendix A
// services, §5 object classes, Appendix B general status codes, Table 6-7.1 device types.
// Vendor ids are the ODVA assignments for the vendors seen most in ICS exposure surveys.

export const COMMAND_NAMES: Readonly<Record<number, string>> = {
  0x0000: 'nop',
  0x0004: 'list-services',
  0x0063: 'list-identity',
  0x0064: 'list-interfaces',
  0x0065: 'register-session',
  0x0066: 'unregister-session',
  0x006f: 'send-rr-data',
  0x0070: 'send-unit-data',
  0x0072: 'indicate-status',
  0x0073: 'cancel',
};

/** CPF item type ids (Vol 2 §2-6). */
export const ITEM = {
  nullAddress: 0x0000,
  listIdentity: 0x000c,
  connectedAddress: 0x00a1,
  connectedData: 0x00b1,
  unconnectedData: 0x00b2,
  listServices: 0x0100,
} as const;

/** COMMAND_NAMES as a table indexed by the 16-bit command (a hot test: the first of every PDU). */
export const KNOWN_COMMAND = new Uint8Array(0x10000);
for (const code of Object.keys(COMMAND_NAMES)) KNOWN_COMMAND[Number(code)] = 1;

export const ITEM_NAMES: Readonly<Record<number, string>> = {
  0x0000: 'null-address',
  0x000c: 'list-identity-response',
  0x0086: 'list-interfaces-response',
  0x00a1: 'connected-address',
  0x00b1: 'connected-data',
  0x00b2: 'unconnected-data',
  0x0100: 'list-services-response',
  0x8000: 'sockaddr-info-o-t',
  0x8001: 'sockaddr-info-t-o',
  0x8002: 'sequenced-address',
};

export const SERVICE_NAMES: Readonly<Record<number, string>> = {
  0x01: 'get-attributes-all',
  0x02: 'set-attributes-all',
  0x03: 'get-attribute-list',
  0x04: 'set-attribute-list',
  0x05: 'reset',
  0x06: 'start',
  0x07: 'stop',
  0x08: 'create',
  0x09: 'delete',
  0x0a: 'multiple-service-packet',
  0x0d: 'apply-attributes',
  0x0e: 'get-attribute-single',
  0x10: 'set-attribute-single',
  0x11: 'find-next-object-instance',
  0x14: 'error-response',
  0x15: 'restore',
  0x16: 'save',
  0x17: 'nop',
  0x18: 'get-member',
  0x19: 'set-member',
  0x1a: 'insert-member',
  0x1b: 'remove-member',
  0x1c: 'group-sync',
};

/** Class-specific services of the Connection Manager (class 0x06), Vol 1 §3-5.5. */
export const CONNECTION_MANAGER_SERVICES: Readonly<Record<number, string>> = {
  0x4e: 'forward-close',
  0x52: 'unconnected-send',
  0x54: 'forward-open',
  0x56: 'get-connection-data',
  0x57: 'search-connection-data',
  0x5a: 'get-connection-owner',
  0x5b: 'large-forward-open',
};

/** Rockwell Logix controller object services (class 0x6B symbol, 0x6C template, 0x67 PCCC). */
export const LOGIX_SERVICES: Readonly<Record<number, string>> = {
  0x4b: 'execute-pccc',
  0x4c: 'read-tag',
  0x4d: 'write-tag',
  0x4e: 'read-modify-write-tag',
  0x4f: 'read-other-tag',
  0x52: 'read-tag-fragmented',
  0x53: 'write-tag-fragmented',
  0x55: 'get-instance-attribute-list',
};

export const CLASS_NAMES: Readonly<Record<number, string>> = {
  0x01: 'identity',
  0x02: 'message-router',
  0x03: 'devicenet',
  0x04: 'assembly',
  0x05: 'connection',
  0x06: 'connection-manager',
  0x07: 'register',
  0x08: 'discrete-input-point',
  0x09: 'discrete-output-point',
  0x0a: 'analog-input-point',
  0x0b: 'analog-output-point',
  0x0f: 'parameter',
  0x37: 'file',
  0x47: 'device-level-ring',
  0x48: 'qos',
  0x67: 'pccc',
  0x6b: 'symbol',
  0x6c: 'template',
  0x8e: 'controller',
  0xf4: 'port',
  0xf5: 'tcp-ip-interface',
  0xf6: 'ethernet-link',
};

export const GENERAL_STATUS_NAMES: Readonly<Record<number, string>> = {
  0x00: 'success',
  0x01: 'connection-failure',
  0x02: 'resource-unavailable',
  0x03: 'invalid-parameter-value',
  0x04: 'path-segment-error',
  0x05: 'path-destination-unknown',
  0x06: 'partial-transfer',
  0x07: 'connection-lost',
  0x08: 'service-not-supported',
  0x09: 'invalid-attribute-value',
  0x0a: 'attribute-list-error',
  0x0b: 'already-in-requested-mode',
  0x0c: 'object-state-conflict',
  0x0d: 'object-already-exists',
  0x0e: 'attribute-not-settable',
  0x0f: 'privilege-violation',
  0x10: 'device-state-conflict',
  0x11: 'reply-data-too-large',
  0x13: 'not-enough-data',
  0x14: 'attribute-not-supported',
  0x15: 'too-much-data',
  0x16: 'object-does-not-exist',
  0x1e: 'embedded-service-error',
  0x20: 'invalid-parameter',
  0x26: 'path-size-invalid',
};

export const DEVICE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x00: 'Generic Device (deprecated)',
  0x02: 'AC Drive',
  0x03: 'Motor Overload',
  0x04: 'Limit Switch',
  0x05: 'Inductive Proximity Switch',
  0x06: 'Photoelectric Sensor',
  0x07: 'General Purpose Discrete I/O',
  0x09: 'Resolver',
  0x0c: 'Communications Adapter',
  0x0e: 'Programmable Logic Controller',
  0x10: 'Position Controller',
  0x13: 'DC Drive',
  0x15: 'Contactor',
  0x16: 'Motor Starter',
  0x17: 'Soft Start',
  0x18: 'Human-Machine Interface',
  0x1a: 'Mass Flow Controller',
  0x1b: 'Pneumatic Valve',
  0x1c: 'Vacuum Pressure Gauge',
  0x1d: 'Process Control Value',
  0x1e: 'Residual Gas Analyzer',
  0x1f: 'DC Power Generator',
  0x20: 'RF Power Generator',
  0x21: 'Turbomolecular Vacuum Pump',
  0x22: 'Encoder',
  0x23: 'Safety Discrete I/O Device',
  0x24: 'Fluid Flow Controller',
  0x25: 'CIP Motion Drive',
  0x26: 'CompoNet Repeater',
  0x2b: 'Generic Device (keyable)',
  0x2c: 'Managed Ethernet Switch',
};

export const VENDOR_NAMES: Readonly<Record<number, string>> = {
  1: 'Rockwell Automation/Allen-Bradley',
  5: 'Rockwell Automation/Reliance Electric',
  8: 'Molex',
  26: 'Festo',
  40: 'WAGO',
  43: 'Balluff',
  44: 'Yaskawa',
  46: 'ABB',
  47: 'Omron',
  48: 'Turck',
  57: 'Pepperl+Fuchs',
  68: 'Eaton',
  82: 'Mitsubishi Electric Automation',
  90: 'HMS Networks',
  94: 'Advantech',
  97: 'Danfoss',
  108: 'Beckhoff',
  109: 'National Instruments',
  121: 'KUKA',
  145: 'Siemens Energy & Automation',
  161: 'Mitsubishi Electric',
  176: 'Red Lion',
  181: 'Pilz',
  243: 'Schneider Electric',
  250: 'Yokogawa',
  255: 'Bosch Rexroth',
  259: 'LS Electric',
  283: 'Hilscher',
  309: 'ProSoft Technology',
  315: 'SEW-Eurodrive',
  319: 'Fuji Electric',
  322: 'ifm electronic',
  345: 'Endress+Hauser',
  356: 'FANUC',
  367: 'Keyence',
};

/** Identity object state attribute (Vol 1 §5-2.2.1.7). */
export const IDENTITY_STATE_NAMES: Readonly<Record<number, string>> = {
  0: 'nonexistent',
  1: 'device-self-testing',
  2: 'standby',
  3: 'operational',
  4: 'major-recoverable-fault',
  5: 'major-unrecoverable-fault',
  255: 'default',
};

export function nameOf(table: Readonly<Record<number, string>>, code: number): string {
  return table[code] ?? 'unknown';
}
