import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hex, toHex } from '../../wire/index.ts';
import {
  deviceIdResponse,
  exceptionResponse,
  modbus,
  readDeviceIdentification,
  readHoldingRegisters,
  type ModbusMessage,
} from './index.ts';
import { fixtures } from './fixtures.ts';

function parsed(name: string): ModbusMessage {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, name);
  const r = modbus.parse(f.bytes, f.direction);
  assert.equal(r.kind, 'done');
  return (r as { message: ModbusMessage }).message;
}

describe('modbus', () => {
  it('identifies a device from MEI objects spread over several responses', () => {
    const id = modbus.identify([
      parsed('read device identification basic request'),
      parsed('read device identification basic response'),
      parsed('read device identification regular response with more follows'),
    ]);
    assert.deepEqual(id, {
      vendor: 'Company identification',
      product: 'BMX P34 2020',
      orderNumber: 'Product code XX',
      firmware: 'V2.11',
      raw: {
        VendorName: 'Company identification',
        ProductCode: 'Product code XX',
        MajorMinorRevision: 'V2.11',
        VendorUrl: 'http://www.se.com',
        ProductName: 'BMX P34 2020',
      },
    });
  });

  it('reads report-server-id data as raw identity', () => {
    const id = modbus.identify([parsed('report server id response')]);
    assert.equal(id?.raw?.serverIdText, 'SCHNEIDER');
    assert.equal(id?.product, 'SCHNEIDER');
  });

  it('identifies a Modicon from its UMAS read-id reply', () => {
    const id = modbus.identify([parsed('UMAS request'), parsed('UMAS read-id response')]);
    assert.deepEqual(id, { vendor: 'Schneider Electric', product: '140 CPU 311 10', model: '140 CPU 311 10', raw: { umasReadId: '140 CPU 311 10' } });
    assert.equal(modbus.identify([parsed('UMAS read-id response')]), null);
  });

  it('reveals nothing from plain register traffic', () => {
    assert.equal(modbus.identify([parsed('read input registers response')]), null);
  });

  it('decodes the exception bit only on responses', () => {
    const res = parsed('exception response illegal data value');
    assert.deepEqual(res.exception, { code: 3, name: 'illegal-data-value' });
    assert.equal(res.function.name, 'read-holding-registers');
    const req = modbus.parse(hex`0000 0000 0003 01 83 03`, 'to-server');
    assert.equal(req.kind, 'done');
    if (req.kind === 'done') {
      assert.equal(req.message.exception, undefined);
      assert.equal(req.message.function.code, 0x83);
      assert.equal(req.message.function.name, 'unknown');
    }
  });

  it('encodes the scanner\'s device identification request', () => {
    const bytes = modbus.encode({
      anomalies: [],
      direction: 'to-server',
      transactionId: 1,
      unitId: 0,
      function: { code: 43, name: 'encapsulated-interface-transport' },
      pdu: { kind: 'device-id-request', readDeviceIdCode: 1, objectId: 0 },
    });
    assert.equal(toHex(bytes), '00010000000500' + '2b0e0100');
  });

  it('takes one ADU at a time from a segment carrying several', () => {
    // ModbusTCP.pcap frame 5: two responses in one TCP segment.
    const seg = hex`0000 0000 0007 ff 04 04 0000 0000  0001 0000 0007 ff 02 04 bd4f6739`;
    const first = modbus.parse(seg, 'to-client');
    assert.equal(first.kind, 'done');
    if (first.kind !== 'done') return;
    const second = modbus.parse(seg.subarray(first.consumed), 'to-client');
    assert.equal(second.kind, 'done');
    if (second.kind === 'done') assert.equal(modbus.fields(second.message)['modbus.func_code'], 2);
  });

  it('asks for the whole ADU the MBAP length announces', () => {
    assert.deepEqual(modbus.parse(hex`0001 0000 00fe`, 'to-server'), { kind: 'incomplete', needed: 260 });
    assert.deepEqual(modbus.parse(hex`0001 0000 00ff`, 'to-server'), { kind: 'incomplete', needed: 261 });
    assert.deepEqual(modbus.parse(hex`0001 0000 0201`, 'to-server'), { kind: 'not-mine' });
    assert.deepEqual(modbus.parse(hex`0001 0000 0001 01`, 'to-server'), { kind: 'not-mine' });
  });

  it('builds scanner requests that encode to the bytes real clients send', () => {
    const bytes = (name: string) => toHex(fixtures.find((x) => x.name === name)!.bytes);
    assert.equal(toHex(modbus.encode(readDeviceIdentification(0, 0xff))), bytes('read device identification basic request'));
    assert.equal(toHex(modbus.encode(readHoldingRegisters(0, 1, 0, 0))), bytes('read holding registers with quantity 0'));
  });

  it('answers device identification as a persona and reads its own answer back', () => {
    const objects = [
      { id: 0, value: 'Schneider Electric' },
      { id: 1, value: 'BMX P34 2020' },
      { id: 2, value: 'v2.7' },
      { id: 5, value: 'M340' },
    ];
    const wire = (m: ModbusMessage) => {
      const r = modbus.parse(modbus.encode(m), m.direction);
      assert.equal(r.kind, 'done');
      return (r as { message: ModbusMessage }).message;
    };
    const basic = wire(deviceIdResponse(readDeviceIdentification(7, 0), objects));
    assert.equal(basic.transactionId, 7);
    assert.deepEqual(modbus.fields(basic)['modbus.object_id'], [0, 1, 2]);
    const regular = wire(deviceIdResponse(readDeviceIdentification(8, 0, 2), objects));
    assert.deepEqual(modbus.identify([basic, regular]), {
      vendor: 'Schneider Electric',
      product: 'BMX P34 2020',
      model: 'M340',
      orderNumber: 'BMX P34 2020',
      firmware: 'v2.7',
      raw: { VendorName: 'Schneider Electric', ProductCode: 'BMX P34 2020', MajorMinorRevision: 'v2.7', ModelName: 'M340' },
    });
    const specific = wire(deviceIdResponse(readDeviceIdentification(9, 0, 4, 3), objects));
    assert.equal(specific.exception?.name, 'illegal-data-address');
    assert.equal(toHex(modbus.encode(exceptionResponse(readHoldingRegisters(0, 1, 0, 0), 3))), toHex(fixtures.find((x) => x.name === 'exception response illegal data value')!.bytes));
  });
});
