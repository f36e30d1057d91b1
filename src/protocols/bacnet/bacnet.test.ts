import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hex } from '../../wire/index.ts';
import {
  bacnet, errorResponse, iAm, identityRequests, parseNpdu, readProperty, readPropertyAck, readPropertyRequestData, whoIs, type BacnetMessage,
} from './index.ts';

function parse(bytes: Uint8Array): BacnetMessage {
  const r = bacnet.parse(bytes, 'to-client');
  assert.equal(r.kind, 'done');
  return (r as { message: BacnetMessage }).message;
}

// bacnet-ip.cap: the answers of device 111 to a client walking its device object
const deviceAnswers = [
  hex`810b00170120ffff00ff1000c40200006f21329103212a`, // frame 1, I-Am
  hex`810a00260120000d013dff30cc0c0c0200006f194d3e750d0053696d706c655365727665723f`, // frame 10, object-name
  hex`810a002b0120000d013dff30cf0c0c0200006f19793e7512004c6974686f6e6961204c69676874696e673f`, // frame 16, vendor-name
  hex`810a00190120000d013dff30d00c0c0200006f19783e212a3f`, // frame 18, vendor-identifier
  hex`810a002e0120000d013dff30d10c0c0200006f19463e75150053696d706c65204241436e6574205365727665723f`, // frame 20, model-name
  hex`810a001e0120000d013dff30d20c0c0200006f192c3e750500312e30303f`, // frame 22, firmware-revision
  hex`810a001e0120000d013dff30d30c0c0200006f190c3e7505006e6f6e653f`, // frame 24, application-software-version
];

describe('bacnet', () => {
  it('decodes an I-Am', () => {
    const m = parse(deviceAnswers[0]);
    assert.deepEqual(m.apdu?.parameters?.iAm, {
      device: { objectType: 8, instance: 111 }, maxApdu: 50, segmentation: 3, segmentationName: 'no-segmentation', vendorId: 42,
    });
  });

  it('decodes character strings in UTF-8 and UCS-2', () => {
    const ascii = parse(deviceAnswers[2]);
    assert.deepEqual(ascii.apdu?.parameters?.properties?.[0].values, ['Lithonia Lighting']);
    // bacnet_test.pcap frame 16: model-name in UCS-2 (character set 4)
    const ucs2 = parse(hex`810a002d010030010c0c023fffff19463e751904004d0053002d004e004100450034003500310030002d00323f`);
    assert.deepEqual(ucs2.apdu?.parameters?.properties?.[0].values, ['MS-NAE4510-2']);
  });

  it('identifies a device like nmap bacnet-info', () => {
    const id = bacnet.identify(deviceAnswers.map(parse));
    assert.deepEqual(id, {
      vendor: 'Lithonia Lighting',
      model: 'Simple BACnet Server',
      product: 'Simple BACnet Server',
      firmware: '1.00',
      moduleName: 'SimpleServer',
      raw: { deviceInstance: 111, vendorId: 42, applicationSoftwareVersion: 'none' },
    });
  });

  it('names the vendor from the I-Am vendor id when vendor-name was not read', () => {
    const id = bacnet.identify([parse(deviceAnswers[0])]);
    assert.deepEqual(id, { vendor: 'Lithonia Lighting', raw: { deviceInstance: 111, vendorId: 42 } });
  });

  it('decodes a ReadPropertyMultiple ack with values and errors', () => {
    // ASHRAE 135 §15.7.2 example shape: analog-input,1: present-value 72.3, and an error for property 999
    const m = parse(hex`810a 0022 0100 3001 0e 0c 00000001 1e 29 55 4e 44 42909999 4f 2a 03e7 5e 91 02 91 20 5f 1f`);
    assert.deepEqual(m.anomalies, []);
    const [pv, bad] = m.apdu!.parameters!.properties!;
    assert.equal(pv.propertyName, 'present-value');
    assert.ok(Math.abs((pv.values![0] as number) - 72.3) < 1e-4);
    assert.deepEqual(bad.error, { errorClass: 2, errorCode: 32 });
  });

  it('parses an NPDU carried over 802.2 LLC without BVLC', () => {
    // bacnet-stack-services.cap frame 3, the octets after LLC 82 82 03: Who-Has "SYNERGY"
    const m = parseNpdu(hex`01 28 ffff 00 0001 06 c0a8000dbac0 fe 10 07 3d 08 00 53594e45524759`);
    assert.deepEqual(m.anomalies, []);
    assert.equal(m.npdu?.source?.network, 1);
    assert.equal(m.apdu?.serviceName, 'who-Has');
  });

  it('records an APDU-less NPDU and a malformed service instead of throwing', () => {
    // bacnet-stack-services.cap frame 77 (tshark: malformed)
    assert.deepEqual(parse(hex`810a000b0120000d013dff`).anomalies, ['apdu-missing']);
    assert.deepEqual(parse(hex`810a 000d 0100 1000 c4 0200006f 21`).anomalies, ['service-parameters-malformed']);
  });

  it('builds the ReadProperty request the scanner sends', () => {
    const bytes = bacnet.encode({
      anomalies: [],
      bvlc: { type: 0x81, function: 0x0a, functionName: 'Original-Unicast-NPDU' },
      npdu: { version: 1, control: 0x04, expectingReply: true, priority: 0 },
      apdu: { type: 0, typeName: 'Confirmed-REQ', flags: 0, maxSegmentsAndApdu: 0x05, invokeId: 1, service: 12, serviceData: readPropertyRequestData({ objectType: 8, instance: 4194303 }, 75) },
    });
    assert.deepEqual(bytes, hex`810a001101040005010c0c023fffff194b`);
  });

  it('builds what nmap bacnet-info sends: Who-Is and ReadProperty of the wildcard device', () => {
    assert.deepEqual(bacnet.encode(whoIs()), hex`810b 0008 0100 1008`);
    // bacnet_test.pcap frame 3 is exactly ReadProperty(object-identifier) with invoke id 1
    assert.deepEqual(bacnet.encode(readProperty(75, 1)), hex`810a001101040005010c0c023fffff194b`);
    const names = identityRequests().map((m) => parse(bacnet.encode(m)).apdu?.parameters?.properties?.[0].propertyName);
    assert.deepEqual(names, ['object-name', 'vendor-name', 'vendor-identifier', 'model-name', 'firmware-revision', 'application-software-version', 'description', 'location']);
  });

  it('builds persona answers that identify like the real device they copy', () => {
    // bacnet-ip.cap frame 16 without the routing part of its NPDU: vendor-name "Lithonia Lighting"
    assert.deepEqual(
      bacnet.encode(readPropertyAck(207, { objectType: 8, instance: 111 }, 121, 'Lithonia Lighting')),
      hex`810a 0026 0100 30cf0c0c0200006f19793e7512004c6974686f6e6961204c69676874696e673f`,
    );
    const answers = [
      iAm(111, 42, 50),
      readPropertyAck(1, { objectType: 8, instance: 111 }, 70, 'Simple BACnet Server'),
      readPropertyAck(2, { objectType: 8, instance: 111 }, 44, '1.00'),
    ].map((m) => parse(bacnet.encode(m)));
    assert.deepEqual(answers.flatMap((m) => m.anomalies), []);
    const id = bacnet.identify(answers);
    assert.deepEqual([id?.vendor, id?.model, id?.firmware], ['Lithonia Lighting', 'Simple BACnet Server', '1.00']);
    // bacnet-ip.cap frame 38 without routing: Error property/unknown-property for invoke 218
    assert.deepEqual(bacnet.encode(errorResponse(218, 12)), hex`810a 000d 0100 50da0c91029120`);
  });
});
