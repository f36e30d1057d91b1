// The EtherNet/IP encapsulation's sizes and limits, one copy for parse (enip.ts) and the summary's
// tally (tally.ts).

/** Vol 2 §2-3: the encapsulation header. */
export const HEADER_SIZE = 24;
/** Vol 2 §2-3.1: the encapsulated data is at most 65511 octets. */
export const MAX_LENGTH = 65511;
/** The most items a common packet format list may count; a larger count marks the body an overrun. */
export const MAX_ITEMS = 64;
