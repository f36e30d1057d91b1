// One direction of a TCP connection put back in order (RFC 9293 §3.4 sequence numbers, modulo
// 2^32). In-order bytes go straight to the sink as views of the frame (no copy); out-of-order
// segments are copied and held, bounded in count, bytes and capture time; retransmitted bytes are
// dropped; a hole that will not be filled (the limits are hit, the peer acknowledged past it, or
// the stream ends) is skipped and reported as a gap so the protocol parser can resynchronise.

export const MAX_PENDING_SEGMENTS = 64;
export const MAX_PENDING_BYTES = 256 * 1024;
/** Seconds of capture time a hole may stay open before the stream skips past it. */
export const GAP_WAIT_S = 3;

/** Out-of-order bytes all streams of one session may hold together (memory stays flat). */
export const MAX_HELD_TOTAL = 64 * 1024 * 1024;

/** The shared count of held bytes; a stream that would push it past `max` skips its hole at once. */
export class HeldBudget {
  bytes = 0;
  constructor(readonly max = MAX_HELD_TOTAL) {}
}

export interface StreamSink {
  /**
   * In-order bytes b[start, end), valid only during the call. `frame` is the number of the frame
   * that carried them and its capture time (earlier than the current frame's when a held segment
   * is released).
   */
  data(b: Uint8Array, start: number, end: number, frame: number, tsSec: number, tsNsec: number): void;
  /** `missing` bytes were never seen; the next data starts after the hole. */
  gap(missing: number): void;
}

interface Held {
  seq: number;
  bytes: Uint8Array;
  at: number;
  nsec: number;
  frame: number;
}

/**
 * "Not known yet" in the sequence-number fields: any negative value would do, and this one is not
 * a small integer, so V8 makes those fields floating-point from the start. Started as -1, a field
 * changes representation when the first sequence number past 2^30 arrives, which changes the hidden
 * class of every stream and deoptimizes each compiled function that has seen one.
 */
const NONE = -0.5;

export class TcpStream {
  /** Next expected sequence number, or negative before the first SYN or data. */
  nextSeq = NONE;
  /** Sequence number just after the FIN, or negative. */
  finSeq = NONE;
  finished = false;
  /** Highest acknowledgement the other side sent for this direction, or negative. */
  peerAck = NONE;
  bytesDelivered = 0;
  retransmittedBytes = 0;
  gapBytes = 0;
  private held: Held[] = [];
  private heldBytes = 0;

  constructor(private readonly budget: HeldBudget = new HeldBudget()) {}

  get pendingSegments(): number {
    // Held segments are never empty, so no bytes means none held; the common case then never
    // touches the array (whose elements kind changes when its first segment is held).
    return this.heldBytes > 0 ? this.held.length : 0;
  }

  syn(seq: number): void {
    this.nextSeq = (seq + 1) >>> 0;
    this.held.length = 0;
    this.budget.bytes -= this.heldBytes;
    this.heldBytes = 0;
    this.finSeq = NONE;
    this.finished = false;
  }

  /**
   * The sender's FIN at `seq`. Bytes still missing before it are taken as lost by the capture:
   * held segments are delivered, the rest is reported as a gap, and a late retransmission of those
   * bytes is then dropped like any other (tshark's sequence analysis does the same).
   */
  fin(seq: number, sink: StreamSink): void {
    this.finSeq = seq >>> 0;
    if (this.nextSeq >= 0 && ((this.finSeq - this.nextSeq) | 0) > 0) {
      this.flush(sink);
      const missing = (this.finSeq - this.nextSeq) | 0;
      if (missing > 0) {
        this.gapBytes += missing;
        sink.gap(missing);
        this.nextSeq = this.finSeq;
      }
    }
    this.finished = true;
  }

  /** The other direction acknowledged up to `ack`: a hole before it was lost by the capture. */
  acked(ack: number, sink: StreamSink, now: number): void {
    if (this.peerAck < 0 || ((ack - this.peerAck) | 0) > 0) this.peerAck = ack >>> 0;
    if (this.held.length > 0 && ((this.peerAck - this.held[0].seq) | 0) >= 0) this.skipHole(sink, now);
  }

  /**
   * The acknowledgement of `acked` for a stream that holds nothing: no hole can be skipped, so
   * only the highest acknowledgement moves.
   */
  ackedNothingHeld(ack: number): void {
    if (this.peerAck < 0 || ((ack - this.peerAck) | 0) > 0) this.peerAck = ack >>> 0;
  }

  /**
   * The in-order fast path of `segment`: when `len` bytes at `seq` are exactly the next ones and
   * nothing is held, counts them as delivered and returns true, and the caller hands them on
   * itself (no sink call, no copy). Otherwise changes nothing and returns false.
   */
  takeInOrder(seq: number, len: number): boolean {
    if (this.heldBytes > 0 || (this.nextSeq !== seq && this.nextSeq >= 0)) return false;
    this.nextSeq = (seq + len) >>> 0;
    this.bytesDelivered += len;
    if (this.finSeq >= 0 && ((this.finSeq - this.nextSeq) | 0) <= 0) this.finished = true;
    return true;
  }

  segment(seq: number, b: Uint8Array, start: number, end: number, sink: StreamSink, now: number, frame = 0, nsec = 0): void {
    const len = end - start;
    if (len <= 0) return;
    if (this.nextSeq < 0) this.nextSeq = seq >>> 0;
    const d = (seq - this.nextSeq) | 0;
    if (d < 0) {
      // A segment starting before nextSeq is a retransmission and is dropped whole, even when it
      // carries new bytes past nextSeq: this is what tshark does (its retransmission analysis
      // hides the segment from the dissectors), and those bytes come again in order if they matter.
      this.retransmittedBytes += len;
      return;
    }
    if (d === 0) {
      this.deliver(b, start, end, sink, frame, now, nsec);
      this.drain(sink);
    } else {
      this.hold(seq >>> 0, b.slice(start, end), now, nsec, frame);
      if (this.peerAck >= 0 && ((this.peerAck - this.held[0].seq) | 0) >= 0) this.skipHole(sink, now);
      else this.enforceLimits(sink, now);
    }
    if (this.finSeq >= 0 && ((this.finSeq - this.nextSeq) | 0) <= 0) this.finished = true;
  }

  /** Ends the stream: every held segment is delivered, holes reported as gaps. */
  flush(sink: StreamSink): void {
    while (this.held.length > 0) {
      const first = this.held[0];
      const missing = (first.seq - this.nextSeq) | 0;
      if (missing > 0) {
        this.gapBytes += missing;
        sink.gap(missing);
        this.nextSeq = first.seq;
      }
      this.drain(sink);
    }
    this.finished = true;
  }

  /** Called as capture time passes, so a hole does not wait forever on a quiet stream. */
  tick(sink: StreamSink, now: number): void {
    this.enforceLimits(sink, now);
  }

  private enforceLimits(sink: StreamSink, now: number): void {
    while (
      this.held.length > 0 &&
      (this.held.length > MAX_PENDING_SEGMENTS ||
        this.heldBytes > MAX_PENDING_BYTES ||
        this.budget.bytes > this.budget.max ||
        now - this.held[0].at > GAP_WAIT_S)
    ) {
      this.skipHole(sink, now);
    }
  }

  private skipHole(sink: StreamSink, _now: number): void {
    const first = this.held[0];
    const missing = (first.seq - this.nextSeq) | 0;
    if (missing > 0) {
      this.gapBytes += missing;
      sink.gap(missing);
      this.nextSeq = first.seq;
    }
    this.drain(sink);
  }

  private deliver(b: Uint8Array, start: number, end: number, sink: StreamSink, frame: number, sec: number, nsec: number): void {
    const len = end - start;
    this.nextSeq = (this.nextSeq + len) >>> 0;
    this.bytesDelivered += len;
    sink.data(b, start, end, frame, sec, nsec);
  }

  /** Delivers held segments that now start at or before nextSeq. */
  private drain(sink: StreamSink): void {
    while (this.held.length > 0) {
      const h = this.held[0];
      const d = (h.seq - this.nextSeq) | 0;
      if (d > 0) return;
      this.held.shift();
      this.heldBytes -= h.bytes.length;
      this.budget.bytes -= h.bytes.length;
      if (d + h.bytes.length <= 0) {
        this.retransmittedBytes += h.bytes.length;
        continue;
      }
      // Bytes of the segment already delivered. Not `-d`: for d = 0 that is -0, a double, which
      // would turn these counters into floating-point fields and change every stream's hidden class.
      const overlap = 0 - d;
      this.retransmittedBytes += overlap;
      this.deliver(h.bytes, overlap, h.bytes.length, sink, h.frame, h.at, h.nsec);
    }
  }

  private hold(seq: number, bytes: Uint8Array, at: number, nsec: number, frame: number): void {
    let i = this.held.length;
    while (i > 0 && ((this.held[i - 1].seq - seq) | 0) > 0) i--;
    const same = this.held[i - 1];
    if (same && same.seq === seq) {
      if (same.bytes.length >= bytes.length) {
        this.retransmittedBytes += bytes.length;
        return;
      }
      this.heldBytes -= same.bytes.length;
      this.budget.bytes -= same.bytes.length;
      this.held.splice(i - 1, 1);
      i--;
    }
    this.held.splice(i, 0, { seq, bytes, at, nsec, frame });
    this.heldBytes += bytes.length;
    this.budget.bytes += bytes.length;
  }
}
