import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, hex } from '../../wire/index.ts';
import { readVarInt } from './codec.ts';
import type { FlowState } from '../protocol.ts';
import { connack, connect, disconnect, mqtt, publish, suback, subscribe, type MqttMessage } from './index.ts';

function parseAll(bytes: Uint8Array, state: FlowState, direction: 'to-server' | 'to-client' = 'to-server'): MqttMessage[] {
  const out: MqttMessage[] = [];
  for (let at = 0; at < bytes.length; ) {
    const r = mqtt.parse(bytes.subarray(at), direction, state);
    if (r.kind !== 'done') break;
    out.push(r.message);
    at += r.consumed;
  }
  return out;
}

describe('mqtt', () => {
  it('reads two packets carried in one segment', () => {
    // mqtt.pcap frame 9: PUBLISH "Hello MQTT" then DISCONNECT
    const ms = parseAll(hex`3017000b53616d706c65546f70696348656c6c6f204d515454 e000`, {});
    assert.deepEqual(ms.map((m) => m.typeName), ['PUBLISH', 'DISCONNECT']);
    assert.equal(new TextDecoder().decode(ms[0].publish!.payload), 'Hello MQTT');
  });

  it('keeps the CONNECT protocol level and reads 5.0 PUBLISH properties with it', () => {
    const state: FlowState = {};
    parseAll(hex`10 22 0004 4d515454 05 c2 003c 08 11 0000000a 21 0014 0007 6f7473636f7065 0001 75 0001 70`, state);
    // MQTT 5.0 §3.3.2: topic "a/b/c", packet id 1, properties: payload format 1, topic alias 1; payload "hi"
    const [m] = parseAll(hex`32 11 0005 612f622f63 0001 05 0101 230001 6869`, state);
    assert.equal(m.version, 5);
    assert.deepEqual(m.properties, [
      { id: 1, name: 'payload-format-indicator', value: 1 },
      { id: 35, name: 'topic-alias', value: 1 },
    ]);
    assert.deepEqual(m.publish!.payload, hex`6869`);
    assert.deepEqual(mqtt.encode(m), hex`32 11 0005 612f622f63 0001 05 0101 230001 6869`);
  });

  it('decodes CONNECT flags, will and credentials', () => {
    // MQTT 3.1.1 §3.1: will (QoS 1, retain) on topic "w" with payload "x", username "admin", password "pw"
    const [m] = parseAll(hex`10 1f 0004 4d515454 04 ee 000a 0002 6331 0001 77 0001 78 0005 61646d696e 0002 7077`, {});
    assert.deepEqual(m.anomalies, []);
    const c = m.connect!;
    assert.equal(c.clientId, 'c1');
    assert.equal(c.username, 'admin');
    assert.deepEqual(c.password, hex`7077`);
    assert.deepEqual(c.will, { topic: 'w', payload: hex`78`, qos: 1, retain: true });
    assert.equal(c.cleanSession, true);
  });

  it('bounds property lengths', () => {
    // CONNACK 5.0 whose property length claims more than the packet holds
    const [m] = parseAll(hex`20 04 00 00 7f 22`, {});
    assert.deepEqual(m.anomalies, ['property-length-invalid']);
  });

  it('stops reading properties at an unknown identifier', () => {
    const [m] = parseAll(hex`20 06 00 00 03 7e 000a`, {});
    assert.deepEqual(m.anomalies, ['unknown-property']);
  });

  it('asks for the rest of a split remaining length and body', () => {
    assert.deepEqual(mqtt.parse(hex`30`, 'to-server'), { kind: 'incomplete', needed: 2 });
    assert.deepEqual(mqtt.parse(hex`30 80`, 'to-server'), { kind: 'incomplete', needed: 3 });
    assert.deepEqual(mqtt.parse(hex`30 80 01 00`, 'to-server'), { kind: 'incomplete', needed: 131 });
  });

  it('reads remaining lengths up to the largest, 268,435,455, and refuses a fifth length octet', () => {
    // MQTT 5.0 §1.5.5: ff ff ff 7f = 127 + 127·128 + 127·128² + 127·128³
    const read = (bytes: Uint8Array) => readVarInt(new ByteReader(bytes));
    assert.deepEqual([hex`7f`, hex`80 01`, hex`ff 7f`, hex`80 80 01`, hex`80 80 80 01`, hex`ff ff ff 7f`].map(read), [127, 128, 16_383, 16_384, 2_097_152, 268_435_455]);
    assert.equal(read(hex`ff ff ff ff 01`), undefined);
    assert.deepEqual(mqtt.parse(hex`30 80 80 80 01`, 'to-server'), { kind: 'incomplete', needed: 2_097_157 });
    // Past LIMITS.maxPdu a packet is not buffered, at the largest length as below it.
    assert.deepEqual(mqtt.parse(hex`30 ff ff ff 7f`, 'to-server'), { kind: 'not-mine' });
  });

  it('identifies a broker from $SYS/broker/version', () => {
    const [m] = parseAll(encodeVersion(), {}, 'to-client');
    const id = mqtt.identify([m]);
    assert.equal(id?.product, 'Mosquitto');
    assert.equal(id?.firmware, '2.0.11');
  });

  it('encodes the CONNECT the scanner sends', () => {
    const bytes = mqtt.encode({
      anomalies: [], type: 1, typeName: 'CONNECT', flags: 0, version: 4,
      connect: { protocolName: 'MQTT', protocolLevel: 4, cleanSession: true, keepAlive: 60, clientId: 'otscope', reservedFlag: false },
    });
    assert.deepEqual(bytes, hex`10 13 0004 4d515454 04 02 003c 0007 6f7473636f7065`);
  });

  it('builds CONNECT, SUBSCRIBE $SYS/broker/version and DISCONNECT', () => {
    assert.deepEqual(mqtt.encode(connect('otscope', 60)), hex`10 13 0004 4d515454 04 02 003c 0007 6f7473636f7065`);
    assert.deepEqual(mqtt.encode(subscribe(['$SYS/broker/version'])), hex`82 18 0001 0013 24535953 2f62726f6b65722f76657273696f6e 00`);
    assert.deepEqual(mqtt.encode(disconnect()), hex`e0 00`);
  });

  it('answers as a broker persona', () => {
    assert.deepEqual(mqtt.encode(connack()), hex`20 02 00 00`);
    assert.deepEqual(mqtt.encode(suback(1, [0])), hex`90 03 0001 00`);
    const version = parseAll(mqtt.encode(publish('$SYS/broker/version', 'mosquitto version 2.0.18', true)), {}, 'to-client');
    assert.equal(version[0].publish?.retain, true);
    assert.equal(mqtt.identify(version)?.firmware, '2.0.18');
  });

  it('identifies EMQX from its $SYS/brokers topics', () => {
    const ms = [
      publish('$SYS/brokers/emqx@127.0.0.1/version', '5.3.2', true),
      publish('$SYS/brokers/emqx@127.0.0.1/sysdescr', 'EMQX', true),
    ].map((m) => parseAll(mqtt.encode(m), {}, 'to-client')[0]);
    const id = mqtt.identify(ms);
    assert.deepEqual([id?.vendor, id?.product, id?.firmware], ['EMQ Technologies', 'EMQX', '5.3.2']);
  });

  it('does not take Modbus/TCP for MQTT', () => {
    // ModbusTCP.pcap: transaction ids 0x310a and 0x500e read as PUBLISH with an empty topic and PUBREC of 14 octets
    assert.equal(mqtt.recognize(hex`310a 0000 0006 ff 01 0000 0006`, 'to-server', 'tcp'), false);
    assert.equal(mqtt.recognize(hex`500e 0000 0008 ff 0f 0000 0001 01 01`, 'to-server', 'tcp'), false);
    const [m] = parseAll(hex`310a 0000 0006 ff 01 0000 0006`, {});
    assert.deepEqual(m.anomalies, ['empty-topic-name']);
  });
});

function encodeVersion(): Uint8Array {
  return mqtt.encode({
    anomalies: [], type: 3, typeName: 'PUBLISH', flags: 0, version: 4,
    publish: { topic: '$SYS/broker/version', qos: 0, retain: true, dup: false, payload: new TextEncoder().encode('mosquitto version 2.0.11'), payloadLength: 24 },
  });
}
