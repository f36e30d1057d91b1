// S7comm catalogues. Siemens publishes no S7comm specification; the codes are those documented
// by the Wireshark S7comm dissector (packet-s7comm.c) and Snap7's s7_types.h, cross-checked
// against the captures in reference/corpus/pcap/s7comm. Unknown is a value, not an error.

/** Header ROSCTR (remote operating service control). */
export const ROSCTR_NAMES: Readonly<Record<number, string>> = {
  1: 'job',
  2: 'ack',
  3: 'ack-data',
  7: 'userdata',
};

/** Parameter function codes of job / ack-data PDUs. */
export const FUNCTION_NAMES: Readonly<Record<number, string>> = {
  0x00: 'cpu-services',
  0x04: 'read-var',
  0x05: 'write-var',
  0x1a: 'request-download',
  0x1b: 'download-block',
  0x1c: 'download-ended',
  0x1d: 'start-upload',
  0x1e: 'upload',
  0x1f: 'end-upload',
  0x28: 'pi-service',
  0x29: 'plc-stop',
  0xf0: 'setup-communication',
};

/** Userdata function groups (low nibble of the type/group octet). */
export const USERDATA_GROUP_NAMES: Readonly<Record<number, string>> = {
  0x0: 'mode-transition',
  0x1: 'programmer-commands',
  0x2: 'cyclic-data',
  0x3: 'block-functions',
  0x4: 'cpu-functions',
  0x5: 'security',
  0x6: 'pbc-bsend-brecv',
  0x7: 'time-functions',
  0xf: 'nc-programming',
};

/** Userdata sub-functions, by group. */
export const USERDATA_SUBFUNCTION_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  0x1: { 0x01: 'request-diag-data', 0x02: 'variable-table', 0x0c: 'erase', 0x0e: 'read-diag-data', 0x0f: 'remove-diag-data', 0x10: 'forces', 0x13: 'request-diag-data-2' },
  0x2: { 0x01: 'memory', 0x04: 'unsubscribe', 0x05: 'memory-2' },
  0x3: { 0x01: 'list-blocks', 0x02: 'list-blocks-of-type', 0x03: 'get-block-info' },
  0x4: {
    0x01: 'read-szl',
    0x02: 'message-service',
    0x03: 'diagnostic-message',
    0x05: 'alarm8-indication',
    0x06: 'notify-indication',
    0x07: 'alarm8-lock',
    0x08: 'alarm8-unlock',
    0x09: 'scan-indication',
    0x0b: 'alarm-ack',
    0x0c: 'alarm-ack-indication',
    0x0d: 'alarm8-lock-indication',
    0x0e: 'alarm8-unlock-indication',
    0x11: 'alarm-sq-indication',
    0x12: 'alarm-s-indication',
    0x13: 'alarm-query',
    0x16: 'notify8-indication',
  },
  0x5: { 0x01: 'plc-password', 0x02: 'clear-password' },
  0x7: { 0x01: 'read-clock', 0x02: 'set-clock', 0x03: 'read-clock-following', 0x04: 'set-clock-2' },
};

/** Userdata type (high nibble of the type/group octet). */
export const USERDATA_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x0: 'push',
  0x4: 'request',
  0x8: 'response',
};

/** Syntax ids of a read/write variable specification. */
export const SYNTAX_ID_NAMES: Readonly<Record<number, string>> = {
  0x10: 's7any',
  0x13: 'pbc-r-id',
  0x15: 'alarm-lockfree',
  0x16: 'alarm-ind',
  0x19: 'alarm-ack',
  0x1a: 'alarm-query-req',
  0x1c: 'notify-ind',
  0x82: 'nck',
  0x83: 'nck-metric',
  0x84: 'nck-inch',
  0xa2: 'drive-es-any',
  0xb0: 'dbread',
  0xb2: '1200-symbolic',
};

/** Memory areas of an S7ANY pointer. */
export const AREA_NAMES: Readonly<Record<number, string>> = {
  0x03: 'system-info-200',
  0x05: 'system-flags-200',
  0x06: 'analog-inputs-200',
  0x07: 'analog-outputs-200',
  0x1c: 'counter-s7',
  0x1d: 'timer-s7',
  0x1e: 'counter-iec-200',
  0x1f: 'timer-iec-200',
  0x80: 'direct-peripheral',
  0x81: 'inputs',
  0x82: 'outputs',
  0x83: 'flags',
  0x84: 'data-blocks',
  0x85: 'instance-data-blocks',
  0x86: 'local-data',
  0x87: 'previous-local-data',
};

/** Data item return codes. */
export const RETURN_CODE_NAMES: Readonly<Record<number, string>> = {
  0x00: 'reserved',
  0x01: 'hardware-fault',
  0x03: 'accessing-object-not-allowed',
  0x05: 'invalid-address',
  0x06: 'data-type-not-supported',
  0x07: 'data-type-inconsistent',
  0x0a: 'object-does-not-exist',
  0xff: 'success',
};

/** Block types in upload/download file names (`_0A00001P`: type `0A` = OB). */
export const BLOCK_TYPE_NAMES: Readonly<Record<string, string>> = {
  '08': 'OB',
  '0A': 'DB',
  '0B': 'SDB',
  '0C': 'FC',
  '0D': 'SFC',
  '0E': 'FB',
  '0F': 'SFB',
};

export function nameOf(table: Readonly<Record<number, string>>, code: number): string {
  return table[code] ?? 'unknown';
}
