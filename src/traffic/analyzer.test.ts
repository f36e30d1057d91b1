import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureFixtures as fx } from '../capture/index.ts';
import { PROTOCOLS } from '../protocols/index.ts';
import { hex } from '../wire/index.ts';
import { Analyzer, NdjsonWriter, summarizeCaptureBytes, type CaptureSummary } from './index.ts';
import { decodeCapture } from '../capture/index.ts';

const { TCP } = fx;
const CLIENT = '192.168.1.10';
const SERVER = '192.168.1.20';

/** A TCP conversation as an Ethernet pcap: each step is one segment from the client or server. */
function conversation(sport: number, dport: number, steps: { from: 'c' | 's'; data?: Uint8Array; skip?: number; flags?: number }[]): Uint8Array {
  let cseq = 1000;
  let sseq = 5000;
  const records: fx.PcapRecord[] = [];
  const push = (from: 'c' | 's', flags: number, data: Uint8Array) => {
    const seg = from === 'c' ? fx.tcp(sport, dport, cseq, sseq, flags, data) : fx.tcp(dport, sport, sseq, cseq, flags, data);
    const ip = from === 'c' ? fx.ipv4(CLIENT, SERVER, 6, seg) : fx.ipv4(SERVER, CLIENT, 6, seg);
    records.push({ sec: 1_700_000_000 + records.length, frac: 0, frame: fx.ethernet(0x0800, ip) });
  };
  push('c', TCP.SYN, new Uint8Array(0));
  cseq++;
  push('s', TCP.SYN | TCP.ACK, new Uint8Array(0));
  sseq++;
  for (const st of steps) {
    const data = st.data ?? new Uint8Array(0);
    if (st.from === 'c') cseq += st.skip ?? 0;
    else sseq += st.skip ?? 0;
    push(st.from, st.flags ?? TCP.ACK | TCP.PSH, data);
    if (st.from === 'c') cseq += data.length;
    else sseq += data.length;
  }
  return fx.pcapFile({ linkType: 1 }, records);
}

// Modbus Application Protocol V1.1b3 §6.3: Read Holding Registers, 1 register at 0x006b.
const READ_REQ = hex`0001 0000 0006 11 03 006b 0001`;
const READ_RSP = hex`0001 0000 0005 11 03 02 022b`;
const READ_REQ2 = hex`0002 0000 0006 11 03 006c 0001`;
const READ_RSP2 = hex`0002 0000 0005 11 03 02 0001`;

function summary(bytes: Uint8Array): CaptureSummary {
  return summarizeCaptureBytes(bytes, 'test.pcap', PROTOCOLS);
}

function histogram(s: CaptureSummary, group: string, key: string): Record<string, number> {
  return (s[group] as Record<string, Record<string, number>>)[key];
}

test('a PDU split over two segments is one message, counted in the frame that completes it', () => {
  const s = summary(
    conversation(40000, 502, [
      { from: 'c', data: READ_REQ.subarray(0, 5) },
      { from: 'c', data: READ_REQ.subarray(5) },
      { from: 's', data: READ_RSP },
    ]),
  );
  assert.equal(s.packet_count, 5);
  assert.deepEqual(histogram(s, 'modbus', 'func_code'), { '3': 2 });
  assert.deepEqual(histogram(s, 'modbus', 'unit_id'), { '17': 2 });
  assert.deepEqual(s.conversations, [
    { src: CLIENT, dst: SERVER, dport: 502, transport: 'tcp', protocol: 'mbtcp', frames: 1 },
    { src: SERVER, dst: CLIENT, dport: 40000, transport: 'tcp', protocol: 'mbtcp', frames: 1 },
  ]);
});

test('several PDUs in one segment are each counted; the frame once', () => {
  const both = new Uint8Array([...READ_REQ, ...READ_REQ2]);
  const s = summary(
    conversation(40000, 502, [
      { from: 'c', data: both },
      { from: 's', data: new Uint8Array([...READ_RSP, ...READ_RSP2]) },
    ]),
  );
  assert.deepEqual(histogram(s, 'modbus', 'func_code'), { '3': 4 });
  assert.equal(s.messages_by_protocol.modbus, 4);
  assert.deepEqual(
    s.conversations.map((c) => c.frames),
    [1, 1],
  );
});

test('after a gap the unfinished PDU is dropped and parsing resumes at the next segment', () => {
  const s = summary(
    conversation(40000, 502, [
      { from: 'c', data: READ_REQ },
      { from: 'c', data: READ_REQ2.subarray(0, 4) },
      { from: 'c', data: READ_REQ2.subarray(6), skip: 2 }, // bytes 4-5 never captured
      { from: 's', data: READ_RSP },
      { from: 'c', data: READ_REQ2 },
    ]),
  );
  // The server acknowledges past the hole, so the capture lost it: the partial request is dropped.
  assert.equal(histogram(s, 'modbus', 'func_code')['3'], 3);
});

test('bytes that are not the flow protocol are skipped up to the next segment boundary', () => {
  const s = summary(
    conversation(40000, 502, [
      { from: 'c', data: READ_REQ },
      { from: 'c', data: hex`ffffffffffffffff` },
      { from: 'c', data: READ_REQ2 },
    ]),
  );
  assert.deepEqual(histogram(s, 'modbus', 'func_code'), { '3': 2 });
});

// MQTT 3.1.1 §3.1: CONNECT with protocol name "MQTT", level 4, clean session, keep alive 60,
// client id "test"; §3.2: CONNACK accepted.
const CONNECT = hex`10 10 0004 4d515454 04 02 003c 0004 74657374`;
const CONNACK = hex`20 02 00 00`;

test('MQTT on a non-standard port (17501) is found by content, with directions from the SYN', () => {
  const s = summary(
    conversation(53522, 17501, [
      { from: 'c', data: CONNECT },
      { from: 's', data: CONNACK },
    ]),
  );
  assert.deepEqual(histogram(s, 'mqtt', 'msgtype'), { '1': 1, '2': 1 });
  assert.deepEqual(s.conversations, [
    { src: CLIENT, dst: SERVER, dport: 17501, transport: 'tcp', protocol: 'mqtt', frames: 1 },
    { src: SERVER, dst: CLIENT, dport: 53522, transport: 'tcp', protocol: 'mqtt', frames: 1 },
  ]);
});

test('traffic no protocol recognises stays undecoded (no guess from content alone)', () => {
  const s = summary(conversation(40000, 8080, [{ from: 'c', data: new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n') }]));
  assert.deepEqual(s.conversations, []);
  assert.deepEqual(s.messages_by_protocol, {});
});

test('the summary has every oracle histogram, empty ones included', () => {
  const s = summary(conversation(40000, 502, []));
  for (const [group, keys] of Object.entries({ modbus: 3, s7comm: 3, dnp3: 3, iec104: 4, enip: 1, cip: 2, bacnet: 4, opcua: 2, mqtt: 1, omron: 2 })) {
    assert.equal(Object.keys(s[group] as object).length, keys, group);
  }
});

test('NDJSON: one line per message with flow and direction, then identities', () => {
  const lines: string[] = [];
  const writer = new NdjsonWriter((l) => lines.push(l));
  const analyzer = new Analyzer(PROTOCOLS, writer);
  decodeCapture(
    conversation(40000, 502, [
      { from: 'c', data: READ_REQ },
      { from: 's', data: READ_RSP },
    ]),
    (p) => analyzer.packet(p),
  );
  analyzer.finish();
  writer.finish();
  const first = JSON.parse(lines[0]);
  assert.equal(first.type, 'message');
  assert.equal(first.time, '2023-11-14T22:13:22.000000Z');
  assert.equal(first.frame, 3);
  assert.deepEqual(first.flow, { src: CLIENT, sport: 40000, dst: SERVER, dport: 502, transport: 'tcp' });
  assert.equal(first.protocol, 'modbus');
  assert.equal(first.direction, 'to-server');
  assert.equal(first.fields['modbus.func_code'], 3);
  assert.deepEqual(first.anomalies, []);
  assert.equal(JSON.parse(lines[1]).direction, 'to-client');
});

test('random payloads on every protocol port never throw and leave no unbounded state', () => {
  let seed = 99;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  const ports = [...new Set(PROTOCOLS.flatMap((p) => p.endpoints.map((e) => e.port)))];
  const records: fx.PcapRecord[] = [];
  for (let i = 0; i < 2000; i++) {
    const data = new Uint8Array(rnd() % 120);
    for (let j = 0; j < data.length; j++) data[j] = rnd() & 255;
    const port = ports[i % ports.length];
    const l4 = i % 3 === 0 ? fx.udp(40000 + (i % 7), port, data) : fx.tcp(40000 + (i % 7), port, 1000 + rnd() * 3, 1, TCP.ACK, data);
    records.push({ sec: i, frac: 0, frame: fx.ethernet(0x0800, fx.ipv4(CLIENT, SERVER, i % 3 === 0 ? 17 : 6, l4)) });
  }
  const s = summary(fx.pcapFile({ linkType: 1 }, records));
  assert.equal(s.packet_count, 2000);
});
