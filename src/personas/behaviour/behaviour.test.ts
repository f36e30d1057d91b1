// Each protocol's answers, driven by the exact request bytes nmap's NSE scripts send (quoted
// from /usr/share/nmap/scripts) or by the engine's request builders, parsed back with the
// engine's own parser: identify() must give the persona's identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Transport } from '../../model/index.ts';
import type { Message } from '../../protocols/index.ts';
import { BEHAVIOURS, DeviceSession, exposes, probeExchange } from './index.ts';
import { deploy, personaById, type Device, type ProtocolName } from '../index.ts';
import { hex } from '../../wire/index.ts';
import { connect, subscribe } from '../../protocols/mqtt/index.ts';
import { getEndpointsRequest, helloMessage, openSecureChannelRequest } from '../../protocols/opcua/index.ts';
import { readDeviceAttributes, requestLinkStatus } from '../../protocols/dnp3/index.ts';

function device(id: string, index = 7): Device {
  const p = personaById(id);
  assert.ok(p, id);
  return deploy(p, 'behaviour-test', index);
}

/** Sends each request as one write; parses every reply with the engine, client direction. */
function converse(d: Device, protocol: ProtocolName, transport: Transport, requests: Uint8Array[]): { replies: Uint8Array[]; messages: Message[] } {
  const session = new DeviceSession(d, protocol, transport);
  const replies = requests.flatMap((r) => session.receive(r));
  const proto = BEHAVIOURS[protocol].protocol;
  const state = {};
  const messages: Message[] = [];
  for (const bytes of replies) {
    const r = proto.parse(bytes, 'to-client', state);
    assert.equal(r.kind, 'done', `${protocol} reply parses`);
    if (r.kind === 'done') {
      assert.equal(r.consumed, bytes.length, `${protocol} reply is one whole PDU`);
      assert.deepEqual(r.message.anomalies, [], `${protocol} reply has no anomalies`);
      messages.push(r.message);
    }
  }
  return { replies, messages };
}

// s7-info.nse: COTP CR (TSAP 0x0100 → 0x0102), setup communication, SZL 0x0011 and 0x001C index 1.
const S7_INFO = [
  hex`0300001611e00000001400c1020100c2020102c0010a`,
  hex`0300001902f08032010000000000080000f0000001000101e0`,
  hex`0300002102f080320700000000000800080001120411440100ff09000400110001`,
  hex`0300002102f080320700000000000800080001120411440100ff090004001c0001`,
];

test('S7: the s7-info exchange yields order number, firmware, serial, module and plant names', () => {
  const d = device('siemens-s7-1200-cpu1214c-dcdcdc');
  const { replies, messages } = converse(d, 's7comm', 'tcp', S7_INFO);
  assert.equal(replies.length, 4);
  assert.equal(replies[0][5], 0xd0, 'COTP connection confirm');
  const id = BEHAVIOURS.s7comm.protocol.identify(messages)!;
  assert.equal(id.orderNumber, '6ES7 214-1AG40-0XB0');
  assert.equal(id.firmware, d.identity.firmware);
  assert.equal(id.serial, d.identity.serial);
  assert.equal(id.moduleName, d.identity.moduleName);
  assert.equal(id.plantId, d.identity.plantId);
  assert.equal(id.model, 'S7-1200');
  assert.equal(id.hardware, '2');
  // nmap reads the SZL 0x0011 answer at fixed offsets: module at 44, version octets at 123.
  const szl11 = replies[2];
  assert.ok(szl11.length >= 125);
  assert.equal(new TextDecoder().decode(szl11.subarray(43, 62)), '6ES7 214-1AG40-0XB0');
  assert.equal(`V${szl11[122]}.${szl11[123]}.${szl11[124]}`, d.identity.firmware);
  // …and the 0x001C answer's texts at 44 (system name) and 180 (serial), zero-terminated.
  const szl1c = replies[3];
  const z = (at: number) => new TextDecoder().decode(szl1c.subarray(at - 1, szl1c.indexOf(0, at - 1)));
  assert.equal(z(44), 'S71200/ET200MP station_1');
  assert.equal(z(180), d.identity.serial);
});

test('S7: Conpot persona gives Conpot\'s default names to s7-info', () => {
  const d = device('conpot-default');
  const id = BEHAVIOURS.s7comm.protocol.identify(converse(d, 's7comm', 'tcp', S7_INFO).messages)!;
  assert.equal(id.serial, '88111222');
  assert.equal(id.moduleName, 'Siemens, SIMATIC, S7-200');
  assert.equal(id.plantId, 'Mouser Factory');
  assert.equal(id.raw?.automationSystemName, 'Technodrome');
});

test('S7: requests split across TCP segments and coalesced into one are answered the same', () => {
  const d = device('siemens-s7-300-cpu315-2pndp');
  const whole = S7_INFO.flatMap((r) => new DeviceSession(d, 's7comm', 'tcp').receive(r));
  const session = new DeviceSession(d, 's7comm', 'tcp');
  const joined = new Uint8Array(S7_INFO.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of S7_INFO) {
    joined.set(r, at);
    at += r.length;
  }
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < joined.length; i += 5) pieces.push(...session.receive(joined.subarray(i, i + 5)));
  assert.equal(pieces.length, 4);
  assert.deepEqual(pieces[2], whole[2]);
});

test('Modbus: modbus-discover\'s report-server-id and device-id requests', () => {
  const d = device('schneider-m340-bmxp342020');
  // modbus-discover.nse form_rsid(1, 0x11, "") and form_rsid(1, 0x2B, "\x0E\x01\x00").
  const { messages } = converse(d, 'modbus', 'tcp', [hex`0000 0000 0002 01 11`, hex`0000 0000 0005 01 2b 0e 01 00`]);
  assert.equal((messages[0] as unknown as { exception?: { code: number } }).exception?.code, 1, 'no server id: ILLEGAL FUNCTION');
  const id = BEHAVIOURS.modbus.protocol.identify(messages)!;
  assert.equal(id.vendor, 'Schneider Electric');
  assert.equal(id.orderNumber, 'BMX P34 2020');
  assert.equal(id.firmware, d.identity.firmware);
});

test('Modbus: extended device identification gives every object; the Conpot persona reads "Siemens SIMATIC S7-200"', () => {
  const m221 = device('schneider-m221-tm221ce24r');
  const x = exposes(m221, 'modbus', 'tcp');
  assert.deepEqual(x, { vendor: 'Schneider Electric', product: 'Modicon M221', model: 'TM221CE24R', orderNumber: 'TM221CE24R', firmware: m221.identity.firmware });
  const conpot = device('conpot-default');
  const { replies } = converse(conpot, 'modbus', 'tcp', [hex`0000 0000 0005 01 2b 0e 01 00`]);
  const objects = replies[0].subarray(14);
  const texts: string[] = [];
  for (let i = 0; i + 1 < objects.length; i += 2 + objects[i + 1]) texts.push(new TextDecoder().decode(objects.subarray(i + 2, i + 2 + objects[i + 1])));
  assert.equal(texts.join(' '), 'Siemens SIMATIC S7-200');
});

test('Modbus: register reads are stable per device and bounded by the spec', () => {
  const d = device('xinje-xd5-32t-e');
  const read = hex`0007 0000 0006 01 03 0000 000a`;
  const a = converse(d, 'modbus', 'tcp', [read]).replies[0];
  const b = converse(d, 'modbus', 'tcp', [read]).replies[0];
  assert.deepEqual(a, b);
  assert.equal(a[7], 3);
  assert.equal(a[8], 20);
  const tooMany = converse(d, 'modbus', 'tcp', [hex`0008 0000 0006 01 03 0000 007e`]).replies[0];
  assert.deepEqual([tooMany[7], tooMany[8]], [0x83, 3], 'more than 125 registers: ILLEGAL DATA VALUE');
  assert.deepEqual(exposes(d, 'modbus', 'tcp'), {}, 'a PLC without MEI support reveals no identity');
});

// enip-info.nse: ListIdentity with sender context c1debed1.
const LIST_IDENTITY = hex`63000000000000000000000000000000c1debed100000000`;

for (const transport of ['tcp', 'udp'] as const) {
  test(`ENIP: ListIdentity over ${transport} names the Logix controller`, () => {
    const d = device('rockwell-controllogix-1756-l61');
    const { replies, messages } = converse(d, 'enip', transport, [LIST_IDENTITY]);
    assert.deepEqual(replies[0].subarray(12, 20), hex`00000000c1debed1`, 'sender context echoed');
    assert.equal(replies[0][26], 0x0c, 'item type 0x0C at the offset enip-info reads');
    const id = BEHAVIOURS.enip.protocol.identify(messages)!;
    assert.equal(id.vendor, 'Rockwell Automation/Allen-Bradley');
    assert.equal(id.product, '1756-L61/B LOGIX5561');
    assert.equal(id.orderNumber, '1756-L61/B');
    assert.equal(id.firmware, d.identity.firmware);
    assert.equal(id.serial, d.identity.serial);
  });
}

test('FINS: omron-info\'s UDP controller data read and the TCP node address handshake', () => {
  const d = device('omron-cj2m-cpu33');
  const udp = converse(d, 'fins', 'udp', [hex`800002000000006300ef050100`]);
  const id = BEHAVIOURS.fins.protocol.identify(udp.messages)!;
  assert.equal(id.model, 'CJ2M-CPU33');
  assert.equal(id.firmware, d.identity.firmware);
  const session = new DeviceSession(d, 'fins', 'tcp');
  const [addr] = session.receive(hex`46494e530000000c000000000000000000000000`);
  assert.equal(addr.length, 24);
  const clientNode = addr[23];
  const read = new Uint8Array([...hex`46494e5300000015000000020000000080000200`, clientNode, ...hex`000000ef050501`, 0]);
  const [data] = session.receive(read);
  const tcpId = BEHAVIOURS.fins.protocol.identify([BEHAVIOURS.fins.protocol.parse(data, 'to-client', {}) as never].flatMap((r: { kind: string; message?: Message }) => (r.message ? [r.message] : [])))!;
  assert.equal(tcpId.model, 'CJ2M-CPU33');
});

/** bacnet-info.nse send_query: ReadProperty of device 4194303, property `id`. */
function bacnetQuery(id: number): Uint8Array {
  return new Uint8Array([...hex`810a0011 0104 0005010c 0c023fffff 19`, id]);
}

test('BACnet: Who-Is → I-Am and bacnet-info\'s ReadProperty queries', () => {
  const d = device('jci-nae5510');
  const queries = [0x4b, 0x78, 0x79, 0x2c, 0x0c, 0x4d, 0x46, 0x1c, 0x3a].map(bacnetQuery);
  const { replies, messages } = converse(d, 'bacnet', 'udp', [hex`810b000c0120ffff00ff1008`, ...queries]);
  assert.equal(replies.length, queries.length + 1, 'every query answered (description unknown → Error PDU)');
  const id = BEHAVIOURS.bacnet.protocol.identify(messages)!;
  assert.equal(id.vendor, 'Johnson Controls, Inc.');
  assert.equal(id.model, 'MS-NAE5510-2');
  assert.equal(id.firmware, d.identity.firmware);
  assert.equal(id.moduleName, d.identity.moduleName);
  assert.equal(id.raw?.deviceInstance, Number(d.vars.instance));
  // bacnet-info reads the instance at octets 20..22 of the object-identifier answer.
  const oid = replies[1];
  assert.equal((oid[19] << 16) | (oid[20] << 8) | oid[21], Number(d.vars.instance));
  assert.equal(replies[8][6], 0x50, 'description: Error PDU, as nmap expects for a missing property');
});

test('OPC UA: HEL/OPN/GetEndpoints give the S7-1500 server\'s ApplicationDescription', () => {
  const d = device('siemens-s7-1500-cpu1516-3pndp');
  const url = `opc.tcp://${d.vars.address}:4840`;
  const { replies, messages } = converse(d, 'opcua', 'tcp', [
    BEHAVIOURS.opcua.protocol.encode(helloMessage(url)),
    BEHAVIOURS.opcua.protocol.encode(openSecureChannelRequest(1)),
    BEHAVIOURS.opcua.protocol.encode(getEndpointsRequest(url, 1, 1, 2, 2)),
  ]);
  assert.equal(new TextDecoder().decode(replies[0].subarray(0, 3)), 'ACK');
  const id = BEHAVIOURS.opcua.protocol.identify(messages)!;
  assert.equal(id.product, `SIMATIC.S7-1500.OPC-UA.Application:${d.vars.station}`);
  assert.equal(id.raw?.productUri, 'https://www.siemens.com/s7-1500');
});

test('MQTT: anonymous CONNECT, SUBSCRIBE $SYS/# gets the retained broker version; auth brokers refuse', () => {
  const d = device('advantech-wise-edge-mosquitto');
  const enc = (m: Parameters<typeof BEHAVIOURS.mqtt.protocol.encode>[0]) => BEHAVIOURS.mqtt.protocol.encode(m);
  const { messages } = converse(d, 'mqtt', 'tcp', [enc(connect('nmap')), enc(subscribe(['$SYS/#'], 5))]);
  const id = BEHAVIOURS.mqtt.protocol.identify(messages)!;
  assert.equal(id.product, 'Mosquitto');
  assert.equal(id.firmware, d.identity.firmware);
  const locked = device('moxa-uc-8112-mosquitto');
  const session = new DeviceSession(locked, 'mqtt', 'tcp');
  const [ack] = session.receive(enc(connect('nmap')));
  assert.deepEqual([...ack], [0x20, 0x02, 0x00, 0x05], 'CONNACK not authorized');
  assert.ok(session.closed);
});

test('Fox: fox-info\'s hello is answered with the station description', () => {
  const d = device('tridium-jace-8000');
  const hello = new TextEncoder().encode('fox a 1 -1 fox hello\n{\nfox.version=s:1.0\nid=i:1\n};;\n');
  const { replies, messages } = converse(d, 'fox', 'tcp', [hello]);
  assert.ok(new TextDecoder().decode(replies[0]).startsWith('fox a 0 -1 fox hello\n{\n'));
  const id = BEHAVIOURS.fox.protocol.identify(messages)!;
  assert.equal(id.firmware, d.identity.firmware);
  assert.equal(id.moduleName, d.identity.moduleName);
  assert.equal(id.serial, d.identity.serial);
});

test('DNP3: link status and group 0 device attributes', () => {
  const d = device('sel-3530-rtac');
  const enc = (m: Parameters<typeof BEHAVIOURS.dnp3.protocol.encode>[0]) => BEHAVIOURS.dnp3.protocol.encode(m);
  const { messages } = converse(d, 'dnp3', 'tcp', [enc(requestLinkStatus(1, 3)), enc(readDeviceAttributes(1, 3))]);
  const id = BEHAVIOURS.dnp3.protocol.identify(messages)!;
  assert.equal(id.vendor, 'SEL');
  assert.equal(id.product, 'SEL-3530');
  assert.equal(id.firmware, d.identity.firmware);
  assert.equal(id.serial, d.identity.serial);
  assert.deepEqual(id.raw?.outstationAddresses, [1]);
});

test('IEC 104: STARTDT con, then ActCon, single points and ActTerm for a station interrogation', () => {
  const d = device('nari-ns3560-rtu');
  // STARTDT act; C_IC_NA_1 QOI 20 to the broadcast common address 0xFFFF.
  const { messages } = converse(d, 'iec104', 'tcp', [hex`680407000000`, hex`680e00000000 6401 0600 ffff 000000 14`]);
  const m = messages as unknown as { apci: { format: string; function?: string }; asdu?: { cause: number; typeId: number; commonAddress: number; objects: unknown[] } }[];
  assert.equal(m[0].apci.function, 'STARTDT con');
  assert.deepEqual(m.slice(1).map((x) => [x.asdu?.typeId, x.asdu?.cause]), [[100, 7], [1, 20], [100, 10]]);
  assert.equal(m[2].asdu?.objects.length, 16);
  const id = BEHAVIOURS.iec104.protocol.identify(messages)!;
  assert.deepEqual(id.raw?.commonAddresses, [1]);
});

test('every persona reveals its identity on every service that carries one', async () => {
  const { personas, endpointsOf } = await import('../index.ts');
  let services = 0;
  for (const p of personas()) {
    const d = deploy(p, 'exposure', 1);
    for (const protocol of Object.keys(p.services) as ProtocolName[]) {
      for (const { transport } of endpointsOf(protocol)) {
        services++;
        assert.ok(probeExchange(d, protocol, transport).length > 0, `${p.id} ${protocol}/${transport} answers its probes`);
        const x = exposes(d, protocol, transport);
        const spec = p.services;
        const silent = (protocol === 'modbus' && !spec.modbus?.objects && !spec.modbus?.serverId) || protocol === 'iec104' || (protocol === 'mqtt' && spec.mqtt?.auth);
        if (silent) {
          assert.deepEqual(x, {}, `${p.id} ${protocol}`);
          continue;
        }
        assert.ok(x.product ?? x.model, `${p.id} ${protocol}/${transport} names its product`);
        if (x.serial !== undefined) assert.equal(x.serial.toLowerCase(), d.identity.serial!.toLowerCase(), `${p.id} ${protocol} serial`);
        if (x.moduleName !== undefined && !p.honeypot) assert.equal(x.moduleName, d.identity.moduleName, `${p.id} ${protocol} module name`);
        if (x.orderNumber !== undefined && protocol === 's7comm') assert.equal(x.orderNumber, p.orderNumber, `${p.id} order number`);
        if (x.firmware !== undefined && !p.honeypot && protocol !== 'enip' && protocol !== 'mqtt' && protocol !== 'opcua') {
          assert.ok(x.firmware.includes(d.identity.firmware!) || protocol === 'bacnet' || protocol === 'fox', `${p.id} ${protocol} firmware ${x.firmware}`);
        }
      }
    }
  }
  assert.ok(services > 90, `${services} services`);
});

test('sessions never throw on random bytes and bound what they buffer', () => {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const ids = ['siemens-s7-1200-cpu1214c-dcdcdc', 'schneider-m221-tm221ce24r', 'rockwell-micro850', 'omron-cp1l-em40dr', 'jci-fec2611', 'phoenix-axc-f-2152', 'advantech-wise-edge-mosquitto', 'tridium-jace-3e', 'abb-rtu560'];
  for (const id of ids) {
    const d = device(id);
    for (const protocol of Object.keys(d.persona.services) as ProtocolName[]) {
      for (let k = 0; k < 200; k++) {
        const s = new DeviceSession(d, protocol, protocol === 'bacnet' ? 'udp' : 'tcp');
        const bytes = new Uint8Array(Math.floor(rnd() * 64)).map(() => Math.floor(rnd() * 256));
        assert.doesNotThrow(() => s.receive(bytes), `${id} ${protocol}`);
      }
    }
  }
  // A length field announcing a huge PDU must not make the session hoard bytes.
  const s = new DeviceSession(device('tridium-jace-3e'), 'fox', 'tcp');
  const chunk = new TextEncoder().encode('fox a 1 -1 fox hello\n{\n' + 'x'.repeat(4096));
  for (let i = 0; i < 40 && !s.closed; i++) s.receive(chunk);
  assert.ok(s.closed, 'closed once the buffer limit is passed');
});
