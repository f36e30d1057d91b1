// MQTT packets from real captures (reference/corpus/pcap/mqtt/, tshark frame numbers) and MQTT 5.0
// packets built by hand from the OASIS specification's layouts (section numbers given).
import { hex } from '../../wire/index.ts';
import { fixture, type ProtocolFixture } from '../fixture.ts';

const zeek = 'reference/corpus/pcap/mqtt/mqtt.pcap';
const ndpi = 'reference/corpus/pcap/mqtt/coap_mqtt.pcap';

export const fixtures: ProtocolFixture[] = [
  fixture('mqtt', 'CONNECT 3.1 (MQIsdp, level 3) from a Paho client', 'to-server',
    hex`10 25 0006 4d5149736470 03 02 0005 0017 7061686f2f333441414535344137354438333935363645`, {
    source: `${zeek} frame 1`,
    expect: { 'mqtt.msgtype': 1, 'mqtt.protoname': 'MQIsdp', 'mqtt.ver': 3, 'mqtt.kalive': 5, 'mqtt.clientid': 'paho/34AAE54A75D839566E' },
  }),
  fixture('mqtt', 'CONNACK accepted', 'to-client', hex`20 02 00 00`, {
    source: `${zeek} frame 2`,
    expect: { 'mqtt.msgtype': 2, 'mqtt.conack.val': 0 },
  }),
  fixture('mqtt', 'SUBSCRIBE SampleTopic QoS 0', 'to-server', hex`82 10 0001 000b 53616d706c65546f706963 00`, {
    source: `${zeek} frame 3`,
    expect: { 'mqtt.msgtype': 8, 'mqtt.msgid': 1, 'mqtt.topic': ['SampleTopic'], 'mqtt.sub.qos': [0] },
  }),
  fixture('mqtt', 'SUBACK granted QoS 0', 'to-client', hex`90 03 0001 00`, {
    source: `${zeek} frame 4`,
    expect: { 'mqtt.msgtype': 9, 'mqtt.suback.qos': [0] },
  }),
  fixture('mqtt', 'PUBLISH QoS 0', 'to-client',
    hex`30 30 000b 53616d706c65546f706963 48656c6c6f2066726f6d20746865205061686f20626c6f636b696e6720636c69656e74`, {
    source: `${zeek} frame 5 (first packet; the retain flag cleared)`,
    expect: { 'mqtt.msgtype': 3, 'mqtt.topic': 'SampleTopic', 'mqtt.qos': 0 },
  }),
  fixture('mqtt', 'PINGREQ', 'to-server', hex`c0 00`, { source: `${zeek} frame 6`, expect: { 'mqtt.msgtype': 12 } }),
  fixture('mqtt', 'PINGRESP', 'to-client', hex`d0 00`, { source: `${zeek} frame 7`, expect: { 'mqtt.msgtype': 13 } }),
  fixture('mqtt', 'DISCONNECT 3.1.1', 'to-server', hex`e0 00`, { source: `${zeek} frame 9 (second packet)`, expect: { 'mqtt.msgtype': 14 } }),
  fixture('mqtt', 'CONNECT 3.1.1 (level 4)', 'to-server', hex`10 11 0004 4d515454 04 02 003c 0005 4275733431`, {
    source: `${ndpi} frame 31`,
    expect: { 'mqtt.protoname': 'MQTT', 'mqtt.ver': 4, 'mqtt.clientid': 'Bus41', 'mqtt.conflag.cleansess': true },
  }),
  fixture('mqtt', 'PUBLISH QoS 1 retained', 'to-server',
    hex`33 3a 0009 4275733137496e666f 0001 5570646174652074726967676572656420467269204665622031392032303a34313a3037204545542032303136`, {
    source: `${ndpi} frame 34`,
    expect: { 'mqtt.msgtype': 3, 'mqtt.topic': 'Bus17Info', 'mqtt.qos': 1, 'mqtt.retain': true, 'mqtt.msgid': 1 },
  }),
  fixture('mqtt', 'PUBACK', 'to-client', hex`40 02 0001`, { source: `${ndpi} frame 35`, expect: { 'mqtt.msgtype': 4, 'mqtt.msgid': 1 } }),
  fixture('mqtt', 'SUBSCRIBE QoS 1', 'to-server', hex`82 0d 0002 0008 4275733137436d64 01`, {
    source: `${ndpi} frame 36`,
    expect: { 'mqtt.topic': ['Bus17Cmd'], 'mqtt.sub.qos': [1] },
  }),
  fixture('mqtt', 'PUBREC', 'to-client', hex`50 02 0003`, { source: 'MQTT 3.1.1 §3.5', expect: { 'mqtt.msgtype': 5 } }),
  fixture('mqtt', 'PUBREL (flags 0010)', 'to-server', hex`62 02 0003`, { source: 'MQTT 3.1.1 §3.6.1', expect: { 'mqtt.msgtype': 6 } }),
  fixture('mqtt', 'PUBCOMP', 'to-client', hex`70 02 0003`, { source: 'MQTT 3.1.1 §3.7', expect: { 'mqtt.msgtype': 7 } }),
  fixture('mqtt', 'UNSUBSCRIBE', 'to-server', hex`a2 0f 0004 000b 53616d706c65546f706963`, {
    source: 'MQTT 3.1.1 §3.10',
    expect: { 'mqtt.msgtype': 10, 'mqtt.topic': ['SampleTopic'] },
  }),
  fixture('mqtt', 'UNSUBACK', 'to-client', hex`b0 02 0004`, { source: 'MQTT 3.1.1 §3.11', expect: { 'mqtt.msgtype': 11 } }),
  fixture('mqtt', 'CONNECT 5.0 with session expiry, receive maximum, username and password', 'to-server',
    hex`10 22 0004 4d515454 05 c2 003c 08 11 0000000a 21 0014 0007 6f7473636f7065 0001 75 0001 70`, {
    source: 'MQTT 5.0 §3.1.2 (properties 0x11, 0x21 from §2.2.2.2)',
    expect: { 'mqtt.ver': 5, 'mqtt.clientid': 'otscope', 'mqtt.username': 'u', 'mqtt.conflag.passwd': true, 'mqtt.property_id': [0x11, 0x21] },
  }),
  fixture('mqtt', 'CONNACK 5.0 with topic alias maximum', 'to-client', hex`20 06 00 00 03 22 000a`, {
    source: 'MQTT 5.0 §3.2.2',
    expect: { 'mqtt.connack.reason_code': 0, 'mqtt.property_id': [0x22] },
  }),
  fixture('mqtt', 'DISCONNECT 5.0 with will message', 'to-server', hex`e0 01 04`, {
    source: 'MQTT 5.0 §3.14.2.1 (reason code 0x04)',
    expect: { 'mqtt.disconnect.reason_code': 4 },
  }),
  fixture('mqtt', 'AUTH 5.0 continue authentication (SCRAM)', 'to-client', hex`f0 0a 18 08 15 0005 534352414d`, {
    source: 'MQTT 5.0 §3.15 (reason 0x18, property 0x15 authentication method)',
    expect: { 'mqtt.msgtype': 15, 'mqtt.auth.reason_code': 0x18, 'mqtt.property_id': [0x15] },
  }),
  fixture('mqtt', 'SUBSCRIBE with reserved flags 0000', 'to-server', hex`80 10 0001 000b 53616d706c65546f706963 00`, {
    source: 'MQTT 3.1.1 §3.8.1: SUBSCRIBE flags must be 0010 [MQTT-3.8.1-1]',
    outcome: 'not-mine',
  }),
  fixture('mqtt', 'remaining length of five octets', 'to-server', hex`30 ff ff ff ff 01`, {
    source: 'MQTT 3.1.1 §2.2.3: at most four octets',
    outcome: 'not-mine',
  }),
];
