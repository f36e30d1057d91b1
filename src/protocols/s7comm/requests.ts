// The read-only exchange nmap's s7-info and the scanner use: COTP connect, setup communication,
// then SZL reads (0x0011 module identification, 0x001C component identification).
import type { S7commMessage } from './s7comm.ts';
import { COTP_PARAM } from './cotp.ts';

const DT = { name: 'DT', pduType: 0xf0, eot: true, tpduNumber: 0 } as const;

/** COTP CR with 2-octet TSAPs: 0x0100 calling and 0x0102 called (rack 0, slot 2) by default. */
export function connectionRequest(opts: { srcTsap?: number; dstTsap?: number; srcRef?: number; tpduSize?: number } = {}): S7commMessage {
  const tsap = (v: number) => new Uint8Array([v >> 8, v & 0xff]);
  return {
    anomalies: [],
    direction: 'to-server',
    cotp: {
      name: 'CR',
      pduType: 0xe0,
      dstRef: 0,
      srcRef: opts.srcRef ?? 0x000f,
      classOption: 0,
      params: [
        { code: COTP_PARAM.tpduSize, value: new Uint8Array([opts.tpduSize ?? 0x0a]) },
        { code: COTP_PARAM.callingTsap, value: tsap(opts.srcTsap ?? 0x0100) },
        { code: COTP_PARAM.calledTsap, value: tsap(opts.dstTsap ?? 0x0102) },
      ],
    },
  };
}

export function setupCommunication(pduRef: number, pduLength = 480, maxAmq = 1): S7commMessage {
  return {
    anomalies: [],
    direction: 'to-server',
    cotp: { ...DT },
    s7: {
      rosctr: 1,
      redundancyId: 0,
      pduRef,
      param: { kind: 'setup-communication', function: 0xf0, reserved: 0, maxAmqCalling: maxAmq, maxAmqCalled: maxAmq, pduLength },
      data: { kind: 'none' },
    },
  };
}

/** Userdata CPU-functions / read-SZL request. */
export function readSzl(pduRef: number, id: number, index: number): S7commMessage {
  return {
    anomalies: [],
    direction: 'to-server',
    cotp: { ...DT },
    s7: {
      rosctr: 7,
      redundancyId: 0,
      pduRef,
      param: { kind: 'userdata', head: 0x000112, method: 0x11, type: 4, group: 4, subfunction: 1, sequence: 0 },
      data: { kind: 'userdata', returnCode: 0xff, transportSize: 9, payload: new Uint8Array([id >> 8, id & 0xff, index >> 8, index & 0xff]) },
    },
  };
}
