// IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5) with bounded memory: at most
// MAX_DATAGRAMS datagrams in progress, each at most 65 535 bytes, dropped after TIMEOUT_S of
// capture time without completing. Overlaps: the fragment with the lower offset wins.

const MAX_DATAGRAMS = 1024;
const MAX_SIZE = 65_535;
const TIMEOUT_S = 30;

interface Pending {
  firstSeen: number;
  /** Total payload length, known once the last fragment (MF=0) arrived; -1 before. */
  total: number;
  parts: { offset: number; bytes: Uint8Array }[];
  received: number;
}

export class FragmentReassembler {
  private pending = new Map<string, Pending>();
  dropped = 0;

  get size(): number {
    return this.pending.size;
  }

  /**
   * Adds one fragment's payload (copied). Returns the whole datagram payload once every byte from
   * 0 to the end is present, otherwise null.
   */
  add(key: string, offset: number, more: boolean, b: Uint8Array, start: number, end: number, now: number): Uint8Array | null {
    this.expire(now);
    const len = end - start;
    if (offset + len > MAX_SIZE) {
      this.pending.delete(key);
      this.dropped++;
      return null;
    }
    let p = this.pending.get(key);
    if (!p) {
      if (this.pending.size >= MAX_DATAGRAMS) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
        this.dropped++;
      }
      p = { firstSeen: now, total: -1, parts: [], received: 0 };
      this.pending.set(key, p);
    }
    if (!more) p.total = offset + len;
    p.parts.push({ offset, bytes: b.slice(start, end) });
    p.received += len;
    if (p.total < 0 || p.received < p.total) return null;
    p.parts.sort((x, y) => x.offset - y.offset);
    let covered = 0;
    for (const part of p.parts) {
      if (part.offset > covered) return null;
      covered = Math.max(covered, part.offset + part.bytes.length);
    }
    if (covered < p.total) return null;
    const out = new Uint8Array(p.total);
    for (let i = p.parts.length - 1; i >= 0; i--) {
      const part = p.parts[i];
      out.set(part.bytes.subarray(0, Math.max(0, Math.min(part.bytes.length, p.total - part.offset))), part.offset);
    }
    this.pending.delete(key);
    return out;
  }

  private expire(now: number): void {
    for (const [key, p] of this.pending) {
      if (now - p.firstSeen <= TIMEOUT_S) break;
      this.pending.delete(key);
      this.dropped++;
    }
  }
}
