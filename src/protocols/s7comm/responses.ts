// Answers an S7 persona gives to the s7-info exchange, as messages for `s7comm.encode`.
import { ByteWriter } from '../../wire/index.ts';
import type { S7commMessage } from './s7comm.ts';

const DT = { name: 'DT', pduType: 0xf0, eot: true, tpduNumber: 0 } as const;

/** COTP CC echoing the request's parameters; our reference becomes the source reference. */
export function connectionConfirm(request: S7commMessage, srcRef = 0x0001): S7commMessage {
  const cr = request.cotp;
  const params = 'params' in cr ? cr.params : [];
  const dstRef = 'srcRef' in cr ? cr.srcRef : 0;
  return { anomalies: [], direction: 'to-client', cotp: { name: 'CC', pduType: 0xd0, dstRef, srcRef, classOption: 0, params } };
}

/** Ack-data to setup communication, granting at most `maxPduLength`. */
export function setupCommunicationAck(job: S7commMessage, maxPduLength = 240): S7commMessage {
  const p = job.s7?.param;
  const asked = p?.kind === 'setup-communication' ? p : { maxAmqCalling: 1, maxAmqCalled: 1, pduLength: maxPduLength };
  return {
    anomalies: [],
    direction: 'to-client',
    cotp: { ...DT },
    s7: {
      rosctr: 3,
      redundancyId: 0,
      pduRef: job.s7?.pduRef ?? 0,
      error: { errorClass: 0, errorCode: 0 },
      param: {
        kind: 'setup-communication',
        function: 0xf0,
        reserved: 0,
        maxAmqCalling: asked.maxAmqCalling,
        maxAmqCalled: asked.maxAmqCalled,
        pduLength: Math.min(asked.pduLength, maxPduLength),
      },
      data: { kind: 'none' },
    },
  };
}

/** One SZL answer: id, index and fixed-length records. */
export interface SzlAnswer {
  id: number;
  index: number;
  recordLength: number;
  records: Uint8Array[];
}

/** Userdata response to a read-SZL request, in a single PDU. */
export function szlResponse(request: S7commMessage, szl: SzlAnswer): S7commMessage {
  const w = new ByteWriter(16 + szl.records.length * szl.recordLength);
  w.u16be(szl.id).u16be(szl.index).u16be(szl.recordLength).u16be(szl.records.length);
  for (const r of szl.records) w.bytes(r.subarray(0, szl.recordLength)).bytes(new Uint8Array(Math.max(0, szl.recordLength - r.length)));
  const p = request.s7?.param;
  return {
    anomalies: [],
    direction: 'to-client',
    cotp: { ...DT },
    s7: {
      rosctr: 7,
      redundancyId: 0,
      pduRef: request.s7?.pduRef ?? 0,
      param: {
        kind: 'userdata',
        head: 0x000112,
        method: 0x12,
        type: 8,
        group: 4,
        subfunction: 1,
        sequence: p?.kind === 'userdata' ? p.sequence : 0,
        continuation: { dataUnitRef: 0, lastDataUnit: 0, errorCode: 0 },
      },
      data: { kind: 'userdata', returnCode: 0xff, transportSize: 9, payload: w.finish() },
    },
  };
}

function moduleRecord(index: number, orderNumber: string, ausbg: number, ausbe: number): Uint8Array {
  return new ByteWriter(28).u16be(index).ascii(orderNumber, 20, 0x20).u16be(0x00c0).u16be(ausbg).u16be(ausbe).finish();
}

/**
 * SZL 0x0011 (module identification): module, basic hardware, basic firmware `Vx.y.z`. The
 * module's hardware version is the Ausbg of records 1 and 6; their Ausbe is the release of the PG
 * description file, 1 as on the CPU 315-2 PN/DP whose answer Snap7's server replays.
 */
export function moduleIdentification(orderNumber: string, firmware: string, hardwareVersion = 1): SzlAnswer {
  const [major = 0, minor = 0, patch = 0] = firmware.replace(/^V/i, '').split('.').map((n) => Number(n) & 0xff);
  return {
    id: 0x0011,
    index: 0,
    recordLength: 28,
    records: [
      moduleRecord(1, orderNumber, hardwareVersion, 1),
      moduleRecord(6, orderNumber, hardwareVersion, 1),
      moduleRecord(7, '', 0x5600 | major, (minor << 8) | patch),
    ],
  };
}

/** SZL 0x001C (component identification) from the persona's names; empty ones are left out. */
export function componentIdentification(c: {
  automationSystemName?: string;
  moduleName?: string;
  plantId?: string;
  copyright?: string;
  serial?: string;
  moduleTypeName?: string;
  memoryCardSerial?: string;
}): SzlAnswer {
  const texts: [number, string | undefined][] = [
    [1, c.automationSystemName],
    [2, c.moduleName],
    [3, c.plantId],
    [4, c.copyright],
    [5, c.serial],
    [7, c.moduleTypeName],
    [8, c.memoryCardSerial],
  ];
  const records = texts
    .filter(([, v]) => v !== undefined)
    .map(([index, v]) => new ByteWriter(34).u16be(index).ascii(v ?? '', 32, 0).finish());
  return { id: 0x001c, index: 0, recordLength: 34, records };
}
