// The one interface every ICS protocol implements. Pure: bytes in, values out; no sockets,
// storage or logger. The scanner, honeypot, capture and detection all go through it.
import type { DeviceIdentity, Transport } from '../model/index.ts';

export type Direction = 'to-server' | 'to-client';

/** Every message records what was wrong with it instead of throwing. */
export interface Message {
  anomalies: string[];
}

export type Parsed<M> =
  /** One PDU decoded from the start of the bytes; `consumed` bytes belong to it. */
  | { kind: 'done'; message: M; consumed: number }
  /** The bytes are the start of a PDU of this protocol; at least `needed` bytes in total are required. */
  | { kind: 'incomplete'; needed: number }
  /** These bytes are not this protocol (or not a PDU boundary of it). */
  | { kind: 'not-mine' };

/** A rule keyword value: tshark-style field names map to one value or every occurrence. */
export type FieldValue = string | number | boolean | ReadonlyArray<string | number>;
export type Fields = Record<string, FieldValue>;

/**
 * Per-flow, per-direction scratch space a protocol may keep between PDUs (DNP3 transport
 * reassembly, OPC UA chunks, S7 request/response pairing). Created empty by the caller.
 */
export type FlowState = Record<string, unknown>;

/**
 * Where a PDU tally counts: `add(i, v)` counts one occurrence of `v` in the histogram of the
 * tally's field `fields[i]`; `own` is set when the PDU carries the protocol's own header (so tshark
 * would count the frame for it: a bare COTP connect under S7comm does not); `flawed` is set when
 * `parse` would record anomalies on the PDU (the summary counts its frame among those with
 * anomalies). The caller clears `own` and `flawed` before each PDU.
 */
export interface Tally {
  add(field: number, value: number): void;
  /** add() for a field whose values are text (OPC UA's transport type, "MSG"). */
  addText(field: number, value: string): void;
  own: boolean;
  flawed: boolean;
}

/** A tally's answer for a PDU that needs the full `parse` (a rare layout, or one with anomalies). */
export const TALLY_PARSE = -0x40000000;

/**
 * Passive analysis's counting path beside `parse`: the tshark-oracle histogram fields of one PDU
 * read from the bytes in place, with no message, view or field map built.
 */
export interface PduTally {
  /** The tshark fields `add` counts, by index (all of them keys of the oracle histograms). */
  readonly fields: readonly string[];
  /**
   * Counts the PDU at bytes[start, end). Returns what `parse` would: the bytes consumed (> 0),
   * 0 for not-mine or -needed for incomplete, each exactly as `parse` of bytes.subarray(start, end)
   * with the same `state` and the same `summaryFields` counted; or TALLY_PARSE, having counted
   * nothing, when this PDU should go through `parse` (then `parse` alone decides). `state` is the
   * flow direction's FlowState that `parse` keeps (absent: a fresh one); a tally only reads it and
   * answers only for PDUs whose `parse` would leave it as it is, so a PDU that changes it (a
   * CONNECT, a transport segment to join) goes to `parse`. Pure, never throws, keeps no state.
   */
  count(bytes: Uint8Array, start: number, end: number, direction: Direction, into: Tally, state?: FlowState): number;
}

export interface Endpoint {
  transport: Transport;
  port: number;
}

export interface Protocol<M extends Message = Message> {
  /** Short name, as in the tshark oracle's conversations (`modbus`, `s7comm`, `opcua`, …). */
  readonly name: string;
  /** Standard ports; recognition does not depend on them, the scanner and honeypot use them. */
  readonly endpoints: readonly Endpoint[];
  /**
   * Cheap content test used to recognise the protocol on any port: true when the bytes look like
   * the start of one of its PDUs. May be true for incomplete input. Never throws.
   */
  recognize(bytes: Uint8Array, direction: Direction, transport: Transport): boolean;
  /** Total: never throws on any input, bounds every length read from the wire. */
  parse(bytes: Uint8Array, direction: Direction, state?: FlowState): Parsed<M>;
  /** Inverse of parse for the messages the scanner and honeypot build. */
  encode(message: M): Uint8Array;
  /** The device identity these messages reveal, or null when they reveal none. */
  identify(messages: readonly M[]): DeviceIdentity | null;
  /** Rule keywords. Keys use tshark's field names where tshark has one (e.g. `modbus.func_code`). */
  fields(message: M): Fields;
  /**
   * Optional fast path for passive analysis, which counts a few fields of every message: a subset
   * of `fields(message)` with the same values that holds every tshark-oracle histogram field
   * `fields` has (`modbus.func_code`, `cip.sc`, … see src/traffic/oracle-fields.ts) and at least
   * one field of each field-name prefix it has (`mbtcp`, `cotp`, …), built without the names,
   * lists and text the full map needs. The contract suite checks it against `fields`.
   */
  summaryFields?(message: M): Fields;
  /** Optional counting path for the traffic summary, checked against parse + summaryFields. */
  readonly tally?: PduTally;
}
