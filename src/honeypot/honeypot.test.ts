// The sensor over real loopback sockets: state that sticks (Modbus, S7, MQTT), the events each
// request becomes, a fresh identity per deployment without Conpot's defaults, and the limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, type Socket } from 'node:net';
import { BEHAVIOURS, deploy, exposes, personaById, type ProtocolName } from '../personas/index.ts';
import { IDENTITY_FIELDS, type Transport } from '../model/index.ts';
import type { Message } from '../protocols/index.ts';
import { readSzl, connectionRequest, setupCommunication, type S7commMessage } from '../protocols/s7comm/index.ts';
import { connect as mqttConnect, publish, subscribe, type MqttMessage } from '../protocols/mqtt/index.ts';
import { conpotStringsIn, honeypotPersonas, HoneypotSession, newState, startHoneypot, type Honeypot, type HoneypotEvent, type HoneypotOptions } from './index.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
/** A port block per process, so parallel test files and other engineers' listeners rarely meet. */
let nextPort = 21000 + (process.pid % 400) * 20;

async function start(persona: string, extra: Partial<HoneypotOptions> = {}): Promise<{ hp: Honeypot; events: HoneypotEvent[]; port: (p: ProtocolName) => number; host: string }> {
  const events: HoneypotEvent[] = [];
  const p = personaById(persona)!;
  const host = `127.77.${(process.pid >> 8) & 0xff}.${(process.pid & 0xff) || 1}`;
  for (let attempt = 0; ; attempt++) {
    const ports: Partial<Record<ProtocolName, number>> = {};
    for (const name of Object.keys(p.services) as ProtocolName[]) ports[name] = nextPort++;
    const hp = await startHoneypot({ persona, bind: host, ports, seed: `test-${persona}`, onEvent: (e) => events.push(e), ...extra });
    if (hp.services.every((s) => !s.error) || attempt > 5) return { hp, events, port: (n) => ports[n]!, host };
    await hp.close();
  }
}

/** Sends requests one at a time over one connection; returns each request's replies parsed by the engine. */
class Client {
  private buffer = new Uint8Array(0);
  private waiting: (() => void) | undefined;
  closed = false;
  constructor(readonly socket: Socket, readonly protocol: ProtocolName) {
    socket.on('data', (d: Buffer) => {
      const joined = new Uint8Array(this.buffer.length + d.length);
      joined.set(this.buffer);
      joined.set(d, this.buffer.length);
      this.buffer = joined;
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
  }
  static open(host: string, port: number, protocol: ProtocolName): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ host, port }, () => resolve(new Client(s, protocol)));
      s.once('error', reject);
    });
  }
  /** Sends, then waits for `count` complete replies (or the close, or 2 s). */
  async exchange(bytes: Uint8Array, count = 1): Promise<Message[]> {
    this.socket.write(bytes);
    const protocol = BEHAVIOURS[this.protocol].protocol;
    const out: Message[] = [];
    const deadline = Date.now() + 2000;
    const state = {};
    while (out.length < count && Date.now() < deadline) {
      const r = protocol.parse(this.buffer, 'to-client', state);
      if (r.kind === 'done') {
        out.push(r.message);
        this.buffer = this.buffer.slice(r.consumed);
        continue;
      }
      if (this.closed) break;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 100);
      });
      this.waiting = undefined;
    }
    return out;
  }
  async closedWithin(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!this.closed && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }
  end(): void {
    this.socket.destroy();
  }
}

const settle = () => new Promise((r) => setTimeout(r, 50));

test('Modbus: writes change what reads return, for every client, and each request is one event', async () => {
  const { hp, events, port, host } = await start('schneider-m221-tm221ce24r');
  try {
    const a = await Client.open(host, port('modbus'), 'modbus');
    // Modbus Application Protocol v1.1b3 §6.6 write single register: address 10 := 0x1234.
    const [w1] = (await a.exchange(hex('0001 0000 0006 01 06 000a 1234'))) as any[];
    assert.deepEqual(w1.pdu, { kind: 'write-single', address: 10, value: 0x1234 });
    // §6.12 write multiple registers: 20..22 := 1, 2, 3.
    const [w2] = (await a.exchange(hex('0002 0000 000d 01 10 0014 0003 06 0001 0002 0003'))) as any[];
    assert.deepEqual(w2.pdu, { kind: 'write-multiple-response', address: 20, quantity: 3 });
    // §6.5 write single coil 7 ON.
    await a.exchange(hex('0003 0000 0006 01 05 0007 ff00'));
    a.end();
    const b = await Client.open(host, port('modbus'), 'modbus');
    const [r1] = (await b.exchange(hex('0004 0000 0006 01 03 000a 0001'))) as any[];
    assert.deepEqual(r1.pdu.values, [0x1234]);
    const [r2] = (await b.exchange(hex('0005 0000 0006 01 03 0014 0003'))) as any[];
    assert.deepEqual(r2.pdu.values, [1, 2, 3]);
    const [r3] = (await b.exchange(hex('0006 0000 0006 01 01 0007 0001'))) as any[];
    assert.equal(r3.pdu.values[0] & 1, 1);
    // Illegal coil value (§6.5: only 0xFF00 or 0x0000) is exception 03, and changes nothing.
    const [bad] = (await b.exchange(hex('0007 0000 0006 01 05 0007 1234'))) as any[];
    assert.equal(bad.exception?.code, 3);
    b.end();
    await settle();
    const ops = events.map((e) => `${e.operation}${e.operation === 'connect' ? '' : ` ${e.detail}`}`);
    assert.deepEqual(ops, [
      'connect',
      'write write-single-register 10',
      'write write-multiple-registers 20+3',
      'write write-single-coil 7',
      'connect',
      'read read-holding-registers 10+1',
      'read read-holding-registers 20+3',
      'read read-coils 7+1',
      'write write-single-coil 7',
    ]);
    const sessions = new Set(events.map((e) => e.session));
    assert.equal(sessions.size, 2);
    const w = events[1];
    assert.equal(w.raw, '00010000000601060' + '00a1234');
    assert.deepEqual([w.protocol, w.transport, w.dst.port, w.src.ip, w.persona, w.seq], ['modbus', 'tcp', port('modbus'), '127.0.0.1', 'schneider-m221-tm221ce24r', 1]);
  } finally {
    await hp.close();
  }
});

function s7job(pduRef: number, param: S7commMessage['s7'] extends infer P ? (P extends { param: infer Q } ? Q : never) : never, data: any = { kind: 'none' }): S7commMessage {
  return { anomalies: [], direction: 'to-server', cotp: { name: 'DT', pduType: 0xf0, eot: true, tpduNumber: 0 } as any, s7: { rosctr: 1, redundancyId: 0, pduRef, param, data } };
}

test('S7: STOP and START change the CPU state SZL 0x0424 reports; data blocks read back what was written; the block list counts them', async () => {
  const { hp, events, port, host } = await start('siemens-s7-300-cpu315-2pndp');
  const s7 = BEHAVIOURS.s7comm.protocol;
  try {
    const c = await Client.open(host, port('s7comm'), 's7comm');
    await c.exchange(s7.encode(connectionRequest()));
    await c.exchange(s7.encode(setupCommunication(1, 480)));
    const mode = async (ref: number) => {
      const [m] = (await c.exchange(s7.encode(readSzl(ref, 0x0424, 0)))) as S7commMessage[];
      const payload = m.s7!.data.kind === 'userdata' ? m.s7!.data.payload : new Uint8Array();
      return payload[8 + 3];
    };
    assert.equal(await mode(2), 0x08, 'RUN after deployment');
    // Snap7's Cli_PlcStop PDU: function 0x29 with PI service "P_PROGRAM".
    const [stop] = (await c.exchange(hex('0300002102f080 32010000 0e00 0010 0000 29 0000000000 09 505f50524f4752414d'))) as S7commMessage[];
    assert.equal(stop.s7?.rosctr, 3);
    assert.equal(await mode(3), 0x04, 'STOP after the stop PDU');
    // Snap7's Cli_PlcHotStart PDU: function 0x28 (PI service) "P_PROGRAM".
    await c.exchange(hex('0300002502f080 32010000 0c00 0014 0000 28 000000000000fd 0000 09 505f50524f4752414d'));
    assert.equal(await mode(4), 0x08, 'RUN after the start PDU');
    const item = { kind: 'any' as const, transportSize: 2, length: 4, dbNumber: 1, area: 0x84, byteAddress: 2, bitAddress: 0 };
    await c.exchange(s7.encode(s7job(5, { kind: 'var', function: 5, itemCount: 1, items: [item] }, { kind: 'items', items: [{ returnCode: 0, transportSize: 4, length: 32, data: hex('deadbeef') }] })));
    const [read] = (await c.exchange(s7.encode(s7job(6, { kind: 'var', function: 4, itemCount: 1, items: [item] })))) as S7commMessage[];
    assert.ok(read.s7!.data.kind === 'items');
    assert.deepEqual([...read.s7!.data.items[0].data], [0xde, 0xad, 0xbe, 0xef]);
    assert.deepEqual([...hp.state.s7.get('132/1')!.slice(2, 6)], [0xde, 0xad, 0xbe, 0xef]);
    // A DB the CPU does not have: return code 0x0a (object does not exist).
    const [missing] = (await c.exchange(s7.encode(s7job(7, { kind: 'var', function: 4, itemCount: 1, items: [{ ...item, dbNumber: 999 }] })))) as S7commMessage[];
    assert.ok(missing.s7!.data.kind === 'items' && missing.s7!.data.items[0].returnCode === 0x0a);
    // Block functions (group 3), list blocks (subfunction 1).
    const [blocks] = (await c.exchange(hex('0300001d02f080 32070000 0800 0008 0004 000112 04 11 43 01 00 0a000000'))) as S7commMessage[];
    assert.ok(blocks.s7!.data.kind === 'userdata');
    const list = blocks.s7!.data.payload;
    const db = [...Array(list.length / 4).keys()].map((i) => list.subarray(i * 4, i * 4 + 4)).find((e) => e[1] === 0x41)!;
    assert.equal((db[2] << 8) | db[3], hp.state.dataBlocks.length);
    c.end();
    await settle();
    const ops = events.map((e) => e.operation);
    assert.deepEqual(ops, ['connect', 'session', 'session', 'discovery', 'stop', 'discovery', 'start', 'discovery', 'write', 'read', 'read', 'read']);
    assert.equal(events.find((e) => e.operation === 'write')!.detail, 'write var DB1');
  } finally {
    await hp.close();
  }
});

test('MQTT: a retained publish is kept (bounded) and handed to later subscribers, never forwarded elsewhere', async () => {
  const { hp, events, port, host } = await start('advantech-wise-edge-mosquitto');
  const mqtt = BEHAVIOURS.mqtt.protocol;
  try {
    const a = await Client.open(host, port('mqtt'), 'mqtt');
    await a.exchange(mqtt.encode(mqttConnect('attacker-1')));
    a.socket.write(mqtt.encode(publish('plant/valve7/setpoint', '99', true)));
    await settle();
    a.end();
    const b = await Client.open(host, port('mqtt'), 'mqtt');
    await b.exchange(mqtt.encode(mqttConnect('attacker-2')));
    const replies = (await b.exchange(mqtt.encode(subscribe(['#'], 1)), 6)) as MqttMessage[];
    const topics = replies.filter((m) => m.typeName === 'PUBLISH').map((m) => m.publish!.topic);
    assert.ok(topics.includes('plant/valve7/setpoint'), topics.join());
    assert.ok(topics.some((t) => t.startsWith(hp.device.vars.station)), 'the deployment\'s own retained topics');
    b.end();
    await settle();
    assert.deepEqual(events.filter((e) => e.operation !== 'connect').map((e) => e.operation), ['authentication', 'publish', 'authentication', 'subscribe']);
  } finally {
    await hp.close();
  }
});

test('each deployment draws a fresh identity; the seed fixes it', async () => {
  const a = await start('siemens-s7-1200-cpu1214c-dcdcdc', { seed: undefined });
  const b = await start('siemens-s7-1200-cpu1214c-dcdcdc', { seed: undefined });
  try {
    for (const k of ['serial', 'mac', 'plant', 'station'] as const) assert.notEqual(a.hp.device.vars[k], b.hp.device.vars[k], k);
    assert.notEqual(a.hp.state.bootedAt, b.hp.state.bootedAt);
    const up = Date.now() - a.hp.state.bootedAt;
    assert.ok(up > 3 * 86_400_000 && up < 401 * 86_400_000, 'uptime of days to months');
  } finally {
    await a.hp.close();
    await b.hp.close();
  }
  assert.deepEqual(deploy(personaById('jci-nae5510')!, 's', 0).vars, deploy(personaById('jci-nae5510')!, 's', 0).vars);
});

test("no reply of any persona carries Conpot's default strings; the Conpot personas are refused", async () => {
  let replies = 0;
  for (const persona of honeypotPersonas()) {
    const device = deploy(persona, `grep-${persona.id}`, 0);
    const state = newState(device);
    for (const protocol of Object.keys(persona.services) as ProtocolName[]) {
      for (const transport of ['tcp', 'udp'] as Transport[]) {
        if (!BEHAVIOURS[protocol].protocol.endpoints.some((e) => e.transport === transport)) continue;
        const session = new HoneypotSession(device, state, protocol, transport);
        for (const probe of BEHAVIOURS[protocol].probes(device, transport)) {
          for (const bytes of session.receive(BEHAVIOURS[protocol].protocol.encode(probe)).replies) {
            replies++;
            assert.deepEqual(conpotStringsIn(bytes), [], `${persona.id} ${protocol}/${transport}`);
          }
        }
      }
    }
    for (const v of Object.values(device.vars)) assert.deepEqual(conpotStringsIn(Buffer.from(v, 'latin1')), [], `${persona.id} vars`);
  }
  assert.ok(replies > 150, `${replies} replies checked`);
  await assert.rejects(startHoneypot({ persona: 'conpot-default', bind: '127.77.0.250', ports: { modbus: 1 } }), /conpot/);
});

test('limits: connection cap, slow sender, unframeable bytes; the sensor keeps serving', async () => {
  const { hp, events, port, host } = await start('schneider-m221-tm221ce24r', { maxConnections: 4, slowSenderMs: 300, idleTimeoutMs: 5000 });
  try {
    const held = await Promise.all([0, 1, 2, 3].map(() => Client.open(host, port('modbus'), 'modbus')));
    await settle();
    const fifth = await Client.open(host, port('modbus'), 'modbus');
    assert.ok(await fifth.closedWithin(1000), 'the fifth connection is refused');
    for (const c of held) c.end();
    await settle();
    // Half an MBAP header, then nothing: dropped after slowSenderMs.
    const slow = await Client.open(host, port('modbus'), 'modbus');
    slow.socket.write(hex('0001 0000'));
    assert.ok(await slow.closedWithin(1500), 'a slow sender is dropped');
    // Bytes no Modbus device can frame (protocol id 0xffff): dropped, and logged as malformed.
    const junk = await Client.open(host, port('modbus'), 'modbus');
    junk.socket.write(hex('0001 ffff 0006 01 03 0000 0001'));
    assert.ok(await junk.closedWithin(1000));
    await settle();
    assert.ok(events.some((e) => e.operation === 'malformed' && e.raw.startsWith('0001ffff')));
    const after = await Client.open(host, port('modbus'), 'modbus');
    const [r] = (await after.exchange(hex('0009 0000 0006 01 03 0000 0001'))) as any[];
    assert.equal(r.pdu.values.length, 1);
    after.end();
    assert.equal(hp.connections() <= 1, true);
  } finally {
    await hp.close();
  }
});

/** Identification over the socket after a fuzzing storm must equal the persona's truth. */
async function identifyOverSocket(host: string, port: number, device: Honeypot['device'], protocol: ProtocolName): Promise<Record<string, string>> {
  const b = BEHAVIOURS[protocol];
  const c = await Client.open(host, port, protocol);
  const messages: Message[] = [];
  for (const probe of b.probes(device, 'tcp')) messages.push(...(await c.exchange(b.protocol.encode(probe), protocol === 'iec104' ? 3 : 1)));
  c.end();
  const id = b.protocol.identify(messages) ?? {};
  const out: Record<string, string> = {};
  for (const f of IDENTITY_FIELDS) if (typeof id[f] === 'string' && id[f]) out[f] = id[f] as string;
  return out;
}

test('fuzz: random and mutated bytes on every protocol over real sockets; every service still identifies as before', { timeout: 60_000 }, async () => {
  const personas = ['wago-pfc200-750-8202', 'siemens-s7-1500-cpu1516-3pndp', 'abb-rtu560', 'tridium-jace-8000', 'omron-nj501-1300'];
  const started = await Promise.all(personas.map((p) => start(p)));
  let seed = 0x2545f491;
  const rnd = () => ((seed = (Math.imul(seed ^ (seed >>> 13), 0x5bd1e995) + 0x6b43a9b5) >>> 0) / 2 ** 32);
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const { createSocket } = await import('node:dgram');
  try {
    let sent = 0;
    for (const s of started) {
      for (const svc of s.hp.services) {
        const b = BEHAVIOURS[svc.protocol];
        const probes = b.probes(s.hp.device, svc.transport).map((m) => b.protocol.encode(m));
        const inputs: Uint8Array[] = [];
        for (let i = 0; i < 24; i++) {
          if (i % 2 === 0) inputs.push(randomBytes(1 + Math.floor(rnd() * 300)));
          else {
            // A real request with a few octets flipped: what exploit fuzzers send.
            const m = probes[i % probes.length].slice();
            for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
            inputs.push(m);
          }
        }
        if (svc.transport === 'udp') {
          const u = createSocket('udp4');
          for (const m of inputs) await new Promise<void>((r) => u.send(m, svc.port, s.host, () => r()));
          u.close();
        } else {
          await Promise.all(
            inputs.map(async (m) => {
              const c = await Client.open(s.host, svc.port, svc.protocol);
              c.socket.write(m);
              await c.closedWithin(30);
              c.end();
            }),
          );
        }
        sent += inputs.length;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const s of started) {
      for (const protocol of Object.keys(s.hp.device.persona.services) as ProtocolName[]) {
        const tcp = s.hp.services.find((x) => x.protocol === protocol && x.transport === 'tcp');
        if (!tcp) continue;
        assert.deepEqual(await identifyOverSocket(s.host, tcp.port, s.hp.device, protocol), exposes(s.hp.device, protocol, 'tcp'), `${s.hp.device.persona.id} ${protocol} after fuzzing`);
      }
    }
    console.log(`# fuzz inputs sent: ${sent}; events: ${started.reduce((t, s) => t + s.events.length, 0)}`);
  } finally {
    await Promise.all(started.map((s) => s.hp.close()));
  }
});

test('IEC 104: after STARTDT the station sends spontaneous single-point changes, and the next interrogation confirms them', async () => {
  const { hp, port, host } = await start('nari-ns3560-rtu', { spontaneousMs: 150 });
  try {
    const c = await Client.open(host, port('iec104'), 'iec104');
    // IEC 60870-5-104 §5.3: STARTDT act (U-format, control field 0x07).
    const [con] = (await c.exchange(hex('68 04 07 00 00 00'))) as any[];
    assert.equal(con.apci.function, 'STARTDT con');
    const seen = (await c.exchange(new Uint8Array(0))) as any[];
    assert.deepEqual([seen[0].asdu.typeId, seen[0].asdu.cause], [1, 3], 'M_SP_NA_1, cause spontaneous');
    // C_IC_NA_1 to the broadcast address, as nmap's iec-identify sends it; changes may interleave.
    seen.push(...((await c.exchange(hex('68 0e 00 00 00 00 64 01 06 00 ff ff 00 00 00 14'), 3)) as any[]));
    while (!seen.some((m) => m.asdu?.typeId === 100 && m.asdu.cause === 10)) {
      const more = (await c.exchange(new Uint8Array(0))) as any[];
      if (more.length === 0) break;
      seen.push(...more);
    }
    // Stream order: every point the interrogation reports has the value of the latest change sent before it.
    const last = new Map<number, number>();
    const gi = seen.findIndex((m) => m.asdu?.typeId === 1 && m.asdu.cause === 20);
    assert.ok(gi > 0, JSON.stringify(seen.map((m) => m.asdu?.cause)));
    for (const m of seen.slice(0, gi)) if (m.asdu?.cause === 3) for (const o of m.asdu.objects) last.set(o.address, o.value);
    assert.ok(last.size > 0);
    for (const o of seen[gi].asdu.objects) if (last.has(o.address)) assert.equal(o.value, last.get(o.address), `IOA ${o.address}`);
    c.end();
  } finally {
    await hp.close();
  }
});

test('BACnet: WriteProperty of the device object name sticks and ReadProperty returns it; other properties are write-protected', async () => {
  const { hp, events, port, host } = await start('jci-nae5510');
  const { createSocket } = await import('node:dgram');
  const { readProperty } = await import('../protocols/bacnet/index.ts');
  const bacnet = BEHAVIOURS.bacnet.protocol;
  const u = createSocket('udp4');
  const ask = (bytes: Uint8Array) =>
    new Promise<any>((resolve) => {
      u.once('message', (m) => {
        const r = bacnet.parse(new Uint8Array(m), 'to-client', {});
        resolve(r.kind === 'done' ? r.message : null);
      });
      u.send(bytes, port('bacnet'), host);
    });
  try {
    // ASHRAE 135 §15.9 WriteProperty: device 4194303 (wildcard), object-name (77) := "HACKED".
    const ok = await ask(hex('810a001c 0104 0005010f 0c023fffff 194d 3e 7507004841434b4544 3f'));
    assert.deepEqual([ok.apdu.type, ok.apdu.service], [2, 15], 'SimpleACK');
    const read = await ask(bacnet.encode(readProperty(77, 2)));
    assert.equal(read.apdu.parameters.properties[0].values[0], 'HACKED');
    assert.equal(hp.state.bacnet.get(77), 'HACKED');
    // vendor-name (121) is not writable: Error, write-access-denied.
    const denied = await ask(hex('810a001c 0104 0005030f 0c023fffff 1979 3e 7507004841434b4544 3f'));
    assert.equal(denied.apdu.type, 5);
    await settle();
    assert.deepEqual(events.map((e) => e.operation), ['write', 'discovery', 'write']);
  } finally {
    u.close();
    await hp.close();
  }
});

test('DNP3: a class 0 poll answers binary and analog inputs; a class 1-3 poll finds no events', async () => {
  const { hp, events, port, host } = await start('sel-3530-rtac');
  const { readRequest } = await import('../protocols/dnp3/index.ts');
  const dnp3 = BEHAVIOURS.dnp3.protocol;
  const address = hp.device.persona.services.dnp3!.address;
  try {
    const c = await Client.open(host, port('dnp3'), 'dnp3');
    const [class0] = (await c.exchange(dnp3.encode(readRequest(address, 3, [[60, 1]], 1)))) as any[];
    assert.equal(class0.application.function, 129);
    assert.deepEqual(class0.application.objects.map((o: { group: number; variation: number }) => `g${o.group}v${o.variation}`), ['g1v2', 'g30v2']);
    const [events123] = (await c.exchange(dnp3.encode(readRequest(address, 3, [[60, 2], [60, 3], [60, 4]], 2)))) as any[];
    assert.deepEqual([events123.application.function, events123.application.objects.length], [129, 0]);
    c.end();
    await settle();
    assert.deepEqual(events.filter((e) => e.operation !== 'connect').map((e) => e.operation), ['read', 'read']);
  } finally {
    await hp.close();
  }
});

test('EtherNet/IP: after RegisterSession, CIP Get_Attributes_All on the Identity object answers what ListIdentity says', async () => {
  const { hp, events, port, host } = await start('rockwell-controllogix-1756-l61');
  const { cipMessages, decodeIdentityAttributes, registerSession } = await import('../protocols/enip/index.ts');
  const enip = BEHAVIOURS.enip.protocol;
  try {
    const c = await Client.open(host, port('enip'), 'enip');
    const [reg] = (await c.exchange(enip.encode(registerSession()))) as any[];
    const session = reg.sessionHandle as number;
    const h32 = (n: number) => Buffer.from(Uint32Array.of(n).buffer).toString('hex');
    // Vol 2 §2-4.7 SendRRData: interface 0, timeout 10, CPF [null address, unconnected data:
    // service 0x01 Get_Attributes_All, path 20 01 24 01 (class 1, instance 1)].
    const cip = '01 02 20012401';
    const sendRRData = (svc: string) => {
      const items = `0200 0000 0000 b200 ${(svc.replace(/ /g, '').length / 2).toString(16).padStart(2, '0')}00 ${svc}`;
      const body = `00000000 0a00 ${items}`.replace(/ /g, '');
      return hex(`6f00 ${(body.length / 2).toString(16).padStart(2, '0')}00 ${h32(session)} 00000000 0000000000000000 00000000 ${body}`);
    };
    const [all] = (await c.exchange(sendRRData(cip))) as any[];
    const [answer] = cipMessages(all);
    assert.equal(answer.kind, 'response');
    const id = decodeIdentityAttributes(answer.data)!;
    assert.equal(id.productName, '1756-L61/B LOGIX5561');
    assert.equal(id.serialNumber, Number.parseInt(hp.device.vars.serial, 16) >>> 0);
    // Another object (class 0x6B, symbols): path destination unknown (general status 0x05).
    const [other] = (await c.exchange(sendRRData('4c 02 206b2400'))) as any[];
    assert.equal((cipMessages(other)[0] as { generalStatus: number }).generalStatus, 0x05);
    c.end();
    await settle();
    assert.deepEqual(events.filter((e) => e.operation !== 'connect').map((e) => e.operation), ['session', 'discovery', 'read']);
  } finally {
    await hp.close();
  }
});

test('UDP: one source gets only a trickle of answers, so a spoofed flood cannot use the sensor as a reflector', async () => {
  const { hp, events, port, host } = await start('jci-fec2611', { udpRepliesPerSecond: 10 });
  const { createSocket } = await import('node:dgram');
  const { whoIs } = await import('../protocols/bacnet/index.ts');
  const u = createSocket('udp4');
  let replies = 0;
  u.on('message', () => replies++);
  try {
    const who = BEHAVIOURS.bacnet.protocol.encode(whoIs());
    for (let i = 0; i < 100; i++) await new Promise<void>((r) => u.send(who, port('bacnet'), host, () => r()));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(replies >= 10 && replies <= 15, `${replies} I-Am answers to 100 Who-Is`);
    assert.equal(events.filter((e) => e.operation === 'discovery').length, 100, 'every datagram is still on record');
  } finally {
    u.close();
    await hp.close();
  }
});
