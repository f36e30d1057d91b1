// MQTT broker (3.1.1): CONNECT → CONNACK (0 accepted, 5 not authorized when the persona wants
// credentials), SUBSCRIBE → SUBACK then the retained $SYS/broker/version, PINGREQ → PINGRESP.
import { connack, connect, mqtt, publish, suback, subscribe, topicMatches, type MqttMessage } from '../../protocols/mqtt/index.ts';
import { render } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour, Conversation } from './types.ts';

const VERSION_TOPIC = '$SYS/broker/version';

function answer(device: Device, request: MqttMessage, conversation: Conversation): MqttMessage[] {
  const spec = device.persona.services.mqtt;
  if (!spec) return [];
  const d = conversation.data;
  if (request.typeName === 'CONNECT') {
    if (d.connected) {
      conversation.close = true; // [MQTT-3.1.0-2] a second CONNECT is a protocol violation
      return [];
    }
    const anonymous = request.connect?.username === undefined;
    if (spec.auth && anonymous) {
      conversation.close = true;
      return [connack(5)];
    }
    d.connected = 1;
    return [connack(0)];
  }
  if (!d.connected) {
    conversation.close = true; // [MQTT-3.1.0-1] the first packet must be CONNECT
    return [];
  }
  if (request.typeName === 'SUBSCRIBE') {
    const subs = request.subscriptions ?? [];
    const out: MqttMessage[] = [suback(request.packetId ?? 0, subs.map(() => 0))];
    if (subs.some((s) => topicMatches(s.topic, VERSION_TOPIC))) out.push(publish(VERSION_TOPIC, render(spec.version, device.vars), true));
    return out;
  }
  if (request.typeName === 'PINGREQ') return [{ anomalies: [], type: 13, typeName: 'PINGRESP', flags: 0, version: 4 }];
  if (request.typeName === 'DISCONNECT') conversation.close = true;
  return [];
}

export const mqttBehaviour: Behaviour<MqttMessage> = {
  name: 'mqtt',
  protocol: mqtt,
  answer,
  probes: () => [connect('otscope-probe'), subscribe([VERSION_TOPIC], 1)],
};
