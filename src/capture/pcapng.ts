// pcapng (draft-ietf-opsawg-pcapng): a file of blocks {type, total length, body, total length}.
// A Section Header Block fixes the byte order and resets the interfaces; each Interface
// Description Block adds an interface with its link type and timestamp resolution; packets come
// in Enhanced (6), Simple (3) and obsolete Packet (2) blocks. Other blocks are skipped.
import { MAX_BLOCK, MAX_RECORD, type CaptureIssue, type CaptureIssueCode, type CapturePacket, type PacketSink } from './packet.ts';
import { u16, u32, type RecordParser } from './record-parser.ts';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface Interface {
  linkType: number;
  snapLen: number;
  /** Units per second as a power: base 10 or 2, and the exponent (if_tsresol, §4.2). */
  base: 10 | 2;
  exp: number;
  /** if_tsoffset: seconds added to every timestamp. */
  offset: number;
  /** Microsecond resolution (the default), read without BigInt. */
  micro: boolean;
}

export class PcapngParser implements RecordParser {
  readonly format = 'pcapng' as const;
  issue: CaptureIssue | null = null;
  need = 12;
  packets = 0;
  linkTypes: number[] = [];
  private le = true;
  private inSection = false;
  private interfaces: Interface[] = [];

  parse(b: Uint8Array, start: number, end: number, fileOffset: number, packet: CapturePacket, sink: PacketSink): number {
    let o = start;
    // One view per window: DataView reads compile to single loads, in either byte order.
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    while (true) {
      // The common block, read in place: an Enhanced Packet Block in the section's byte order, whole
      // in the window, on a declared interface with microsecond timestamps. Anything else, and any
      // check that fails here, goes through `block`, which reads every kind and reports problems.
      const le = this.le;
      const total = end - o >= 12 ? v.getInt32(o + 4, le) : 0;
      if (
        total >= 32 &&
        total <= MAX_BLOCK &&
        (total & 3) === 0 &&
        end - o >= total &&
        v.getInt32(o, le) === EPB &&
        v.getInt32(o + total - 4, le) === total
      ) {
        const ifId = v.getInt32(o + 8, le);
        const capLen = v.getInt32(o + 20, le);
        const interfaces = this.interfaces;
        if (ifId >= 0 && ifId < interfaces.length && capLen >= 0 && capLen <= total - 32 && capLen <= MAX_RECORD) {
          const ifc = interfaces[ifId];
          if (ifc.micro) {
            // Microseconds since 1970 stay below 2^53 until the year 2255: plain arithmetic is exact.
            const us = v.getUint32(o + 12, le) * 4294967296 + v.getUint32(o + 16, le);
            const sec = Math.floor(us / 1e6);
            packet.tsSec = sec + ifc.offset;
            packet.tsNsec = (us - sec * 1e6) * 1000;
          } else {
            setTime(packet, ifc, v.getUint32(o + 12, le), v.getUint32(o + 16, le));
          }
          packet.index = ++this.packets;
          packet.linkType = ifc.linkType;
          packet.interfaceId = ifId;
          packet.bytes = b;
          packet.offset = o + 28;
          packet.capLen = capLen;
          packet.origLen = v.getUint32(o + 24, le);
          sink(packet);
          o += total;
          continue;
        }
      }
      const next = this.block(b, o, end, fileOffset + (o - start), packet, sink);
      if (next < 0) return o;
      o = next;
    }
  }

  /**
   * Any block at `o`: returns the offset after it, or -1 when reading stops there (`need` says
   * how many bytes the block requires, or `issue` is set).
   */
  private block(b: Uint8Array, o: number, end: number, at: number, packet: CapturePacket, sink: PacketSink): number {
    // Both waits (for the 12 bytes every block starts with, or for the rest of the block) end in
    // the one store of `need` below, which the first window already visits: compiled code then
    // meets no unvisited store when a later window ends.
    let need = 12;
    if (end - o >= 12) {
      const beType = u32(b, o, false);
      if (beType === PCAPNG_SHB) {
        const bom = u32(b, o + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (u32(b, o + 8, false) === BYTE_ORDER_MAGIC) this.le = false;
        else return this.fail('bad-section-header', at, 'section header without byte-order magic');
        this.inSection = true;
        this.interfaces = [];
      } else if (!this.inSection) {
        return this.fail('not-a-capture', at, 'pcapng file does not start with a section header');
      }
      const le = this.le;
      const total = u32(b, o + 4, le);
      if (total < 12 || total % 4 !== 0 || total > MAX_BLOCK) return this.fail('bad-block-length', at, `block length ${total} is not valid`);
      if (end - o >= total) return this.whole(b, o, total, at, packet, sink);
      need = total;
    }
    this.need = need;
    return -1;
  }

  /** A block wholly in the window: returns the offset after it, or -1 on an issue. */
  private whole(b: Uint8Array, o: number, total: number, at: number, packet: CapturePacket, sink: PacketSink): number {
    const le = this.le;
    const type = u32(b, o, le);
    if (u32(b, o + total - 4, le) !== total) return this.fail('bad-block-length', at, 'trailing block length differs from the leading one');
    const body = o + 8;
    const bodyEnd = o + total - 4;
    if (type === EPB || type === PB) {
      if (bodyEnd - body < 20) return this.fail('truncated-record', at, 'packet block shorter than its fixed fields');
      const ifId = type === EPB ? u32(b, body, le) : u16(b, body, le);
      const ifc = this.interfaces[ifId];
      const capLen = u32(b, body + 12, le);
      if (!ifc) return this.fail('bad-block-length', at, `packet on undeclared interface ${ifId}`);
      if (capLen > bodyEnd - body - 20 || capLen > MAX_RECORD) return this.fail('truncated-record', at, `captured length ${capLen} exceeds the block`);
      setTime(packet, ifc, u32(b, body + 4, le), u32(b, body + 8, le));
      this.emit(packet, sink, ifId, ifc, b, body + 20, capLen, u32(b, body + 16, le));
    } else if (type === SPB) {
      const ifc = this.interfaces[0];
      if (!ifc || bodyEnd - body < 4) return this.fail('bad-block-length', at, 'simple packet block without interface 0');
      const origLen = u32(b, body, le);
      // §4.4: captured length is the smaller of the original length and the snap length.
      let capLen = Math.min(origLen, bodyEnd - body - 4, MAX_RECORD);
      if (ifc.snapLen > 0) capLen = Math.min(capLen, ifc.snapLen);
      packet.tsSec = 0;
      packet.tsNsec = 0;
      this.emit(packet, sink, 0, ifc, b, body + 4, capLen, origLen);
    } else if (type === IDB) {
      if (bodyEnd - body < 8) return this.fail('truncated-record', at, 'interface block shorter than its fixed fields');
      const ifc = readInterface(b, body, bodyEnd, le);
      this.interfaces.push(ifc);
      if (!this.linkTypes.includes(ifc.linkType)) this.linkTypes.push(ifc.linkType);
    }
    return o + total;
  }

  private fail(code: CaptureIssueCode, offset: number, message: string): number {
    this.issue = { code, offset, message };
    return -1;
  }

  private emit(packet: CapturePacket, sink: PacketSink, ifId: number, ifc: Interface, b: Uint8Array, off: number, capLen: number, origLen: number): void {
    packet.index = ++this.packets;
    packet.linkType = ifc.linkType;
    packet.interfaceId = ifId;
    packet.bytes = b;
    packet.offset = off;
    packet.capLen = capLen;
    packet.origLen = origLen;
    sink(packet);
  }
}

function readInterface(b: Uint8Array, body: number, bodyEnd: number, le: boolean): Interface {
  const ifc: Interface = { linkType: u16(b, body, le), snapLen: u32(b, body + 4, le), base: 10, exp: 6, offset: 0, micro: true };
  let o = body + 8;
  while (bodyEnd - o >= 4) {
    const code = u16(b, o, le);
    const len = u16(b, o + 2, le);
    if (code === 0 || o + 4 + len > bodyEnd) break;
    if (code === OPT_IF_TSRESOL && len >= 1) {
      const v = b[o + 4];
      ifc.base = v & 0x80 ? 2 : 10;
      ifc.exp = v & 0x7f;
    } else if (code === OPT_IF_TSOFFSET && len >= 8) {
      const hi = u32(b, o + 4 + (le ? 4 : 0), le) | 0;
      ifc.offset = hi * 4294967296 + u32(b, o + 4 + (le ? 0 : 4), le);
    }
    o += 4 + ((len + 3) & ~3);
  }
  ifc.micro = ifc.base === 10 && ifc.exp === 6;
  return ifc;
}

function setTime(packet: CapturePacket, ifc: Interface, hi: number, lo: number): void {
  if (ifc.micro) {
    // Microseconds since 1970 stay below 2^53 until the year 2255: plain arithmetic is exact.
    const us = hi * 4294967296 + lo;
    const sec = Math.floor(us / 1e6);
    packet.tsSec = sec + ifc.offset;
    packet.tsNsec = (us - sec * 1e6) * 1000;
    return;
  }
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  const exp = Math.min(ifc.exp, 60);
  const perSec = ifc.base === 10 ? 10n ** BigInt(exp) : 1n << BigInt(exp);
  const sec = units / perSec;
  packet.tsSec = Number(sec) + ifc.offset;
  packet.tsNsec = Number(((units - sec * perSec) * 1_000_000_000n) / perSec);
}
