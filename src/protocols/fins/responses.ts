// Answers an Omron persona gives, as messages for `fins.encode` (W227 §5-3-3, W342 §7-4-3).
import { ByteWriter } from '../../wire/index.ts';
import type { FinsMessage } from './fins.ts';

export function nodeAddressResponse(clientNode: number, serverNode: number): FinsMessage {
  return { anomalies: [], direction: 'to-client', tcp: { command: 1, errorCode: 0, clientNode, serverNode } };
}

/**
 * Controller data read (0501) reply: model and version (20 octets each), then 40 octets for
 * system use; source and destination swapped, ICF marked as a response, end code 0.
 */
export function controllerDataResponse(request: FinsMessage, model: string, version: string): FinsMessage {
  const q = request.frame;
  const data = new ByteWriter(80).ascii(model, 20, 0x20).ascii(version, 20, 0).bytes(new Uint8Array(40)).finish();
  const m: FinsMessage = {
    anomalies: [],
    direction: 'to-client',
    frame: {
      icf: 0xc0 | ((q?.icf ?? 0) & 0x01),
      rsv: 0,
      gct: 0x02,
      dna: q?.sna ?? 0,
      da1: q?.sa1 ?? 0,
      da2: q?.sa2 ?? 0,
      sna: q?.dna ?? 0,
      sa1: q?.da1 ?? 0,
      sa2: q?.da2 ?? 0,
      sid: q?.sid ?? 0,
      command: 0x0501,
      endCode: 0,
      data,
    },
  };
  if (request.tcp) m.tcp = { command: 2, errorCode: 0 };
  return m;
}
