// Issue 3: S7comm "block up/download". The corpus has no block transfer (its param_func histograms
// hold only 0x04, 0x05 and 0xf0) and the fixtures only a start-upload job, so this walks both
// sequences in the parameter layouts of Wireshark's packet-s7comm.c (s7comm_decode_plc_controls_
// updownload): a download is request (0x1a), blocks (0x1b) and end (0x1c), each job naming the
// block file `_0A00001P` (DB 1, passive); an upload is start (0x1d), upload (0x1e) and end (0x1f),
// the last two by upload id.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../wire/index.ts';
import type { Direction } from '../protocol.ts';
import { s7comm } from './index.ts';

const text = (s: string): number[] => [...new TextEncoder().encode(s)];
const FILE = [9, ...text('_0A00001P')];

/** TPKT + COTP DT + S7 header (job 1 or ack-data 3, PDU reference 0x0f00) + parameter + data. */
function pdu(rosctr: 1 | 3, param: number[], data: number[] = []): Uint8Array {
  const header = [0x32, rosctr, 0x00, 0x00, 0x0f, 0x00, param.length >> 8, param.length & 0xff, data.length >> 8, data.length & 0xff];
  if (rosctr === 3) header.push(0x00, 0x00); // error class and code
  const s7 = [...header, ...param, ...data];
  const length = 4 + 3 + s7.length;
  return new Uint8Array([0x03, 0x00, length >> 8, length & 0xff, 0x02, 0xf0, 0x80, ...s7]);
}

interface Step {
  name: string;
  direction: Direction;
  bytes: Uint8Array;
  func: number;
  funcName: string;
  block?: [string, number];
}

const STEPS: Step[] = [
  // Function, status, 2 unknown, 4 zero, file name, then the length part "1" + load memory and MC7 lengths.
  { name: 'request download job', direction: 'to-server', bytes: pdu(1, [0x1a, 0x00, 0x01, 0x00, 0, 0, 0, 0, ...FILE, 13, ...text('1000264000248')]), func: 0x1a, funcName: 'request-download', block: ['DB', 1] },
  { name: 'request download ack-data', direction: 'to-client', bytes: pdu(3, [0x1a]), func: 0x1a, funcName: 'request-download' },
  { name: 'download block job', direction: 'to-server', bytes: pdu(1, [0x1b, 0x00, 0x01, 0x00, 0, 0, 0, 0, ...FILE]), func: 0x1b, funcName: 'download-block', block: ['DB', 1] },
  { name: 'download block ack-data with 4 octets of block', direction: 'to-client', bytes: pdu(3, [0x1b, 0x00], [0x00, 0x04, 0x00, 0xfb, 1, 2, 3, 4]), func: 0x1b, funcName: 'download-block' },
  { name: 'download ended job', direction: 'to-server', bytes: pdu(1, [0x1c, 0x00, 0x01, 0x00, 0, 0, 0, 0, ...FILE]), func: 0x1c, funcName: 'download-ended', block: ['DB', 1] },
  { name: 'start upload job', direction: 'to-server', bytes: pdu(1, [0x1d, 0x00, 0x00, 0x00, 0, 0, 0, 0, ...FILE]), func: 0x1d, funcName: 'start-upload', block: ['DB', 1] },
  { name: 'upload job, upload id 7', direction: 'to-server', bytes: pdu(1, [0x1e, 0x00, 0x00, 0x00, 0, 0, 0, 7]), func: 0x1e, funcName: 'upload' },
  { name: 'end upload job, upload id 7', direction: 'to-server', bytes: pdu(1, [0x1f, 0x00, 0x00, 0x00, 0, 0, 0, 7]), func: 0x1f, funcName: 'end-upload' },
];

describe('s7comm block upload and download', () => {
  for (const step of STEPS) {
    it(step.name, () => {
      const r = s7comm.parse(step.bytes, step.direction, {});
      assert.equal(r.kind, 'done');
      if (r.kind !== 'done') return;
      assert.equal(r.consumed, step.bytes.length);
      assert.deepEqual(r.message.anomalies, []);
      const fields = s7comm.fields(r.message);
      assert.equal(fields['s7comm.param.func'], step.func);
      assert.equal(fields['s7comm.param.func_name'], step.funcName);
      assert.equal(fields['s7comm.blockinfo.blocktype'], step.block?.[0]);
      assert.equal(fields['s7comm.blockinfo.block_num'], step.block?.[1]);
      // The traffic summary counts the same function code (oracle s7comm.param_func).
      assert.equal(s7comm.summaryFields!(r.message)['s7comm.param.func'], step.func);
      assert.equal(toHex(s7comm.encode(r.message)), toHex(step.bytes));
    });
  }
});
