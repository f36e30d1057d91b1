// The one list of protocols. Adding a protocol = one folder + one line here; the scanner,
// honeypot, capture, detection and the contract suite all read this list.
import type { Protocol } from './protocol.ts';
import { iec104 } from './iec104/index.ts';

export const PROTOCOLS: readonly Protocol[] = [
  iec104,
];

const byName = new Map(PROTOCOLS.map((p) => [p.name, p]));

export function protocolByName(name: string): Protocol | undefined {
  return byName.get(name);
}
