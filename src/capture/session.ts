// Drives decoding for a whole capture: each packet is decoded, assigned to its flow, and TCP
// payload is put back in order per direction before the handler sees it. The handler receives
// byte ranges that are valid only during the call (views of the reader's buffer, no copies).
import { IPPROTO_TCP, L3, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Frame } from './frame.ts';
import { DEFAULT_FLOW_LIMITS, FlowTable, type Flow, type FlowEndReason, type FlowLimits } from './flow-table.ts';
import { PacketDecoder } from './decode.ts';
import type { CapturePacket } from './packet.ts';
import type { StreamSink } from './tcp-stream.ts';

export interface FlowHandler<T> {
  /**
   * In-order TCP bytes of one direction (dir 0 = A→B of the flow, 1 = B→A), carried by frame
   * number `frame` at capture time tsSec.tsNsec (an earlier frame when a held out-of-order
   * segment is released).
   */
  tcpData(flow: Flow<T>, dir: number, b: Uint8Array, start: number, end: number, frame: number, tsSec: number, tsNsec: number): void;
  /** `missing` bytes of that direction were never captured. */
  tcpGap(flow: Flow<T>, dir: number, missing: number): void;
  udp(flow: Flow<T>, dir: number, b: Uint8Array, start: number, end: number): void;
  /** A frame without IP: 802.2 LLC (DSAP/SSAP and payload) or BACnet MS/TP (frame type and data). */
  llc(frame: Frame): void;
  flowEnd(flow: Flow<T>, reason: FlowEndReason): void;
}

class SinkAdapter<T> implements StreamSink {
  flow!: Flow<T>;
  dir = 0;
  constructor(private readonly handler: FlowHandler<T>) {}
  data(b: Uint8Array, start: number, end: number, frame: number, tsSec: number, tsNsec: number): void {
    this.handler.tcpData(this.flow, this.dir, b, start, end, frame, tsSec, tsNsec);
  }
  gap(missing: number): void {
    this.handler.tcpGap(this.flow, this.dir, missing);
  }
}

export class CaptureSession<T> {
  readonly decoder = new PacketDecoder();
  readonly flows: FlowTable<T>;
  private readonly sink: SinkAdapter<T>;
  /** The packet being processed (valid during handler calls). */
  packet: CapturePacket | null = null;
  now = 0;

  constructor(private readonly handler: FlowHandler<T>, limits: FlowLimits = DEFAULT_FLOW_LIMITS) {
    this.sink = new SinkAdapter(handler);
    this.flows = new FlowTable<T>((flow, reason) => this.ended(flow, reason), limits);
  }

  get frame(): Frame {
    return this.decoder.frame;
  }

  packetIn(p: CapturePacket): void {
    this.packet = p;
    this.now = p.tsSec;
    const d = this.decoder;
    if (!d.decode(p, p.tsSec)) return;
    const f = d.frame;
    if (f.l3 === L3.LLC || f.l3 === L3.MSTP) {
      this.handler.llc(f);
      return;
    }
    let flow = this.flows.lookup(f, p.tsSec);
    let dir = this.flows.dir;
    if (f.ipProto !== IPPROTO_TCP) {
      this.handler.udp(flow, dir, f.data, f.payloadOffset, f.payloadEnd);
      return;
    }
    const flags = f.tcpFlags;
    let streams = flow.streams!;
    if (flags & TCP_SYN) {
      const s = streams[dir];
      // A new SYN with another initial sequence number reuses the 4-tuple for a new connection.
      if (s.nextSeq >= 0 && s.nextSeq !== ((f.seq + 1) >>> 0)) {
        this.flows.end(flow, 'reused');
        flow = this.flows.lookup(f, p.tsSec);
        dir = this.flows.dir;
        streams = flow.streams!;
      }
      streams[dir].syn(f.seq);
      if (flow.initiator < 0) flow.initiator = flags & TCP_ACK ? 1 - dir : dir;
    }
    const sink = this.sink;
    sink.flow = flow;
    if (flags & TCP_ACK) {
      sink.dir = 1 - dir;
      streams[1 - dir].acked(f.ack, sink, p.tsSec);
    }
    sink.dir = dir;
    const stream = streams[dir];
    const seq = flags & TCP_SYN ? (f.seq + 1) >>> 0 : f.seq;
    const len = f.payloadEnd - f.payloadOffset;
    if (len > 0) stream.segment(seq, f.data, f.payloadOffset, f.payloadEnd, sink, p.tsSec, p.index, p.tsNsec);
    else if (stream.pendingSegments > 0) stream.tick(sink, p.tsSec);
    // A closed connection stays in the table (ended by the table's short linger timeout or by a
    // new SYN) so that late retransmissions are recognised as such instead of opening a new flow.
    if (flags & TCP_RST) {
      flow.reset = true;
      for (const d of [0, 1]) {
        sink.dir = d;
        if (streams[d].pendingSegments > 0) streams[d].flush(sink);
      }
      return;
    }
    if (flags & TCP_FIN) stream.fin((seq + len) >>> 0, sink);
  }

  /** End of the capture: every flow is flushed and ended. */
  finish(): void {
    this.flows.endAll();
  }

  private ended(flow: Flow<T>, reason: FlowEndReason): void {
    const streams = flow.streams;
    if (streams) {
      const sink = this.sink;
      sink.flow = flow;
      for (const dir of [0, 1]) {
        sink.dir = dir;
        if (streams[dir].pendingSegments > 0) streams[dir].flush(sink);
      }
    }
    this.handler.flowEnd(flow, reason);
  }
}
