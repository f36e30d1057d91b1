// The behaviour of every protocol a persona may speak, and the byte-level session that drives
// one: bytes in, reply bytes out, no sockets — the twin and the honeypot wrap it in their own I/O.
import { IDENTITY_FIELDS, type DeviceIdentity, type IdentityField, type Transport } from '../../model/index.ts';
import type { Endpoint, FlowState, Message } from '../../protocols/index.ts';
import type { Device, ProtocolName } from '../types.ts';
import { bacnetBehaviour } from './bacnet.ts';
import { dnp3Behaviour } from './dnp3.ts';
import { enipBehaviour } from './enip.ts';
import { finsBehaviour } from './fins.ts';
import { foxBehaviour } from './fox.ts';
import { iec104Behaviour } from './iec104.ts';
import { modbusBehaviour } from './modbus.ts';
import { mqttBehaviour } from './mqtt.ts';
import { opcuaBehaviour } from './opcua.ts';
import { s7commBehaviour } from './s7comm.ts';
import { newConversation, type Behaviour, type Conversation } from './types.ts';

export type { Behaviour, Conversation } from './types.ts';
export { newConversation } from './types.ts';

export const BEHAVIOURS: { readonly [P in ProtocolName]: Behaviour } = {
  modbus: modbusBehaviour as unknown as Behaviour,
  s7comm: s7commBehaviour as unknown as Behaviour,
  enip: enipBehaviour as unknown as Behaviour,
  fins: finsBehaviour as unknown as Behaviour,
  bacnet: bacnetBehaviour as unknown as Behaviour,
  opcua: opcuaBehaviour as unknown as Behaviour,
  mqtt: mqttBehaviour as unknown as Behaviour,
  fox: foxBehaviour as unknown as Behaviour,
  dnp3: dnp3Behaviour as unknown as Behaviour,
  iec104: iec104Behaviour as unknown as Behaviour,
};

/** The protocols a device speaks, in catalogue order. */
export function protocolsOf(device: Device): ProtocolName[] {
  return Object.keys(device.persona.services) as ProtocolName[];
}

/**
 * Where each protocol is served: its standard endpoints from the registry, less Modbus and
 * DNP3 over UDP, which field devices almost never offer and scanners do not probe.
 */
export function endpointsOf(name: ProtocolName): readonly Endpoint[] {
  const all = BEHAVIOURS[name].protocol.endpoints;
  return name === 'modbus' || name === 'dnp3' ? all.filter((e) => e.transport === 'tcp') : all;
}

/** Limits on what one client may make a device hold. */
export const SESSION_LIMITS = {
  /** Unparsed request bytes kept per connection; OPC UA's largest hello-sized chunk fits. */
  maxBuffered: 64 * 1024,
  /** Requests answered per received chunk, so a flood of tiny PDUs cannot pin the CPU. */
  maxRequestsPerChunk: 256,
} as const;

/**
 * One client's conversation with one service of a device over TCP (a stream: requests may be
 * split or coalesced) or, for UDP, one datagram at a time.
 */
export class DeviceSession {
  readonly conversation: Conversation;
  private buffer = new Uint8Array(0);
  private readonly behaviour: Behaviour;

  constructor(readonly device: Device, readonly protocol: ProtocolName, readonly transport: Transport) {
    this.behaviour = BEHAVIOURS[protocol];
    this.conversation = newConversation(transport);
  }

  get closed(): boolean {
    return this.conversation.close;
  }

  /** Feeds received bytes; returns the reply bytes to send, in order. */
  receive(bytes: Uint8Array): Uint8Array[] {
    if (this.closed) return [];
    if (this.transport === 'udp') return this.datagram(bytes);
    const joined = new Uint8Array(this.buffer.length + bytes.length);
    joined.set(this.buffer);
    joined.set(bytes, this.buffer.length);
    let offset = 0;
    const out: Uint8Array[] = [];
    for (let n = 0; n < SESSION_LIMITS.maxRequestsPerChunk && offset < joined.length && !this.closed; n++) {
      const r = this.behaviour.protocol.parse(joined.subarray(offset), 'to-server', this.conversation.flow);
      if (r.kind === 'incomplete') break;
      if (r.kind === 'not-mine' || r.consumed <= 0) {
        // Bytes a real device cannot frame: it drops the connection.
        this.conversation.close = true;
        break;
      }
      offset += r.consumed;
      for (const m of this.behaviour.answer(this.device, r.message, this.conversation)) out.push(this.behaviour.protocol.encode(m));
    }
    this.buffer = joined.slice(offset);
    if (this.buffer.length > SESSION_LIMITS.maxBuffered) this.conversation.close = true;
    return out;
  }

  private datagram(bytes: Uint8Array): Uint8Array[] {
    const flow: FlowState = {};
    const r = this.behaviour.protocol.parse(bytes, 'to-server', flow);
    if (r.kind !== 'done') return [];
    const conversation = { ...newConversation('udp'), data: this.conversation.data };
    return this.behaviour.answer(this.device, r.message, conversation).map((m) => this.behaviour.protocol.encode(m));
  }
}

/** Runs a protocol's identification probes against a device; returns the replies as parsed by the engine. */
export function probeExchange(device: Device, protocol: ProtocolName, transport: Transport): Message[] {
  const behaviour = BEHAVIOURS[protocol];
  const session = new DeviceSession(device, protocol, transport);
  const replies: Uint8Array[] = [];
  for (const probe of behaviour.probes(device, transport)) replies.push(...session.receive(behaviour.protocol.encode(probe)));
  const state: FlowState = {};
  const messages: Message[] = [];
  for (const bytes of replies) {
    let offset = 0;
    while (offset < bytes.length) {
      const r = behaviour.protocol.parse(bytes.subarray(offset), 'to-client', state);
      if (r.kind !== 'done' || r.consumed <= 0) break;
      messages.push(r.message);
      offset += r.consumed;
    }
  }
  return messages;
}

/**
 * The identity fields a perfect scanner learns from one service of this device: the engine's
 * own `identify` over the device's answers to that protocol's identification probes.
 */
export function exposes(device: Device, protocol: ProtocolName, transport: Transport): Partial<Record<IdentityField, string>> {
  const identity: DeviceIdentity | null = BEHAVIOURS[protocol].protocol.identify(probeExchange(device, protocol, transport));
  const out: Partial<Record<IdentityField, string>> = {};
  for (const field of IDENTITY_FIELDS) {
    const v = identity?.[field];
    if (typeof v === 'string' && v !== '') out[field] = v;
  }
  return out;
}
