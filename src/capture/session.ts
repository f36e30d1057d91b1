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
    if (!d.decode(p)) return;
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
    if (flags & TCP_SYN) {
      const s = flow.streams![dir];
      // A new SYN with another initial sequence number reuses the 4-tuple for a new connection.
      if (s.nextSeq >= 0 && s.nextSeq !== ((f.seq + 1) >>> 0)) {
        this.flows.end(flow, 'reused');
        flow = this.flows.lookup(f, p.tsSec);
        dir = this.flows.dir;
      }
      flow.streams![dir].syn(f.seq);
      if (flow.initiator < 0) flow.initiator = flags & TCP_ACK ? 1 - dir : dir;
    }
    const streams = flow.streams!;
    const stream = streams[dir];
    const peer = streams[1 - dir];
    if (flags & TCP_ACK) {
      // The common acknowledgement (nothing held on the other side) only moves peerAck.
      if (peer.pendingSegments > 0) {
        const sink = this.sink;
        sink.flow = flow;
        sink.dir = 1 - dir;
        peer.acked(f.ack, sink, p.tsSec);
      } else {
        peer.ackedNothingHeld(f.ack);
      }
    }
    const seq = flags & TCP_SYN ? (f.seq + 1) >>> 0 : f.seq;
    const len = f.payloadEnd - f.payloadOffset;
    if (len > 0 && stream.takeInOrder(seq, len)) {
      // In order with nothing held: the bytes go to the handler as a view of the read buffer.
      this.handler.tcpData(flow, dir, f.data, f.payloadOffset, f.payloadEnd, p.index, p.tsSec, p.tsNsec);
    } else if (len > 0 || stream.pendingSegments > 0) {
      const sink = this.sink;
      sink.flow = flow;
      sink.dir = dir;
      if (len > 0) stream.segment(seq, f.data, f.payloadOffset, f.payloadEnd, sink, p.tsSec, p.index, p.tsNsec);
      else stream.tick(sink, p.tsSec);
    }
    // A closed connection stays in the table (ended by the table's short linger timeout or by a
    // new SYN) so that late retransmissions are recognised as such instead of opening a new flow.
    if (flags & TCP_RST) {
      flow.reset = true;
      this.flushBoth(flow);
      return;
    }
    if (flags & TCP_FIN) {
      const sink = this.sink;
      sink.flow = flow;
      sink.dir = dir;
      stream.fin((seq + len) >>> 0, sink);
    }
  }

  /** Delivers what both directions hold (a reset, or the end of the flow). */
  private flushBoth(flow: Flow<T>): void {
    const streams = flow.streams;
    if (!streams) return;
    const sink = this.sink;
    sink.flow = flow;
    for (let dir = 0; dir < 2; dir++) {
      sink.dir = dir;
      if (streams[dir].pendingSegments > 0) streams[dir].flush(sink);
    }
  }

  /** End of the capture: every flow is flushed and ended. */
  finish(): void {
    this.flows.endAll();
  }

  private ended(flow: Flow<T>, reason: FlowEndReason): void {
    this.flushBoth(flow);
    this.handler.flowEnd(flow, reason);
  }
}
