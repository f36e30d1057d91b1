// Schneider Electric UMAS, carried in Modbus function code 90 (0x5A): a request is
// [session key][UMAS function][data], a reply [session key][status 0xFE ok | 0xFD error][data].
// Function codes as published in Kaspersky ICS CERT's "The Secrets of Schneider Electric's UMAS
// Protocol" (2022) and seen in reference/corpus/pcap/modbus/modicon_test.pcap.

export const UMAS_FUNCTION_NAMES: Readonly<Record<number, string>> = {
  0x01: 'init-comm',
  0x02: 'read-id',
  0x03: 'read-project-info',
  0x04: 'read-plc-info',
  0x06: 'read-card-info',
  0x0a: 'repeat',
  0x10: 'take-plc-reservation',
  0x11: 'release-plc-reservation',
  0x12: 'keep-alive',
  0x20: 'read-memory-block',
  0x22: 'read-variables',
  0x23: 'write-variables',
  0x24: 'read-coils-registers',
  0x25: 'write-coils-registers',
  0x30: 'initialize-upload',
  0x31: 'upload-block',
  0x32: 'end-strategy-upload',
  0x33: 'initialize-download',
  0x34: 'download-block',
  0x35: 'end-strategy-download',
  0x36: 'read-eth-master-data',
  0x40: 'start-plc',
  0x41: 'stop-plc',
  0x50: 'monitor-plc',
  0x58: 'check-plc',
  0x70: 'read-io-object',
  0x71: 'write-io-object',
  0x73: 'get-status-module',
};

export const UMAS_STATUS = { ok: 0xfe, error: 0xfd } as const;

/**
 * The first length-prefixed printable text of a read-id reply: the CPU's reference, such as
 * "140 CPU 311 10" or "BMX P34 2020".
 */
export function umasText(data: Uint8Array): string | undefined {
  for (let i = 2; i < data.length; i++) {
    const n = data[i];
    if (n < 4 || i + 1 + n > data.length) continue;
    let ok = true;
    for (let j = i + 1; j <= i + n && ok; j++) ok = data[j] >= 0x20 && data[j] < 0x7f;
    if (ok) return String.fromCharCode(...data.subarray(i + 1, i + 1 + n)).trim();
  }
  return undefined;
}
