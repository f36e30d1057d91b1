import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hex, toHex } from '../../wire/index.ts';
import type { FlowState } from '../protocol.ts';
import {
  componentIdentification,
  connectionConfirm,
  connectionRequest,
  familyOf,
  moduleIdentification,
  readSzl,
  s7comm,
  setupCommunication,
  setupCommunicationAck,
  szlResponse,
  type S7commMessage,
} from './index.ts';
import { fixtures } from './fixtures.ts';

function parsed(name: string, state?: FlowState): S7commMessage {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, name);
  const r = s7comm.parse(f.bytes, f.direction, state);
  assert.equal(r.kind, 'done');
  return (r as { message: S7commMessage }).message;
}

describe('s7comm', () => {
  it('identifies a CPU from SZL 0x0011 and a 0x001C answer split over two PDUs', () => {
    const id = s7comm.identify([
      parsed('read SZL 0x0011 request'),
      parsed('read SZL 0x0011 response (module identification)'),
      parsed('read SZL 0x001C response, first of two PDUs'),
      parsed('read SZL 0x001C response, second PDU'),
    ]);
    assert.ok(id);
    assert.equal(id.vendor, 'Siemens');
    assert.equal(id.orderNumber, '6ES7 151-8AB01-0AB0');
    assert.equal(id.firmware, 'V3.2.6');
    assert.equal(id.model, 'ET 200S');
    assert.equal(id.product, 'CPU 315-2 PN/DP');
    assert.equal(id.serial, 'S C-B1U393142011');
    assert.equal(id.moduleName, 'PLC_1');
    assert.equal(id.plantId, undefined);
    assert.equal(id.raw?.automationSystemName, 'S7300/ET200M station_1');
    assert.equal(id.raw?.copyright, 'Original Siemens Equipment');
    assert.equal(id.raw?.memoryCardSerial, 'MMC 4A1AC019');
    assert.equal(id.raw?.bootLoader, 'Boot Loader');
  });

  it('reveals nothing from variable traffic', () => {
    assert.equal(s7comm.identify([parsed('read var ack-data, five items')]), null);
  });

  it('tells an SZL continuation from a first answer when given the flow state', () => {
    const state: FlowState = {};
    const first = parsed('read SZL 0x001C response, first of two PDUs', state);
    const second = parsed('read SZL 0x001C response, second PDU', state);
    assert.equal(first.continuation, undefined);
    assert.equal(second.continuation, true);
    assert.equal(s7comm.fields(second)['s7comm.data.userdata.szl_id'], undefined);
    assert.equal(s7comm.fields(first)['s7comm.data.userdata.szl_id'], 0x1c);
  });

  it('names order-number families', () => {
    assert.equal(familyOf('6ES7 315-2EH14-0AB0'), 'S7-300');
    assert.equal(familyOf('6ES7 416-3XR05-0AB0'), 'S7-400');
    assert.equal(familyOf('6ES7 214-1AG40-0XB0'), 'S7-1200');
    assert.equal(familyOf('6ES7 214-1AD23-0XB0'), 'S7-200');
    assert.equal(familyOf('6ES7 516-3AN01-0AB0'), 'S7-1500');
    assert.equal(familyOf('6ES7 288-1SR20-0AA0'), 'S7-200 SMART');
    assert.equal(familyOf('not an order number'), undefined);
  });

  it('encodes the scanner\'s connection request and SZL read as a real client sends them', () => {
    const cr = s7comm.encode({
      anomalies: [],
      direction: 'to-server',
      cotp: {
        name: 'CR',
        pduType: 0xe0,
        dstRef: 0,
        srcRef: 0x000f,
        classOption: 0,
        params: [
          { code: 0xc0, value: hex`0a` },
          { code: 0xc1, value: hex`0100` },
          { code: 0xc2, value: hex`0102` },
        ],
      },
    });
    assert.equal(toHex(cr), toHex(fixtures[0].bytes));
    const szl = s7comm.encode({
      anomalies: [],
      direction: 'to-server',
      cotp: { name: 'DT', pduType: 0xf0, eot: true, tpduNumber: 0 },
      s7: {
        rosctr: 7,
        redundancyId: 0,
        pduRef: 0x1100,
        param: { kind: 'userdata', head: 0x000112, method: 0x11, type: 4, group: 4, subfunction: 1, sequence: 0 },
        data: { kind: 'userdata', returnCode: 0xff, transportSize: 9, payload: hex`0011 0000` },
      },
    });
    assert.equal(toHex(szl), toHex(fixtures.find((x) => x.name === 'read SZL 0x0011 request')!.bytes));
  });

  it('keeps the error class and code of an ack', () => {
    // Ack-data with error class 0x81 (application relationship) code 0x04, no parameter or data.
    const r = s7comm.parse(hex`0300 0013 02 f0 80 32 03 0000 0005 0000 0000 81 04`, 'to-client');
    assert.equal(r.kind, 'done');
    if (r.kind !== 'done') return;
    const f = s7comm.fields(r.message);
    assert.equal(f['s7comm.header.errcls'], 0x81);
    assert.equal(f['s7comm.header.errcod'], 4);
    assert.deepEqual(r.message.anomalies, []);
  });

  it('marks S7 header lengths that do not add up', () => {
    const r = s7comm.parse(hex`0300 0013 02 f0 80 32 03 0000 0005 0009 0000 00 00`, 'to-client');
    assert.equal(r.kind, 'done');
    if (r.kind === 'done') assert.deepEqual(r.message.anomalies, ['malformed-s7-header']);
  });

  it('recognizes S7 TSAPs and refuses RDP-style connection requests', () => {
    assert.ok(s7comm.recognize(fixtures[0].bytes, 'to-server', 'tcp'));
    // An RDP X.224 CR carrying a cookie and no TSAP parameters.
    const rdp = hex`0300 0013 0e e0 0000 0000 00 0100 0800 03000000`;
    assert.equal(s7comm.recognize(rdp, 'to-server', 'tcp'), false);
  });

  it('builds the s7-info exchange byte for byte as the captured clients sent it', () => {
    const bytes = (name: string) => toHex(fixtures.find((x) => x.name === name)!.bytes);
    assert.equal(toHex(s7comm.encode(connectionRequest())), bytes('COTP connection request'));
    assert.equal(toHex(s7comm.encode(setupCommunication(0x0200))), bytes('setup communication job'));
    assert.equal(toHex(s7comm.encode(readSzl(0x1100, 0x0011, 0))), bytes('read SZL 0x0011 request'));
  });

  it('answers the s7-info exchange as a persona and identifies it from its own answers', () => {
    const wire = (m: S7commMessage) => {
      const r = s7comm.parse(s7comm.encode(m), m.direction);
      assert.equal(r.kind, 'done');
      if (r.kind === 'done') assert.deepEqual(r.message.anomalies, []);
      return (r as { message: S7commMessage }).message;
    };
    const cc = wire(connectionConfirm(connectionRequest()));
    assert.equal(s7comm.fields(cc)['cotp.type_name'], 'CC');
    assert.equal(s7comm.fields(cc)['cotp.destref'], 0x000f);
    const ack = wire(setupCommunicationAck(setupCommunication(1, 480)));
    assert.equal(s7comm.fields(ack)['s7comm.param.pdu_length'], 240);
    const module = wire(szlResponse(readSzl(2, 0x11, 0), moduleIdentification('6ES7 315-2EH14-0AB0', 'V3.2.6')));
    const component = wire(
      szlResponse(
        readSzl(3, 0x1c, 0),
        componentIdentification({ automationSystemName: 'SNAP7-SERVER', moduleName: 'CPU 315-2 PN/DP', plantId: 'PUMP-07', serial: 'S C-C2UR28922012', moduleTypeName: 'CPU 315-2 PN/DP' }),
      ),
    );
    assert.deepEqual(s7comm.identify([module, component]), {
      vendor: 'Siemens',
      orderNumber: '6ES7 315-2EH14-0AB0',
      hardware: '1',
      firmware: 'V3.2.6',
      model: 'S7-300',
      product: 'CPU 315-2 PN/DP',
      serial: 'S C-C2UR28922012',
      moduleName: 'CPU 315-2 PN/DP',
      plantId: 'PUMP-07',
      raw: {
        module: '6ES7 315-2EH14-0AB0',
        basicHardware: '6ES7 315-2EH14-0AB0',
        automationSystemName: 'SNAP7-SERVER',
        moduleName: 'CPU 315-2 PN/DP',
        plantId: 'PUMP-07',
        serial: 'S C-C2UR28922012',
        moduleTypeName: 'CPU 315-2 PN/DP',
      },
    });
  });
});
