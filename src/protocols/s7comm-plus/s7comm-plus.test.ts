import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hex } from '../../wire/index.ts';
import type { FlowState } from '../protocol.ts';
import { s7comm } from '../s7comm/index.ts';
import { s7commPlus, type S7commPlusMessage } from './index.ts';
import { fixtures } from './fixtures.ts';

function parsed(name: string): S7commPlusMessage {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, name);
  const r = s7commPlus.parse(f.bytes, f.direction);
  assert.equal(r.kind, 'done');
  return (r as { message: S7commPlusMessage }).message;
}

describe('s7comm-plus', () => {
  it('identifies the PLC from the version string of the CreateObject response', () => {
    const id = s7commPlus.identify([parsed('CreateObject request (V1)'), parsed('CreateObject response with the PLC version string')]);
    assert.deepEqual(id, { vendor: 'Siemens', orderNumber: '6ES7 214-1HE30-0XB0', firmware: 'V2.2', model: 'S7-1200', product: 'S7-1200' });
  });

  it('splits port 102 between S7comm and S7comm-plus', () => {
    const cr = fixtures[0].bytes;
    assert.ok(s7commPlus.recognize(cr, 'to-server', 'tcp'));
    assert.equal(s7comm.recognize(cr, 'to-server', 'tcp'), false);
    assert.equal(s7comm.parse(fixtures[1].bytes, 'to-server').kind, 'not-mine');
    const s7cr = hex`0300 0016 11 e0 0000 000f 00 c0 01 0a c1 02 0100 c2 02 0102`;
    assert.equal(s7commPlus.recognize(s7cr, 'to-server', 'tcp'), false);
    assert.equal(s7commPlus.parse(s7cr, 'to-server').kind, 'not-mine');
  });

  it('follows a PDU over several COTP TPDUs when given the flow state', () => {
    const state: FlowState = {};
    // First TPDU (no EOT) announces 12 data octets but carries 4; the next TPDU carries the rest and the trailer.
    const first = s7commPlus.parse(hex`0300 000f 02 f0 00 72 02 000c 31000005`, 'to-server', state);
    assert.equal(first.kind, 'done');
    const next = s7commPlus.parse(hex`0300 0013 02 f0 80 4200000000000002 72020000`, 'to-server', state);
    assert.equal(next.kind, 'done');
    if (next.kind === 'done') assert.equal(next.message.continuation, true);
    // Without state the orphan continuation is not recognisably S7comm-plus.
    assert.equal(s7commPlus.parse(hex`0300 0013 02 f0 80 4200000000000002 72020000`, 'to-server').kind, 'not-mine');
  });
});
