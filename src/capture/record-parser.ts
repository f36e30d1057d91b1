import type { CaptureIssue, CapturePacket, PacketSink } from './packet.ts';

/**
 * A capture format as a resumable parser over a window of the file: `parse` decodes every whole
 * record in bytes[start, end), hands each to the sink and returns where it stopped. When the next
 * record is not whole, `need` says how many bytes from that point it requires. Once `issue` is set
 * the file is finished. Total: never throws on any bytes.
 */
export interface RecordParser {
  readonly format: 'pcap' | 'pcapng';
  issue: CaptureIssue | null;
  need: number;
  packets: number;
  linkTypes: number[];
  parse(bytes: Uint8Array, start: number, end: number, fileOffset: number, packet: CapturePacket, sink: PacketSink): number;
}

export function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
}

export function u32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
    : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
