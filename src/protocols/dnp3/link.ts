// IEEE 1815-2012 §9.2: FT3 data link frames. A 10-octet header (0x0564, LEN, CTRL, DEST, SRC,
// CRC) then user data in blocks of at most 16 octets, each followed by its own CRC.

export const START_0 = 0x05;
export const START_1 = 0x64;
/** LEN counts CTRL, DEST, SRC and the user data (CRCs excluded): 5..255 (§9.2.4.1.2). */
export const MIN_LEN = 5;
export const HEADER_SIZE = 10;
export const BLOCK_SIZE = 16;
export const MAX_USER_DATA = 250;

// CRC-16/DNP: polynomial 0x3D65 reflected (0xA6BC), initial value 0, final complement (§9.2.4.2).
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16dnp(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ bytes[i]) & 0xff];
  return ~crc & 0xffff;
}

/** Total frame size on the wire for a LEN octet. */
export function frameSize(len: number): number {
  const data = len - MIN_LEN;
  return HEADER_SIZE + data + 2 * Math.ceil(data / BLOCK_SIZE);
}

export interface LinkControl {
  /** DIR: set when the frame comes from the master (§9.2.4.1.3.1). */
  direction: boolean;
  /** PRM: set on primary (initiating) frames. */
  primary: boolean;
  /** FCB on primary frames. */
  frameCountBit: boolean;
  /** FCV on primary frames, DFC on secondary ones (same bit). */
  frameCountValidOrDataFlowControl: boolean;
  function: number;
  functionName: string;
}

export function decodeControl(b: number, primaryNames: Record<number, string>, secondaryNames: Record<number, string>): LinkControl {
  const primary = (b & 0x40) !== 0;
  const fn = b & 0x0f;
  return {
    direction: (b & 0x80) !== 0,
    primary,
    frameCountBit: (b & 0x20) !== 0,
    frameCountValidOrDataFlowControl: (b & 0x10) !== 0,
    function: fn,
    functionName: (primary ? primaryNames : secondaryNames)[fn] ?? 'unknown',
  };
}

export function encodeControl(c: LinkControl): number {
  return (
    (c.direction ? 0x80 : 0) |
    (c.primary ? 0x40 : 0) |
    (c.frameCountBit ? 0x20 : 0) |
    (c.frameCountValidOrDataFlowControl ? 0x10 : 0) |
    (c.function & 0x0f)
  );
}

/**
 * Copies a frame's user data from frame[at] into out[0, dataLen), block CRCs removed: the one walk
 * of the blocks (§9.2.4.2) that parse and the summary tally share. False when a block's CRC does
 * not match; every block is copied all the same.
 */
export function copyUserData(frame: Uint8Array, at: number, dataLen: number, out: Uint8Array): boolean {
  let copied = 0;
  let good = true;
  while (copied < dataLen) {
    const n = Math.min(BLOCK_SIZE, dataLen - copied);
    if ((frame[at + n] | (frame[at + n + 1] << 8)) !== crc16dnp(frame, at, at + n)) good = false;
    for (let i = 0; i < n; i++) out[copied + i] = frame[at + i];
    copied += n;
    at += n + 2;
  }
  return good;
}

/** Strips the block CRCs, noting any that do not match. */
export function userDataOf(frame: Uint8Array, len: number, anomalies: string[]): Uint8Array {
  const out = new Uint8Array(len - MIN_LEN);
  if (!copyUserData(frame, HEADER_SIZE, out.length, out)) anomalies.push('crc-mismatch');
  return out;
}

/** Builds a whole frame with fresh CRCs from header fields and user data (at most 250 octets). */
export function encodeFrame(control: number, destination: number, source: number, userData: Uint8Array): Uint8Array {
  const data = userData.subarray(0, MAX_USER_DATA);
  const len = MIN_LEN + data.length;
  const out = new Uint8Array(frameSize(len));
  out.set([START_0, START_1, len, control, destination & 0xff, destination >>> 8, source & 0xff, source >>> 8]);
  let crc = crc16dnp(out, 0, 8);
  out[8] = crc & 0xff;
  out[9] = crc >>> 8;
  let at = HEADER_SIZE;
  for (let i = 0; i < data.length; i += BLOCK_SIZE) {
    const block = data.subarray(i, i + BLOCK_SIZE);
    out.set(block, at);
    crc = crc16dnp(block);
    out[at + block.length] = crc & 0xff;
    out[at + block.length + 1] = crc >>> 8;
    at += block.length + 2;
  }
  return out;
}
