// Modbus Application Protocol Specification v1.1b3 §5.1 "Public function code definition",
// §7 exception codes and §6.21 Read Device Identification object ids. Catalogues are data;
// a code missing here decodes as `unknown`.

export const FUNCTION_NAMES: Readonly<Record<number, string>> = {
  1: 'read-coils',
  2: 'read-discrete-inputs',
  3: 'read-holding-registers',
  4: 'read-input-registers',
  5: 'write-single-coil',
  6: 'write-single-register',
  7: 'read-exception-status',
  8: 'diagnostics',
  11: 'get-comm-event-counter',
  12: 'get-comm-event-log',
  15: 'write-multiple-coils',
  16: 'write-multiple-registers',
  17: 'report-server-id',
  20: 'read-file-record',
  21: 'write-file-record',
  22: 'mask-write-register',
  23: 'read-write-multiple-registers',
  24: 'read-fifo-queue',
  43: 'encapsulated-interface-transport',
  // Schneider Electric's UMAS rides on the user-defined function code 90 (0x5A).
  90: 'umas',
};

export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal-function',
  2: 'illegal-data-address',
  3: 'illegal-data-value',
  4: 'server-device-failure',
  5: 'acknowledge',
  6: 'server-device-busy',
  8: 'memory-parity-error',
  10: 'gateway-path-unavailable',
  11: 'gateway-target-device-failed-to-respond',
};

/** §6.19 Diagnostics sub-function codes. */
export const DIAGNOSTIC_NAMES: Readonly<Record<number, string>> = {
  0: 'return-query-data',
  1: 'restart-communications-option',
  2: 'return-diagnostic-register',
  3: 'change-ascii-input-delimiter',
  4: 'force-listen-only-mode',
  10: 'clear-counters-and-diagnostic-register',
  11: 'return-bus-message-count',
  12: 'return-bus-communication-error-count',
  13: 'return-bus-exception-error-count',
  14: 'return-server-message-count',
  15: 'return-server-no-response-count',
  16: 'return-server-nak-count',
  17: 'return-server-busy-count',
  18: 'return-bus-character-overrun-count',
  20: 'clear-overrun-counter-and-flag',
};

/** §6.20/§6.21 MEI types carried by function 43. */
export const MEI_TYPES = { canopen: 13, readDeviceIdentification: 14 } as const;

/** §6.21 Table "Read Device Identification" object ids 0x00–0x06 (basic and regular). */
export const DEVICE_ID_OBJECT_NAMES: Readonly<Record<number, string>> = {
  0: 'VendorName',
  1: 'ProductCode',
  2: 'MajorMinorRevision',
  3: 'VendorUrl',
  4: 'ProductName',
  5: 'ModelName',
  6: 'UserApplicationName',
};

/** §6.21 ReadDevId codes: 1 basic, 2 regular, 3 extended stream, 4 one specific object. */
export const READ_DEVICE_ID_CODES: Readonly<Record<number, string>> = {
  1: 'basic',
  2: 'regular',
  3: 'extended',
  4: 'specific',
};

export function functionName(code: number): string {
  return FUNCTION_NAMES[code] ?? 'unknown';
}

export function exceptionName(code: number): string {
  return EXCEPTION_NAMES[code] ?? 'unknown';
}
