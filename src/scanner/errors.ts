// Stable codes of the scanner's refusals, printed as `CODE: message` by the CLI. They are decided
// before any socket opens, so a refused target never sees a packet.
export const SCAN_ERRORS = {
  SCOPE_DENIED: 'the target is outside 127.0.0.0/8 and not inside the scope allow-list',
  INVALID_TARGET: 'not a CIDR, an IPv4 address, a region code of the pack or enterprise:<id>',
  INVALID_PORTS: 'not a port list such as 502,102 or modbus:15020,opcua:48400',
  INVALID_SCOPE_FILE: 'the scope or block-list file cannot be read or holds a line that is not a CIDR',
  ENTERPRISE_NEEDS_API: 'enterprise targets are resolved through the platform: give --submit URL --token T',
  RESUME_MISMATCH: 'the resume file belongs to a scan of other targets, ports or key',
  INVALID_OPTION: 'a command-line option is missing its value or has a bad one',
} as const;

export type ScanErrorCode = keyof typeof SCAN_ERRORS;

export class ScanError extends Error {
  readonly code: ScanErrorCode;
  constructor(code: ScanErrorCode, detail?: string) {
    super(detail ? `${detail}: ${SCAN_ERRORS[code]}` : SCAN_ERRORS[code]);
    this.name = 'ScanError';
    this.code = code;
  }
}

export function scanError(code: ScanErrorCode, detail?: string): ScanError {
  return new ScanError(code, detail);
}

export function isScanError(e: unknown): e is ScanError {
  return e instanceof ScanError;
}
