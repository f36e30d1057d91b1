// Packets the scanner sends to read a broker's identity: CONNECT (3.1.1, clean session), then
// SUBSCRIBE to $SYS/broker/version, as nmap's mqtt-subscribe does with $SYS/#.
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
