// MQTT on TCP 1883: CONNECT (3.1.1, clean session), SUBSCRIBE to $SYS/broker/version — the
// retained topic Mosquitto and others name themselves on, as nmap's mqtt-subscribe reads $SYS —
// then DISCONNECT. Nothing is published. A broker that keeps $SYS to itself is still confirmed,
// with the CONNACK's return code and the protocol level it accepted.
import { connect, disconnect, mqtt, subscribe, type MqttMessage } from '../../protocols/mqtt/index.ts';
import type { FlowState } from '../../protocols/index.ts';
import type { Probe } from './probe.ts';

const TOPIC = '$SYS/broker/version';

export const mqttProbe: Probe = {
  protocol: 'mqtt',
  transport: 'tcp',
  port: 1883,
  async run(conn) {
    const state: FlowState = {};
    conn.send(mqtt.encode(connect(`otscope-${Math.random().toString(36).slice(2, 10)}`)));
    const connack = await conn.read(mqtt, state);
    if (!connack || connack.typeName !== 'CONNACK') return null;
    const base = { raw: { protocolLevel: 4, connackReturnCode: connack.reasonCode ?? 0 } };
    if ((connack.reasonCode ?? 0) !== 0) return { identity: base };
    conn.send(mqtt.encode(subscribe([TOPIC], 1)));
    const messages: MqttMessage[] = [];
    for (let i = 0; i < 4; i++) {
      const m = await conn.read(mqtt, state);
      if (!m) break;
      if (m.typeName === 'SUBACK' && m.reasonCodes?.every((c) => c >= 0x80)) break;
      if (m.publish?.topic === TOPIC) {
        messages.push(m);
        break;
      }
    }
    conn.send(mqtt.encode(disconnect()));
    const id = mqtt.identify(messages);
    return { identity: id ? { ...id, raw: { ...base.raw, ...id.raw } } : base };
  },
};
