import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hex, toHex } from '../../wire/index.ts';
import { controllerDataRead, controllerDataResponse, fins, nodeAddressRequest, nodeAddressResponse, type FinsMessage } from './index.ts';
import { fixtures } from './fixtures.ts';

function parsed(name: string): FinsMessage {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, name);
  const r = fins.parse(f.bytes, f.direction);
  assert.equal(r.kind, 'done');
  return (r as { message: FinsMessage }).message;
}

describe('fins', () => {
  it('identifies the controller from a controller data read response', () => {
    const id = fins.identify([parsed('UDP controller data read command'), parsed('UDP controller data read response')]);
    assert.deepEqual(id, {
      vendor: 'Omron',
      product: 'CP1L-EL20DR-D',
      model: 'CP1L-EL20DR-D',
      firmware: '01.00',
      raw: { controllerModel: 'CP1L-EL20DR-D', controllerVersion: '01.00' },
    });
  });

  it('reveals nothing from other commands or failed reads', () => {
    assert.equal(fins.identify([parsed('FINS/TCP run command')]), null);
    // Same response with end code 0x0401 (service not supported).
    const failed = parsed('UDP controller data read response');
    assert.ok(failed.frame);
    assert.equal(fins.identify([{ ...failed, frame: { ...failed.frame, endCode: 0x0401 } }]), null);
  });

  it('encodes the scanner\'s FINS/TCP handshake and a controller data read inside it', () => {
    const hello = fins.encode({ anomalies: [], direction: 'to-server', tcp: { command: 0, errorCode: 0, clientNode: 0 } });
    assert.equal(toHex(hello), '46494e53' + '0000000c' + '00000000' + '00000000' + '00000000');
    const read = parsed('UDP controller data read command');
    assert.ok(read.frame);
    const framed = fins.encode({ anomalies: [], direction: 'to-server', tcp: { command: 2, errorCode: 0 }, frame: read.frame });
    assert.equal(toHex(framed), '46494e53' + '00000015' + '00000002' + '00000000' + '800002000000006300ef050100');
  });

  it('waits for the whole FINS/TCP frame and tells UDP datagrams apart by the magic', () => {
    assert.deepEqual(fins.parse(hex`46494e53 00000017`, 'to-server'), { kind: 'incomplete', needed: 31 });
    assert.deepEqual(fins.parse(hex`46494e54`, 'to-server'), { kind: 'not-mine' });
    assert.ok(fins.recognize(hex`80 00 02 00 00 00 00 63 00 ef 0501 00`, 'to-server', 'udp'));
    assert.equal(fins.recognize(hex`80 00 02 00 00 00 00 63 00 ef 0501 00`, 'to-server', 'tcp'), false);
  });

  it('builds scanner requests that encode to the captured and specified bytes', () => {
    const bytes = (name: string) => toHex(fixtures.find((x) => x.name === name)!.bytes);
    assert.equal(toHex(fins.encode(controllerDataRead({ sa1: 0x63, sid: 0xef }))), bytes('UDP controller data read command'));
    assert.equal(toHex(fins.encode(nodeAddressRequest())), bytes('FINS/TCP node address request'));
    const overTcp = fins.parse(fins.encode(controllerDataRead({}, true)), 'to-server');
    assert.equal(overTcp.kind, 'done');
    if (overTcp.kind === 'done') assert.equal(fins.fields(overTcp.message)['omron.command'], 0x0501);
  });

  it('answers the omron-info exchange as a persona and identifies it from its own answer', () => {
    const answer = controllerDataResponse(controllerDataRead({ da1: 1, sa1: 0xef, sid: 3 }, true), 'CJ2M-CPU31', '02.01');
    const r = fins.parse(fins.encode(answer), 'to-client');
    assert.equal(r.kind, 'done');
    if (r.kind !== 'done') return;
    const f = fins.fields(r.message);
    assert.equal(f['omron.sa1'], 1);
    assert.equal(f['omron.da1'], 0xef);
    assert.equal(f['omron.sid'], 3);
    assert.deepEqual(fins.identify([r.message]), {
      vendor: 'Omron',
      product: 'CJ2M-CPU31',
      model: 'CJ2M-CPU31',
      firmware: '02.01',
      raw: { controllerModel: 'CJ2M-CPU31', controllerVersion: '02.01' },
    });
    assert.equal(toHex(fins.encode(nodeAddressResponse(0xef, 1))), toHex(fixtures.find((x) => x.name === 'FINS/TCP node address response')!.bytes));
  });
});
