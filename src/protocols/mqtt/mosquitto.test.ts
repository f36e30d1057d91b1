// Interoperation with a real broker: the Mosquitto on 127.0.0.1:1883 (DESIGN.md "Real peers").
// Skipped when no broker listens there.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { FlowState } from '../protocol.ts';
import { connect, disconnect, mqtt, subscribe, type MqttMessage } from './index.ts';

const HOST = '127.0.0.1';
const PORT = 1883;

/** A socket that collects the broker's packets, parsed with one flow state as capture does. */
function open(): Promise<{ send(m: MqttMessage): void; next(type: string): Promise<MqttMessage>; close(): void } | null> {
  return new Promise((resolve) => {
    const socket: Socket = tcpConnect({ host: HOST, port: PORT });
    const received: MqttMessage[] = [];
    const waiters: Array<() => void> = [];
    const state: FlowState = {};
    let buffer = new Uint8Array(0);
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('error', () => resolve(null));
    socket.on('data', (chunk) => {
      const joined = new Uint8Array(buffer.length + chunk.length);
      joined.set(buffer);
      joined.set(chunk, buffer.length);
      let at = 0;
      for (;;) {
        const r = mqtt.parse(joined.subarray(at), 'to-client', state);
        if (r.kind !== 'done') break;
        received.push(r.message);
        at += r.consumed;
      }
      buffer = joined.slice(at);
      for (const w of waiters.splice(0)) w();
    });
    socket.on('connect', () =>
      resolve({
        send: (m) => socket.write(mqtt.encode(m)),
        next: (type) =>
          new Promise((done, fail) => {
            const check = () => {
              const i = received.findIndex((m) => m.typeName === type);
              if (i >= 0) done(received.splice(i, 1)[0]);
              else if (socket.destroyed) fail(new Error(`no ${type} from the broker`));
              else waiters.push(check);
            };
            socket.on('close', check);
            check();
          }),
        close: () => socket.destroy(),
      }),
    );
  });
}

const probe = await open();
probe?.close();

describe('mqtt against Mosquitto', { skip: probe ? false : `no MQTT broker on ${HOST}:${PORT}` }, () => {
  it('3.1.1: CONNECT, SUBSCRIBE $SYS/broker/version, identify the broker', async () => {
    const c = (await open())!;
    try {
      c.send(connect(`otscope-test-${process.pid}`));
      const ack = await c.next('CONNACK');
      assert.deepEqual([ack.reasonCode, ack.anomalies], [0, []]);
      c.send(subscribe(['$SYS/broker/version'], 7));
      const sub = await c.next('SUBACK');
      assert.deepEqual([sub.packetId, sub.reasonCodes], [7, [0]]);
      const version = await c.next('PUBLISH');
      assert.equal(version.publish?.retain, true);
      const id = mqtt.identify([version]);
      assert.equal(id?.product, 'Mosquitto');
      assert.match(id?.firmware ?? '', /^\d+\.\d+\.\d+/);
      c.send(disconnect());
    } finally {
      c.close();
    }
  });

  it('5.0: the broker’s CONNACK properties decode from the table', async () => {
    const c = (await open())!;
    try {
      const hello = connect(`otscope-test5-${process.pid}`);
      hello.version = 5;
      hello.connect!.protocolLevel = 5;
      hello.properties = [{ id: 17, name: 'session-expiry-interval', value: 0 }];
      c.send(hello);
      const ack = await c.next('CONNACK');
      assert.equal(ack.version, 5);
      assert.deepEqual(ack.anomalies, []);
      assert.equal(ack.reasonCode, 0);
      // Mosquitto 2 announces at least its topic alias maximum and receive maximum (MQTT 5.0 §3.2.2.3).
      assert.ok((ack.properties ?? []).length > 0, JSON.stringify(ack.properties));
      assert.ok(ack.properties!.every((p) => p.name !== 'unknown'));
    } finally {
      c.close();
    }
  });
});
