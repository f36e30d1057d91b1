// One table of stable error codes. The HTTP layer, the CLI and the docs all read it.
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request does not match the schema' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON' },
  INVALID_CIDR: { status: 400, message: 'Not a valid IPv4 or IPv6 CIDR' },
  INVALID_IP: { status: 400, message: 'Not a valid IPv4 or IPv6 address' },
  INVALID_CREDIT_CODE: { status: 400, message: 'Not a valid 18-character unified social credit code' },
  INVALID_INDUSTRY_CODE: { status: 400, message: 'Not a GB/T 4754-2017 industry code' },
  INVALID_REGION: { status: 400, message: 'Not a region code of this region pack' },
  INVALID_CURSOR: { status: 400, message: 'The cursor is not one this list issued for these filters; start again from the first page' },
  INVALID_ADVISORY: { status: 400, message: 'Not an advisory this platform can import (CSAF 2.0, CVE JSON 5 or CNVD XML)' },
  OUT_OF_REGION: { status: 400, message: 'The address is in none of the region\'s ranges nor in a registered enterprise network' },
  INVALID_ROLE_SCOPE: { status: 400, message: 'The role needs a different scope (region code or enterprise id)' },
  CAPTURE_UNREADABLE: { status: 400, message: 'The capture file cannot be read' },
  CAPTURE_NOT_RECOGNIZED: { status: 400, message: 'Not a pcap or pcapng capture (no known magic number)' },
  BATCH_TOO_LARGE: { status: 413, message: 'Too many items in one batch' },
  BODY_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send application/json' },
  UNAUTHENTICATED: { status: 401, message: 'Log in first, or the token has expired' },
  BAD_CREDENTIALS: { status: 401, message: 'Wrong username or password' },
  LOGIN_THROTTLED: { status: 429, message: 'Too many failed logins; wait before trying again' },
  FORBIDDEN: { status: 403, message: 'Your role may not do this' },
  NOT_FOUND: { status: 404, message: 'No such object' },
  CONFLICT: { status: 409, message: 'The object already exists' },
  CONFIG_INVALID: { status: 500, message: 'The configuration is invalid' },
  INTERNAL: { status: 500, message: 'Internal error' },
  INVALID_TRANSITION: { status: 409, message: 'The warning is not in a state that allows this step' },
  EVIDENCE_TOO_LARGE: { status: 413, message: 'The evidence file is larger than the platform accepts' },
  INVALID_EVIDENCE: { status: 400, message: 'The evidence content is not valid base64 or is empty' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

export function appError(code: ErrorCode, message?: string, details?: unknown): AppError {
  return new AppError(code, message, details);
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
