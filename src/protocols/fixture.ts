// The shape of the byte fixtures every protocol folder exports from its `fixtures.ts`, so the one
// contract suite (contract.test.ts) can run over every registered protocol without knowing any.
import type { Transport } from '../model/index.ts';
import type { Direction, Fields } from './protocol.ts';

export interface ProtocolFixture {
  /** `Protocol.name` of the protocol the bytes belong to. */
  protocol: string;
  name: string;
  direction: Direction;
  /** Defaults to the transport of the protocol's first endpoint. */
  transport?: Transport;
  bytes: Uint8Array;
  /** Where the bytes come from: a spec section or a capture file and frame. */
  source?: string;
  /** A subset of `fields(message)` the decoded message must show. */
  expect?: Fields;
  /** The anomalies the message must carry; default none. */
  anomalies?: readonly string[];
  /** `done` (default) or a documented refusal such as a hostile length field. */
  outcome?: 'done' | 'not-mine';
  /**
   * Prefixes shorter than this many bytes may be `not-mine` instead of `incomplete`, where the
   * protocol needs that much to tell itself from others (say why in the fixture).
   */
  notMineBelow?: number;
  /**
   * `stream` (default): the PDU carries its own length, so every proper prefix is `incomplete` and
   * trailing bytes are left unconsumed. `datagram`: the PDU is the whole UDP datagram (FINS/UDP),
   * so a prefix may be a shorter valid PDU; those two checks are skipped.
   */
  framing?: 'stream' | 'datagram';
  /** `exact` (default): encode(parse(bytes)) gives the same bytes back; `fields`: same fields only. */
  reencode?: 'exact' | 'fields';
}

/** Spec-shaped helper: `fixture('modbus', 'read coils', 'to-server', hex\`…\`, { … })`. */
export function fixture(
  protocol: string,
  name: string,
  direction: Direction,
  bytes: Uint8Array,
  more: Partial<Omit<ProtocolFixture, 'protocol' | 'name' | 'direction' | 'bytes'>> = {},
): ProtocolFixture {
  return { protocol, name, direction, bytes, ...more };
}

/** `const f = fixturesFor('modbus')` binds the protocol name for a fixtures file. */
export function fixturesFor(protocol: string) {
  return (
    name: string,
    direction: Direction,
    bytes: Uint8Array,
    more: Partial<Omit<ProtocolFixture, 'protocol' | 'name' | 'direction' | 'bytes'>> = {},
  ): ProtocolFixture => fixture(protocol, name, direction, bytes, more);
}
