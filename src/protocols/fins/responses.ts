// Answers an Omron persona gives, as messages for `fins.encode` (W227 §5-3-3, W342 §7-4-3).
import { ByteWriter } from '../../wire/index.ts';
import type { FinsMessage } from './fins.ts';

export function nodeAddressResponse(clientNode: number, serverNode: number): FinsMessage {
  return { anomalies: [], direction: 'to-client', tcp: { command: 1, errorCode: 0, clientNode, serverNode } };
}

/** The area data of a controller data read reply (W227 §5-3-3), in the units the manual gives. */
export interface ControllerAreaData {
  programAreaSize: number;
  iomSize: number;
  dmWords: number;
  timerCounterSize: number;
  expansionDmSize: number;
  steps: number;
  memoryCardType: number;
  memoryCardSize: number;
}

const DEFAULT_AREA: ControllerAreaData = {
  programAreaSize: 20,
  iomSize: 23,
  dmWords: 32768,
  timerCounterSize: 8,
  expansionDmSize: 0,
  steps: 0,
  memoryCardType: 0,
  memoryCardSize: 0,
};

/**
 * Controller data read (0501) reply: model and version (20 octets each), 40 octets for system
 * use, then the 12 octets of area data nmap's omron-info reads; source and destination swapped,
 * ICF marked as a response, end code 0.
 */
export function controllerDataResponse(request: FinsMessage, model: string, version: string, area: Partial<ControllerAreaData> = {}): FinsMessage {
  const q = request.frame;
  const a = { ...DEFAULT_AREA, ...area };
  const data = new ByteWriter(96)
    .ascii(model, 20, 0)
    .ascii(version, 20, 0)
    .bytes(new Uint8Array(40))
    .u16be(a.programAreaSize)
    .u8(a.iomSize)
    .u16be(a.dmWords)
    .u8(a.timerCounterSize)
    .u8(a.expansionDmSize)
    .u16be(a.steps)
    .u8(a.memoryCardType)
    .u16be(a.memoryCardSize)
    .finish();
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
