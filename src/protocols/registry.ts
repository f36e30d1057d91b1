// The one list of protocols. Adding a protocol = one folder + one line here; the scanner,
// honeypot, capture, detection and the contract suite all read this list.
import type { Transport } from '../model/index.ts';
import type { Direction, Protocol } from './protocol.ts';
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

/** Protocols with a standard endpoint on this transport and port, in registry order. */
export function protocolsAt(transport: Transport, port: number): readonly Protocol[] {
  return PROTOCOLS.filter((p) => p.endpoints.some((e) => e.transport === transport && e.port === port));
}

/**
 * The protocols whose `recognize` accepts these first bytes of a flow: those standard on the
 * port first (S7comm before S7comm-plus on 102, both look at the first TPDU), then the rest,
 * so a service on an unusual port is still found.
 */
export function recognizeProtocols(bytes: Uint8Array, direction: Direction, transport: Transport, port?: number): readonly Protocol[] {
  const standard = port === undefined ? [] : protocolsAt(transport, port);
  const rest = PROTOCOLS.filter((p) => !standard.includes(p));
  return [...standard, ...rest].filter((p) => p.recognize(bytes, direction, transport));
}
