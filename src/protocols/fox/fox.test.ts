import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fox, helloRequest, helloResponse, helloValues, type FoxMessage } from './index.ts';
import { stationHello } from './fixtures.ts';

function parse(bytes: Uint8Array): FoxMessage {
  const r = fox.parse(bytes, 'to-client');
  assert.equal(r.kind, 'done');
  return (r as { message: FoxMessage }).message;
}

describe('fox', () => {
  it('encodes exactly the hello nmap fox-info sends', () => {
    assert.equal(new TextDecoder().decode(fox.encode(helloRequest())), 'fox a 1 -1 fox hello\n{\nfox.version=s:1.0\nid=i:1\n};;\n');
  });

  it('reads an object value by its length even though it spans lines', () => {
    const m = parse(stationHello);
    const sys = m.entries?.find((e) => e.key === 'sysInfo');
    assert.equal(sys?.objectType, 'bog');
    assert.ok(sys?.value.startsWith('<bog version="1.0">\n'));
    assert.equal(m.entries?.at(-1)?.key, 'authAgentTypeSpecs');
  });

  it('identifies a station like nmap fox-info', () => {
    const id = fox.identify([parse(fox.encode(helloRequest())), parse(stationHello)]);
    assert.equal(id?.vendor, 'Tridium');
    assert.equal(id?.product, 'Niagara');
    assert.equal(id?.model, 'Niagara Station');
    assert.equal(id?.firmware, '3.8.41');
    assert.equal(id?.moduleName, 'Boiler_House_1');
    assert.equal(id?.serial, 'Qnx-NPM6-0000-1A2B-3C4D');
    assert.equal(id?.raw?.timeZone, 'Asia/Shanghai');
    assert.equal(id?.raw?.['vm.name'], 'J9');
  });

  it('prefers the station over a Workbench hello', () => {
    const workbench: FoxMessage = {
      ...helloRequest(),
      entries: [{ key: 'app.name', type: 's', value: 'Workbench' }, { key: 'app.version', type: 's', value: '3.7.44' }],
    };
    assert.equal(fox.identify([workbench, parse(stationHello)])?.firmware, '3.8.41');
    assert.equal(fox.identify([workbench])?.firmware, '3.7.44');
  });

  it('waits for a blob whose length runs past the bytes so far', () => {
    const bytes = new TextEncoder().encode('fox a 1 -1 fox challenge\n{\nnonce=b:100[abc');
    const r = fox.parse(bytes, 'to-client');
    assert.deepEqual(r, { kind: 'incomplete', needed: bytes.length - 3 + 100 + 2 });
  });

  it('refuses a blob length beyond the message bound', () => {
    const bytes = new TextEncoder().encode('fox a 1 -1 fox challenge\n{\nnonce=b:999999999[abc');
    assert.equal(fox.parse(bytes, 'to-client').kind, 'not-mine');
  });

  it('keeps scalar hello values by key', () => {
    assert.equal(helloValues(parse(stationHello))['hostId'], 'Qnx-NPM6-0000-1A2B-3C4D');
  });

  it('builds a station answer that nmap fox-info reads (starts with "fox a 0", s: values on their own lines)', () => {
    const bytes = fox.encode(helloResponse([['hostName', 'jace-7'], ['app.name', 'Station'], ['app.version', '4.4.73.24'], ['station.name', 'Pump\nRoom']]));
    const text = new TextDecoder().decode(bytes);
    assert.ok(text.startsWith('fox a 0 -1 fox hello\n{\nfox.version=s:1.0\nid=i:2\n'));
    assert.ok(text.includes('\napp.version=s:4.4.73.24\n'));
    const id = fox.identify([parse(bytes)]);
    assert.deepEqual([id?.firmware, id?.moduleName], ['4.4.73.24', 'Pump Room']);
  });
});
