// The twin's ground truth: per device, what a perfect scanner learns from each service.
import type { DeviceIdentity, IdentityField, Transport } from '../model/index.ts';
import { exposes, type Device, type ProtocolName } from '../personas/index.ts';

export interface TruthService {
  port: number;
  transport: Transport;
  protocol: ProtocolName;
  /** Identity fields the engine's own identify() reads from this one service, with their exact values. */
  exposes: Partial<Record<IdentityField, string>>;
}

export interface TruthRecord {
  /** Loopback address the device answers on. */
  address: string;
  /** The province's public address it stands for (region pack), reported by scans of the twin. */
  publicIp: string;
  persona: string;
  /** Set for personas copying a public honeypot's default identity (e.g. "conpot"). */
  honeypot?: string;
  identity: DeviceIdentity;
  services: TruthService[];
}

export interface ServedEndpoint {
  protocol: ProtocolName;
  port: number;
  transport: Transport;
}

export function truthRecord(device: Device, address: string, publicIp: string, served: readonly ServedEndpoint[]): TruthRecord {
  const record: TruthRecord = {
    address,
    publicIp,
    persona: device.persona.id,
    identity: device.identity,
    services: served.map((e) => ({ port: e.port, transport: e.transport, protocol: e.protocol, exposes: exposes(device, e.protocol, e.transport) })),
  };
  if (device.persona.honeypot) record.honeypot = device.persona.honeypot;
  return record;
}
