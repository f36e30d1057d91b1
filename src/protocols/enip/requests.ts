// Requests the scanner sends, as messages for `enip.encode` (CIP Vol 2 §2-4).
import type { EnipMessage } from './enip.ts';

function header(command: number, senderContext: Uint8Array): Omit<EnipMessage, 'body'> {
  return { anomalies: [], direction: 'to-server', command, sessionHandle: 0, status: 0, senderContext, options: 0 };
}

/** ListIdentity (0x63): no session needed, answered on TCP and UDP 44818. */
export function listIdentity(senderContext: Uint8Array = new Uint8Array(8)): EnipMessage {
  return { ...header(0x0063, senderContext), body: { kind: 'empty' } };
}

export function listServices(senderContext: Uint8Array = new Uint8Array(8)): EnipMessage {
  return { ...header(0x0004, senderContext), body: { kind: 'empty' } };
}

export function registerSession(senderContext: Uint8Array = new Uint8Array(8)): EnipMessage {
  return { ...header(0x0065, senderContext), body: { kind: 'register-session', protocolVersion: 1, optionFlags: 0 } };
}
