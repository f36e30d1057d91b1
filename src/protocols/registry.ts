// The one list of protocols. Adding a protocol = one folder + one line here; the scanner,
// honeypot, capture, detection and the contract suite all read this list.
import type { Protocol } from './protocol.ts';
import { modbus } from './modbus/index.ts';

export const PROTOCOLS: readonly Protocol[] = [modbus] as readonly Protocol[];

const byName = new Map(PROTOCOLS.map((p) => [p.name, p]));

export function protocolByName(name: string): Protocol | undefined {
  return byName.get(name);
}
