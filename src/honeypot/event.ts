// The record of one interaction, as written to the sensor's log (one JSON object per line) and
// posted to the platform (POST /api/v1/honeypot/events).
import type { ProtocolName } from '../personas/index.ts';
import type { Operation } from './operations.ts';

export interface HoneypotEvent {
  sensor: string;
  persona: string;
  session: string;
  /** Order of this interaction in its session (0 = the connect). */
  seq: number;
  at: string;
  /** Since the session's first packet. */
  elapsedMs: number;
  src: { ip: string; port: number };
  dst: { ip: string; port: number };
  protocol: ProtocolName;
  transport: 'tcp' | 'udp';
  operation: Operation;
  detail: string;
  /** Length of the request on the wire; `raw` holds at most the first 256 octets as hex. */
  length: number;
  raw: string;
  anomalies: string[];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}
