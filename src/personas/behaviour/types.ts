// One behaviour per protocol: given a device and one parsed request, the replies the real
// device sends. Pure (no sockets, no clocks except where a protocol carries a timestamp) so the
// twin and the honeypot share them.
import type { Transport } from '../../model/index.ts';
import type { FlowState, Message, Protocol } from '../../protocols/index.ts';
import type { Device, ProtocolName } from '../types.ts';

/** What one connection (TCP) or one datagram (UDP) remembers between requests. */
export interface Conversation {
  transport: Transport;
  /** The protocol parser's state for the client's direction. */
  flow: FlowState;
  /** The behaviour's own counters (sequence numbers, channel ids). */
  data: Record<string, number>;
  /** Set when the device would close the connection after the replies. */
  close: boolean;
}

export interface Behaviour<M extends Message = Message> {
  readonly name: ProtocolName;
  readonly protocol: Protocol<M>;
  answer(device: Device, request: M, conversation: Conversation): M[];
  /**
   * The read-only identification exchange a thorough scanner runs against this service, one
   * request at a time; the twin's ground truth is what these requests reveal.
   */
  probes(device: Device, transport: Transport): M[];
}

export function newConversation(transport: Transport): Conversation {
  return { transport, flow: {}, data: {}, close: false };
}
