// ICS protocols carried without IP, over IEEE 802.2 LLC or BACnet MS/TP: found by DSAP, decoded by the
// protocol's own NPDU reader, reported through the registry protocol (for its `fields`).
import { BACNET_LLC_SAP, countNpdu, parseNpdu } from '../protocols/bacnet/index.ts';
import type { Message, Tally } from '../protocols/index.ts';

export interface LlcProtocol {
  /** Registry name of the protocol whose `fields` describe the message. */
  name: string;
  parse(bytes: Uint8Array): Message;
  /**
   * The summary's counting path (as Protocol.tally, into the registry protocol's tally fields):
   * true when bytes[start, end) were counted, false (nothing counted) when they need `parse`.
   */
  count(bytes: Uint8Array, start: number, end: number, into: Tally): boolean;
}

/** DSAP → protocol. ASHRAE 135 §7: BACnet NPDUs over ISO 8802-2 use SAP 0x82. */
const BACNET_NPDU: LlcProtocol = { name: 'bacnet', parse: parseNpdu, count: countNpdu };
export const LLC_PROTOCOLS: ReadonlyMap<number, LlcProtocol> = new Map([[BACNET_LLC_SAP, BACNET_NPDU]]);

/** BACnet MS/TP (ASHRAE 135 §9.3): frame types 5 and 6 (Data Expecting / Not Expecting Reply) carry an NPDU. */
export const MSTP_NPDU_FRAMES: ReadonlySet<number> = new Set([5, 6]);
export const MSTP_PROTOCOL = BACNET_NPDU;
