import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hex, toHex } from '../../wire/index.ts';
import {
  decodeEpath,
  decodeIdentityItem,
  encodeIdentityItem,
  enip,
  listIdentity,
  listIdentityResponse,
  listServices,
  registerSession,
  type EnipMessage,
} from './index.ts';
import { fixtures } from './fixtures.ts';

function parsed(name: string): EnipMessage {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, name);
  const r = enip.parse(f.bytes, f.direction);
  assert.equal(r.kind, 'done');
  return (r as { message: EnipMessage }).message;
}

describe('enip', () => {
  it('identifies a device from its ListIdentity reply', () => {
    const id = enip.identify([parsed('ListIdentity request'), parsed('ListIdentity response')]);
    assert.deepEqual(id, {
      vendor: 'Rockwell Automation/Allen-Bradley',
      product: '1756-ENBT/A',
      model: '1756-ENBT/A',
      orderNumber: '1756-ENBT/A',
      firmware: '4.3',
      serial: '00524d8e',
      raw: {
        vendorId: 1,
        deviceType: 12,
        deviceTypeName: 'Communications Adapter',
        productCode: 58,
        status: 0x30,
        state: 3,
        stateName: 'operational',
        socketAddress: '10.1.1.164:44818',
      },
    });
  });

  it('reveals nothing without a ListIdentity reply or an identity request', () => {
    assert.equal(enip.identify([parsed('SendRRData get-attributes-all reply')]), null);
    assert.equal(enip.identify([parsed('SendUnitData multiple service packet')]), null);
  });

  it('identifies a controller from Get_Attributes_All on its Identity object', () => {
    const id = enip.identify([
      parsed('SendRRData unconnected send of get-attributes-all to the identity object'),
      parsed('SendRRData get-attributes-all reply'),
    ]);
    assert.deepEqual(id, {
      vendor: 'Rockwell Automation/Allen-Bradley',
      firmware: '16.20',
      serial: '0051823f',
      product: '1756-L61/B LOGIX5561',
      model: '1756-L61/B LOGIX5561',
      orderNumber: '1756-L61/B',
      raw: {
        vendorId: 1,
        deviceType: 14,
        deviceTypeName: 'Programmable Logic Controller',
        productCode: 54,
        status: 0x3060,
        state: 255,
        stateName: 'default',
      },
    });
  });

  it('builds the identity item a honeypot answers with, byte for byte', () => {
    const m = parsed('ListIdentity response');
    assert.equal(m.body.kind, 'items');
    if (m.body.kind !== 'items') return;
    const item = m.body.items[0];
    const id = decodeIdentityItem(item.data);
    assert.ok(id);
    assert.equal(toHex(encodeIdentityItem(id)), toHex(item.data));
  });

  it('encodes the scanner\'s ListIdentity request', () => {
    const bytes = enip.encode({
      anomalies: [],
      direction: 'to-server',
      command: 0x63,
      sessionHandle: 0,
      status: 0,
      senderContext: hex`c1debed100000000`,
      options: 0,
      body: { kind: 'empty' },
    });
    assert.equal(toHex(bytes), toHex(fixtures[0].bytes));
  });

  it('decodes EPATH port, logical and symbolic segments', () => {
    // Route path "port 1, slot 0", then class 0x6B instance 0x0102 and a symbol "Tag1".
    const path = decodeEpath(hex`0100 206b 25000201 9104 54616731`);
    assert.deepEqual(path, [
      { type: 'port', port: 1, link: 0 },
      { type: 'class', value: 0x6b },
      { type: 'instance', value: 0x0102 },
      { type: 'symbol', name: 'Tag1' },
    ]);
  });

  it('is not fooled into waiting for more than 65511 octets', () => {
    assert.deepEqual(enip.parse(hex`6f00 ffff`, 'to-server'), { kind: 'incomplete', needed: 24 });
    assert.deepEqual(enip.parse(hex`6f00 ffff 00000000 00000000 0000000000000000 00000000`, 'to-server'), { kind: 'not-mine' });
  });

  it('builds scanner requests that encode to the captured and specified bytes', () => {
    const bytes = (name: string) => toHex(fixtures.find((x) => x.name === name)!.bytes);
    assert.equal(toHex(enip.encode(listIdentity(hex`c1debed100000000`))), bytes('ListIdentity request'));
    assert.equal(toHex(enip.encode(listServices())), bytes('ListServices request'));
    assert.equal(toHex(enip.encode(registerSession())), bytes('RegisterSession request'));
  });

  it('answers ListIdentity as a persona with the bytes the real adapter sent', () => {
    const real = parsed('ListIdentity response');
    assert.equal(real.body.kind, 'items');
    if (real.body.kind !== 'items') return;
    const identity = decodeIdentityItem(real.body.items[0].data);
    assert.ok(identity);
    const answer = listIdentityResponse(listIdentity(hex`c1debed100000000`), identity);
    assert.equal(toHex(enip.encode(answer)), toHex(fixtures.find((x) => x.name === 'ListIdentity response')!.bytes));
  });
});
