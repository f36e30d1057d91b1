// pcapng (draft-ietf-opsawg-pcapng): a file of blocks {type, total length, body, total length}.
// A Section Header Block fixes the byte order and resets the interfaces; each Interface
// Description Block adds an interface with its link type and timestamp resolution; packets come
// in Enhanced (6), Simple (3) and obsolete Packet (2) blocks. Other blocks are skipped.
import { MAX_BLOCK, MAX_RECORD, type CaptureIssue, type CapturePacket, type PacketSink } from './packet.ts';
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
    while (true) {
      if (end - o < 12) {
        this.need = 12;
        return o;
      }
      const at = fileOffset + (o - start);
      const beType = u32(b, o, false);
      if (beType === PCAPNG_SHB) {
        const bom = u32(b, o + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (u32(b, o + 8, false) === BYTE_ORDER_MAGIC) this.le = false;
        else {
          this.issue = { code: 'bad-section-header', offset: at, message: 'section header without byte-order magic' };
          return o;
        }
        this.inSection = true;
        this.interfaces = [];
      } else if (!this.inSection) {
        this.issue = { code: 'not-a-capture', offset: at, message: 'pcapng file does not start with a section header' };
        return o;
      }
      const le = this.le;
      const type = u32(b, o, le);
      const total = u32(b, o + 4, le);
      if (total < 12 || total % 4 !== 0 || total > MAX_BLOCK) {
        this.issue = { code: 'bad-block-length', offset: at, message: `block length ${total} is not valid` };
        return o;
      }
      if (end - o < total) {
        this.need = total;
        return o;
      }
      if (u32(b, o + total - 4, le) !== total) {
        this.issue = { code: 'bad-block-length', offset: at, message: 'trailing block length differs from the leading one' };
        return o;
      }
      const body = o + 8;
      const bodyEnd = o + total - 4;
      if (type === EPB || type === PB) {
        if (bodyEnd - body < 20) {
          this.issue = { code: 'truncated-record', offset: at, message: 'packet block shorter than its fixed fields' };
          return o;
        }
        const ifId = type === EPB ? u32(b, body, le) : u16(b, body, le);
        const ifc = this.interfaces[ifId];
        const capLen = u32(b, body + 12, le);
        if (!ifc || capLen > bodyEnd - body - 20 || capLen > MAX_RECORD) {
          this.issue = {
            code: ifc ? 'truncated-record' : 'bad-block-length',
            offset: at,
            message: ifc ? `captured length ${capLen} exceeds the block` : `packet on undeclared interface ${ifId}`,
          };
          return o;
        }
        this.setTime(packet, ifc, u32(b, body + 4, le), u32(b, body + 8, le));
        this.emit(packet, sink, ifId, ifc, b, body + 20, capLen, u32(b, body + 16, le));
      } else if (type === SPB) {
        const ifc = this.interfaces[0];
        if (!ifc || bodyEnd - body < 4) {
          this.issue = { code: 'bad-block-length', offset: at, message: 'simple packet block without interface 0' };
          return o;
        }
        const origLen = u32(b, body, le);
        // §4.4: captured length is the smaller of the original length and the snap length.
        let capLen = Math.min(origLen, bodyEnd - body - 4, MAX_RECORD);
        if (ifc.snapLen > 0) capLen = Math.min(capLen, ifc.snapLen);
        packet.tsSec = 0;
        packet.tsNsec = 0;
        this.emit(packet, sink, 0, ifc, b, body + 4, capLen, origLen);
      } else if (type === IDB) {
        if (bodyEnd - body < 8) {
          this.issue = { code: 'truncated-record', offset: at, message: 'interface block shorter than its fixed fields' };
          return o;
        }
        const ifc = this.readInterface(b, body, bodyEnd, le);
        this.interfaces.push(ifc);
        if (!this.linkTypes.includes(ifc.linkType)) this.linkTypes.push(ifc.linkType);
      }
      o += total;
    }
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

  private readInterface(b: Uint8Array, body: number, bodyEnd: number, le: boolean): Interface {
    const ifc: Interface = { linkType: u16(b, body, le), snapLen: u32(b, body + 4, le), base: 10, exp: 6, offset: 0 };
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
    return ifc;
  }

  private setTime(packet: CapturePacket, ifc: Interface, hi: number, lo: number): void {
    if (ifc.base === 10 && ifc.exp === 6) {
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
}
