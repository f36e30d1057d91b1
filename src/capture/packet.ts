// The record a capture reader hands out. One object is reused for every record (no per-packet
// allocation): `bytes` is a view of the reader's buffer, valid only until the callback returns, so
// a consumer copies what it keeps.

/** tcpdump.org LINKTYPE_* values the decoder understands (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_OPENBSD: 12,
  RAW_BSDOS: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CapturePacket {
  /** 1-based frame number, as tshark's frame.number. */
  index: number;
  linkType: number;
  /** pcapng interface id (0 for pcap). */
  interfaceId: number;
  /** Capture time: whole seconds since the epoch and the nanosecond fraction. */
  tsSec: number;
  tsNsec: number;
  /** The buffer holding the frame; the frame is bytes[offset, offset + capLen). */
  bytes: Uint8Array;
  offset: number;
  capLen: number;
  /** Length on the wire; larger than capLen for snaplen-truncated frames. */
  origLen: number;
}

export function newCapturePacket(): CapturePacket {
  return { index: 0, linkType: 0, interfaceId: 0, tsSec: 0, tsNsec: 0, bytes: new Uint8Array(0), offset: 0, capLen: 0, origLen: 0 };
}

/** Why reading stopped before the end of the file (the packets before it were delivered). */
export type CaptureIssueCode =
  | 'not-a-capture'
  | 'truncated-header'
  | 'truncated-record'
  | 'record-too-large'
  | 'bad-block-length'
  | 'bad-section-header';

export interface CaptureIssue {
  code: CaptureIssueCode;
  /** File offset of the record or block where the problem was found. */
  offset: number;
  message: string;
}

export interface CaptureResult {
  format: CaptureFormat | null;
  packets: number;
  /** Bytes of the file that were read. */
  bytes: number;
  /** Link types seen (pcap: the one of the header; pcapng: one per interface). */
  linkTypes: number[];
  issue: CaptureIssue | null;
}

/** Called for each record; the packet object is reused. */
export type PacketSink = (packet: CapturePacket) => void;

/** Largest record accepted: 256 KiB of frame (libpcap's MAXIMUM_SNAPLEN) plus block framing. */
export const MAX_RECORD = 262_144;
/** Largest pcapng block of any kind (options, name resolution, …) a reader will buffer. */
export const MAX_BLOCK = 16 * 1024 * 1024;
