// Reading a capture: the format is chosen by the magic number (never the file name), then the
// file is read in 1 MiB chunks into one reusable buffer so memory stays flat on any size.
import { open } from 'node:fs/promises';
import { MAX_BLOCK, newCapturePacket, type CaptureResult, type PacketSink } from './packet.ts';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapParser } from './pcap.ts';
import { PCAPNG_SHB, PcapngParser } from './pcapng.ts';
import { u32, type RecordParser } from './record-parser.ts';

const CHUNK = 1 << 20;

/** The parser for a file starting with these bytes, or null when it is neither pcap nor pcapng. */
export function detectFormat(head: Uint8Array): RecordParser | null {
  if (head.length < 4) return null;
  const be = u32(head, 0, false);
  const le = u32(head, 0, true);
  if (be === PCAPNG_SHB) return new PcapngParser();
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) return new PcapParser();
  return null;
}

function result(parser: RecordParser | null, bytes: number, eof: boolean, need: number): CaptureResult {
  if (!parser) {
    return { format: null, packets: 0, bytes, linkTypes: [], issue: { code: 'not-a-capture', offset: 0, message: 'neither a pcap nor a pcapng magic number' } };
  }
  let issue = parser.issue;
  if (!issue && eof && need > 0) {
    issue = parser.packets === 0 && parser.linkTypes.length === 0 && bytes < 24
      ? { code: 'truncated-header', offset: 0, message: 'file ends inside the file header' }
      : { code: 'truncated-record', offset: bytes - need, message: `file ends ${need} bytes into a record` };
  }
  return { format: parser.format, packets: parser.packets, bytes, linkTypes: parser.linkTypes, issue };
}

/** Decodes a whole capture held in memory. Never throws. */
export function decodeCapture(bytes: Uint8Array, sink: PacketSink): CaptureResult {
  const parser = detectFormat(bytes);
  if (!parser) return result(null, bytes.length, true, 0);
  const packet = newCapturePacket();
  const stop = parser.parse(bytes, 0, bytes.length, 0, packet, sink);
  return result(parser, bytes.length, true, parser.issue ? 0 : bytes.length - stop);
}

/**
 * Streams a capture file to the sink. Rejects only when the file cannot be read (missing, a
 * directory, no permission); any content, however broken, resolves with `issue` set.
 */
export interface ReadOptions {
  /** Awaited before each chunk is read: a slow consumer (a full stdout pipe) pauses reading here. */
  beforeChunk?: () => Promise<void> | void;
}

export async function readCaptureFile(path: string, sink: PacketSink, options: ReadOptions = {}): Promise<CaptureResult> {
  const fh = await open(path, 'r');
  try {
    let buf = new Uint8Array(CHUNK);
    let start = 0;
    let end = 0;
    let fileOffset = 0;
    let eof = false;
    const fill = async (): Promise<void> => {
      await options.beforeChunk?.();
      while (!eof && end < buf.length) {
        const { bytesRead } = await fh.read(buf, end, buf.length - end, null);
        if (bytesRead === 0) eof = true;
        end += bytesRead;
      }
    };
    await fill();
    const parser = detectFormat(buf.subarray(0, end));
    if (!parser) return result(null, end, true, 0);
    const packet = newCapturePacket();
    while (true) {
      const stop = parser.parse(buf, start, end, fileOffset, packet, sink);
      fileOffset += stop - start;
      start = stop;
      if (parser.issue) return result(parser, fileOffset, eof, 0);
      if (eof) return result(parser, fileOffset + (end - start), true, end - start);
      // Keep the unfinished record: slide it to the front, growing only for a block that is larger
      // than the buffer and within MAX_BLOCK (the parser has already refused larger lengths).
      const left = end - start;
      if (parser.need > buf.length && parser.need <= MAX_BLOCK) {
        const bigger = new Uint8Array(Math.max(parser.need, buf.length * 2));
        bigger.set(buf.subarray(start, end));
        buf = bigger;
      } else {
        buf.copyWithin(0, start, end);
      }
      start = 0;
      end = left;
      await fill();
    }
  } finally {
    await fh.close();
  }
}
