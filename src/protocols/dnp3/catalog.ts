// IEEE 1815-2012 catalogues as data: link-layer function codes (§9.2.4.1.3), application function
// codes (§4.2.2.5), internal indications (§4.2.2.7.2) and the object sizes this engine knows.

export const PRIMARY_FUNCTIONS: Record<number, string> = {
  0: 'RESET_LINK_STATES',
  1: 'RESET_USER_PROCESS',
  2: 'TEST_LINK_STATES',
  3: 'CONFIRMED_USER_DATA',
  4: 'UNCONFIRMED_USER_DATA',
  9: 'REQUEST_LINK_STATUS',
};

export const SECONDARY_FUNCTIONS: Record<number, string> = {
  0: 'ACK',
  1: 'NACK',
  11: 'LINK_STATUS',
  15: 'NOT_SUPPORTED',
};

export const APPLICATION_FUNCTIONS: Record<number, string> = {
  0: 'CONFIRM',
  1: 'READ',
  2: 'WRITE',
  3: 'SELECT',
  4: 'OPERATE',
  5: 'DIRECT_OPERATE',
  6: 'DIRECT_OPERATE_NR',
  7: 'IMMED_FREEZE',
  8: 'IMMED_FREEZE_NR',
  9: 'FREEZE_CLEAR',
  10: 'FREEZE_CLEAR_NR',
  11: 'FREEZE_AT_TIME',
  12: 'FREEZE_AT_TIME_NR',
  13: 'COLD_RESTART',
  14: 'WARM_RESTART',
  15: 'INITIALIZE_DATA',
  16: 'INITIALIZE_APPL',
  17: 'START_APPL',
  18: 'STOP_APPL',
  19: 'SAVE_CONFIG',
  20: 'ENABLE_UNSOLICITED',
  21: 'DISABLE_UNSOLICITED',
  22: 'ASSIGN_CLASS',
  23: 'DELAY_MEASURE',
  24: 'RECORD_CURRENT_TIME',
  25: 'OPEN_FILE',
  26: 'CLOSE_FILE',
  27: 'DELETE_FILE',
  28: 'GET_FILE_INFO',
  29: 'AUTHENTICATE_FILE',
  30: 'ABORT_FILE',
  31: 'ACTIVATE_CONFIG',
  32: 'AUTHENTICATE_REQ',
  33: 'AUTH_REQ_NO_ACK',
  129: 'RESPONSE',
  130: 'UNSOLICITED_RESPONSE',
  131: 'AUTHENTICATE_RESP',
};

/** Responses carry the two IIN octets after the function code (§4.2.2.7). */
export function isResponse(fc: number): boolean {
  return fc === 129 || fc === 130 || fc === 131;
}

/**
 * Requests whose object headers name points without carrying their values (§4.4: READ, the
 * freeze family, unsolicited enable/disable, ASSIGN_CLASS): walking them reads headers only.
 */
export const HEADER_ONLY_REQUESTS = new Set([1, 7, 8, 9, 10, 20, 21, 22]);

/** IIN1 bit 0..7 then IIN2 bit 0..7 (§4.2.2.7.2). */
export const IIN_FLAGS = [
  'BROADCAST', 'CLASS_1_EVENTS', 'CLASS_2_EVENTS', 'CLASS_3_EVENTS', 'NEED_TIME', 'LOCAL_CONTROL', 'DEVICE_TROUBLE', 'DEVICE_RESTART',
  'NO_FUNC_CODE_SUPPORT', 'OBJECT_UNKNOWN', 'PARAMETER_ERROR', 'EVENT_BUFFER_OVERFLOW', 'ALREADY_EXECUTING', 'CONFIG_CORRUPT', 'RESERVED_2', 'RESERVED_1',
] as const;

/** Objects packed as bit fields: bits per point (§A.2, A.4, A.6, A.11, A.39). */
const PACKED_BITS: Record<string, number> = { '1:1': 1, '3:1': 2, '10:1': 1, '12:3': 1, '80:1': 1 };

/** Fixed object sizes in octets for the common groups (IEEE 1815-2012 Annex A; g120v4 is the
 * session key status request, a 2-octet user number, §A.45.4). */
const SIZES: Record<string, number> = {
  '1:2': 1, '2:1': 1, '2:2': 7, '2:3': 3, '3:2': 1, '4:1': 1, '4:2': 7, '4:3': 3,
  '10:2': 1, '11:1': 1, '11:2': 7, '12:1': 11, '12:2': 11, '13:1': 1, '13:2': 7,
  '20:1': 5, '20:2': 3, '20:5': 4, '20:6': 2, '21:1': 5, '21:2': 3, '21:5': 11, '21:6': 9, '21:9': 4, '21:10': 2,
  '22:1': 5, '22:2': 3, '22:5': 11, '22:6': 9, '23:1': 5, '23:2': 3, '23:5': 11, '23:6': 9,
  '30:1': 5, '30:2': 3, '30:3': 4, '30:4': 2, '30:5': 5, '30:6': 9,
  '31:1': 5, '31:2': 3, '31:3': 11, '31:4': 9, '31:5': 4, '31:6': 2, '31:7': 5, '31:8': 9,
  '32:1': 5, '32:2': 3, '32:3': 11, '32:4': 9, '32:5': 5, '32:6': 9, '32:7': 11, '32:8': 15,
  '33:1': 5, '33:2': 3, '33:3': 11, '33:4': 9, '33:5': 5, '33:6': 9, '33:7': 11, '33:8': 15,
  '34:1': 2, '34:2': 4, '34:3': 4,
  '40:1': 5, '40:2': 3, '40:3': 5, '40:4': 9, '41:1': 5, '41:2': 3, '41:3': 5, '41:4': 9,
  '42:1': 5, '42:2': 3, '42:3': 11, '42:4': 9, '42:5': 5, '42:6': 9, '42:7': 11, '42:8': 15,
  '43:1': 5, '43:2': 3, '43:3': 11, '43:4': 9, '43:5': 5, '43:6': 9, '43:7': 11, '43:8': 15,
  '50:1': 6, '50:2': 10, '50:3': 6, '50:4': 11, '51:1': 6, '51:2': 6, '52:1': 2, '52:2': 2,
  '120:4': 2,
};

export type ObjectSize =
  | { kind: 'bytes'; size: number }
  | { kind: 'bits'; bits: number }
  | { kind: 'none' } // class data (group 60): a header names points, no values follow
  | { kind: 'attribute' } // group 0 device attributes: data type, length, value (§A.1)
  | { kind: 'unknown' };

export function objectSize(group: number, variation: number): ObjectSize {
  const key = `${group}:${variation}`;
  if (PACKED_BITS[key]) return { kind: 'bits', bits: PACKED_BITS[key] };
  if (SIZES[key]) return { kind: 'bytes', size: SIZES[key] };
  if (group === 60) return { kind: 'none' };
  if (group === 0 && variation > 0) return { kind: 'attribute' };
  // Octet strings (groups 110–113): the variation is the length (§A.41–A.44).
  if (group >= 110 && group <= 113 && variation > 0) return { kind: 'bytes', size: variation };
  return { kind: 'unknown' };
}

/** Group 0 device attribute variations that say what a device is (§A.1). */
export const DEVICE_ATTRIBUTES: Record<number, string> = {
  242: 'softwareVersion',
  243: 'hardwareVersion',
  245: 'location',
  246: 'userAssignedId',
  247: 'deviceName',
  248: 'serialNumber',
  250: 'productName',
  252: 'manufacturer',
};
