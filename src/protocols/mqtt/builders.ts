// Packets the scanner sends to read a broker's identity: CONNECT (3.1.1, clean session), then
// SUBSCRIBE to $SYS/broker/version, as nmap's mqtt-subscribe does with $SYS/#; and a broker
// persona's answers.
import type { MqttMessage } from './packet.ts';

export function connect(clientId: string, keepAlive = 30): MqttMessage {
  return {
    anomalies: [],
    type: 1,
    typeName: 'CONNECT',
    flags: 0,
    version: 4,
    connect: { protocolName: 'MQTT', protocolLevel: 4, cleanSession: true, keepAlive, clientId, reservedFlag: false },
  };
}

export function subscribe(topics: readonly string[], packetId = 1): MqttMessage {
  return {
    anomalies: [],
    type: 8,
    typeName: 'SUBSCRIBE',
    flags: 0x2,
    version: 4,
    packetId,
    subscriptions: topics.map((topic) => ({ topic, options: 0 })),
  };
}

export function disconnect(): MqttMessage {
  return { anomalies: [], type: 14, typeName: 'DISCONNECT', flags: 0, version: 4 };
}

/** CONNACK (3.1.1 §3.2): return code 0 accepted, 5 not authorized. */
export function connack(returnCode = 0, sessionPresent = false): MqttMessage {
  return { anomalies: [], type: 2, typeName: 'CONNACK', flags: 0, version: 4, sessionPresent, reasonCode: returnCode };
}

/** SUBACK granting each filter the QoS given (0x80 = failure). */
export function suback(packetId: number, granted: readonly number[]): MqttMessage {
  return { anomalies: [], type: 9, typeName: 'SUBACK', flags: 0, version: 4, packetId, reasonCodes: [...granted] };
}

/** PUBLISH QoS 0 (retained messages are what a new subscriber to $SYS receives first). */
export function publish(topic: string, payload: Uint8Array | string, retain = false): MqttMessage {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return {
    anomalies: [], type: 3, typeName: 'PUBLISH', flags: retain ? 1 : 0, version: 4,
    publish: { topic, qos: 0, retain, dup: false, payload: bytes, payloadLength: bytes.length },
  };
}
