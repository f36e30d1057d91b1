// One attacker connection (TCP) or datagram exchange (UDP) with one service of the honeypot:
// bytes in → the decoded operations and the reply bytes. Like the personas' DeviceSession, but
// it answers from the deployment's shared state and reports every request it understood.
import type { Transport } from '../model/index.ts';
import { BEHAVIOURS, newConversation, type Conversation, type Device, type ProtocolName } from '../personas/index.ts';
import type { FlowState } from '../protocols/index.ts';
import { operationOf, type Decoded } from './operations.ts';
import { answer, spontaneous } from './stateful.ts';
import type { HoneypotState } from './state.ts';

export const HONEYPOT_LIMITS = {
  /** Unparsed request bytes kept per connection (a large OPC UA chunk fits). */
  maxBuffered: 64 * 1024,
  /** Requests answered per received chunk; the rest wait for the next chunk. */
  maxRequestsPerChunk: 256,
  /** Raw bytes kept in one event, as hex. */
  maxRawBytes: 256,
} as const;

export interface Interaction extends Decoded {
  /** The request as received, at most maxRawBytes. */
  raw: Uint8Array;
  /** Total length of the request. */
  length: number;
  anomalies: string[];
}

export interface Exchange {
  replies: Uint8Array[];
  interactions: Interaction[];
  /** Set when the bytes could not be framed: the device drops the connection. */
  malformed?: Interaction;
}

export class HoneypotSession {
  readonly conversation: Conversation;
  private buffer: Uint8Array = new Uint8Array(0);

  constructor(readonly device: Device, readonly state: HoneypotState, readonly protocol: ProtocolName, readonly transport: Transport) {
    this.conversation = newConversation(transport);
  }

  get closed(): boolean {
    return this.conversation.close;
  }

  /** Bytes held waiting for the rest of a request. */
  get buffered(): number {
    return this.buffer.length;
  }

  receive(bytes: Uint8Array): Exchange {
    const ex: Exchange = { replies: [], interactions: [] };
    if (this.closed) return ex;
    if (this.transport === 'udp') return this.datagram(bytes, ex);
    let joined: Uint8Array;
    if (this.buffer.length === 0) joined = bytes;
    else {
      joined = new Uint8Array(this.buffer.length + bytes.length);
      joined.set(this.buffer);
      joined.set(bytes, this.buffer.length);
    }
    const protocol = BEHAVIOURS[this.protocol].protocol;
    let offset = 0;
    for (let n = 0; n < HONEYPOT_LIMITS.maxRequestsPerChunk && offset < joined.length && !this.closed; n++) {
      const rest = joined.subarray(offset);
      const r = protocol.parse(rest, 'to-server', this.conversation.flow);
      if (r.kind === 'incomplete') break;
      if (r.kind === 'not-mine' || r.consumed <= 0) {
        ex.malformed = this.interaction(rest, rest.length, { operation: 'malformed', detail: 'bytes the protocol cannot frame' }, ['not-mine']);
        this.conversation.close = true;
        break;
      }
      offset += r.consumed;
      this.handle(r.message, rest.subarray(0, r.consumed), ex);
    }
    // A copy, so the socket's chunk is not pinned while we wait for the rest.
    this.buffer = offset >= joined.length ? new Uint8Array(0) : joined.slice(offset);
    if (this.buffer.length > HONEYPOT_LIMITS.maxBuffered) {
      ex.malformed ??= this.interaction(this.buffer, this.buffer.length, { operation: 'malformed', detail: 'request larger than the device accepts' }, ['oversized']);
      this.conversation.close = true;
      this.buffer = new Uint8Array(0);
    }
    return ex;
  }

  /** Data the device sends unasked now (IEC 104 spontaneous changes); empty for most protocols. */
  unsolicited(next: () => number = Math.random): Uint8Array[] {
    if (this.closed) return [];
    const protocol = BEHAVIOURS[this.protocol].protocol;
    return spontaneous(this.device, this.state, this.protocol, this.conversation, next).map((m) => protocol.encode(m));
  }

  private handle(message: Parameters<typeof answer>[3], raw: Uint8Array, ex: Exchange): void {
    const protocol = BEHAVIOURS[this.protocol].protocol;
    let decoded: Decoded;
    try {
      decoded = operationOf(this.protocol, protocol.fields(message));
    } catch {
      decoded = { operation: 'other', detail: 'undecoded' };
    }
    ex.interactions.push(this.interaction(raw, raw.length, decoded, message.anomalies));
    for (const m of answer(this.device, this.state, this.protocol, message, this.conversation)) ex.replies.push(protocol.encode(m));
  }

  private datagram(bytes: Uint8Array, ex: Exchange): Exchange {
    const flow: FlowState = {};
    const r = BEHAVIOURS[this.protocol].protocol.parse(bytes, 'to-server', flow);
    if (r.kind !== 'done') {
      ex.malformed = this.interaction(bytes, bytes.length, { operation: 'malformed', detail: 'datagram the protocol cannot frame' }, [r.kind]);
      return ex;
    }
    // Each datagram is its own exchange; the behaviour's counters carry over (invoke ids, sequences).
    const saved = this.conversation.flow;
    this.conversation.flow = flow;
    this.handle(r.message, bytes, ex);
    this.conversation.flow = saved;
    this.conversation.close = false;
    return ex;
  }

  private interaction(bytes: Uint8Array, length: number, d: Decoded, anomalies: readonly string[]): Interaction {
    return { ...d, raw: bytes.slice(0, HONEYPOT_LIMITS.maxRawBytes), length, anomalies: [...anomalies].slice(0, 8) };
  }
}
