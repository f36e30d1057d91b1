// The one list of protocols. Adding a protocol = one folder + one line here; the scanner,
// honeypot, capture, detection and the contract suite all read this list.
import type { Protocol } from './protocol.ts';
import { modbus } from './modbus/index.ts';
import { s7comm } from './s7comm/index.ts';
import { s7commPlus } from './s7comm-plus/index.ts';
import { enip } from './enip/index.ts';
import { fins } from './fins/index.ts';
import { iec104 } from './iec104/index.ts';
import { dnp3 } from './dnp3/index.ts';
import { mqtt } from './mqtt/index.ts';
import { bacnet } from './bacnet/index.ts';
import { opcua } from './opcua/index.ts';
import { fox } from './fox/index.ts';

export const PROTOCOLS: readonly Protocol[] = [modbus, s7comm, s7commPlus, enip, fins, iec104, dnp3, mqtt, bacnet, opcua, fox] as readonly Protocol[];

const byName = new Map(PROTOCOLS.map((p) => [p.name, p]));

export function protocolByName(name: string): Protocol | undefined {
  return byName.get(name);
}
