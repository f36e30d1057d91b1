// Requests the scanner sends, as messages for `fins.encode` (W227 §5-3-3, W342 §7-4-3).
import type { FinsFrame, FinsMessage } from './fins.ts';

/** FINS/TCP node address data send: client node 0 asks the server to assign one. */
export function nodeAddressRequest(clientNode = 0): FinsMessage {
  return { anomalies: [], direction: 'to-server', tcp: { command: 0, errorCode: 0, clientNode } };
}

export interface FinsAddressing {
  dna?: number;
  da1?: number;
  da2?: number;
  sna?: number;
  sa1?: number;
  sa2?: number;
  sid?: number;
}

function frame(command: number, data: Uint8Array, a: FinsAddressing): FinsFrame {
  return {
    icf: 0x80,
    rsv: 0,
    gct: 0x02,
    dna: a.dna ?? 0,
    da1: a.da1 ?? 0,
    da2: a.da2 ?? 0,
    sna: a.sna ?? 0,
    sa1: a.sa1 ?? 0,
    sa2: a.sa2 ?? 0,
    sid: a.sid ?? 0,
    command,
    data,
  };
}

/**
 * Controller data read (0501), answered with model and version. Over TCP pass `tcp: true`; the
 * node addresses then come from the node address handshake.
 */
export function controllerDataRead(a: FinsAddressing = {}, tcp = false): FinsMessage {
  const m: FinsMessage = { anomalies: [], direction: 'to-server', frame: frame(0x0501, new Uint8Array([0x00]), a) };
  if (tcp) m.tcp = { command: 2, errorCode: 0 };
  return m;
}
