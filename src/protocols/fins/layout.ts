// Omron FINS frame layout, shared by the parser and the summary's tally.

/** "FINS", the FINS/TCP header's magic (W342 §7-4). */
export const MAGIC = [0x46, 0x49, 0x4e, 0x53];
export const TCP_HEADER = 16;
export const FRAME_HEADER = 10;
/** W342 §7-4: a FINS frame is at most 2012 octets; the FINS/TCP length adds 8 for command and error code. */
export const MAX_TCP_LENGTH = 8 + 2012;
/** W227 §3-1: ICF bits 1–5 are reserved (0); bit 6 marks a response; GCT is at most 7. */
export const ICF_RESERVED = 0x3e;
export const ICF_RESPONSE = 0x40;
export const MAX_GCT = 7;
