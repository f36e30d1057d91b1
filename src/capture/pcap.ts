// libpcap file format (draft-ietf-opsawg-pcap): a 24-byte header, then records of a 16-byte
// header (ts_sec, ts_usec|ts_nsec, incl_len, orig_len) and incl_len bytes of frame.
import { MAX_RECORD, type CaptureIssue, type CapturePacket, type PacketSink } from './packet.ts';
import { u32, type RecordParser } from './record-parser.ts';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const HEADER = 24;
const RECORD_HEADER = 16;

export class PcapParser implements RecordParser {
  readonly format = 'pcap' as const;
  issue: CaptureIssue | null = null;
  need = HEADER;
  packets = 0;
  linkTypes: number[] = [];
  private le = true;
  private nano = false;
  private linkType = -1;

  parse(b: Uint8Array, start: number, end: number, fileOffset: number, packet: CapturePacket, sink: PacketSink): number {
    let o = start;
    if (this.linkType < 0) {
      if (end - o < HEADER) {
        this.need = HEADER;
        return o;
      }
      const magicBe = u32(b, o, false);
      const magicLe = u32(b, o, true);
      if (magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS) this.le = true;
      else if (magicBe === PCAP_MAGIC_US || magicBe === PCAP_MAGIC_NS) this.le = false;
      else {
        this.issue = { code: 'not-a-capture', offset: fileOffset, message: 'no pcap magic number' };
        return o;
      }
      this.nano = (this.le ? magicLe : magicBe) === PCAP_MAGIC_NS;
      // The link-type field's upper bits carry FCS information (draft-ietf-opsawg-pcap §4).
      this.linkType = u32(b, o + 20, this.le) & 0xffff;
      this.linkTypes = [this.linkType];
      o += HEADER;
    }
    const le = this.le;
    const scale = this.nano ? 1 : 1000;
    // One view per window: DataView reads compile to single loads, in either byte order.
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    // Both waits (for a record header, or for the rest of a record) end in one store of `need`.
    let need = RECORD_HEADER;
    while (end - o >= RECORD_HEADER) {
      const incl = v.getUint32(o + 8, le);
      if (incl > MAX_RECORD) {
        this.issue = { code: 'record-too-large', offset: fileOffset + (o - start), message: `record length ${incl} exceeds ${MAX_RECORD}` };
        return o;
      }
      if (end - o < RECORD_HEADER + incl) {
        need = RECORD_HEADER + incl;
        break;
      }
      packet.index = ++this.packets;
      packet.linkType = this.linkType;
      packet.interfaceId = 0;
      packet.tsSec = v.getUint32(o, le);
      packet.tsNsec = v.getUint32(o + 4, le) * scale;
      packet.bytes = b;
      packet.offset = o + RECORD_HEADER;
      packet.capLen = incl;
      packet.origLen = v.getUint32(o + 12, le);
      sink(packet);
      o += RECORD_HEADER + incl;
    }
    this.need = need;
    return o;
  }
}
