// Issue 3, deliverable 1: EtherNet/IP "UDP and TCP". The corpus has EtherNet/IP over TCP only
// (its oracles list no UDP conversation for enip), so this holds the UDP side: a ListIdentity
// request and reply on UDP 44818, as scanners and engineering tools send them, go through the
// capture, the analyzer and both output formats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureFixtures as fx, decodeCapture } from '../src/capture/index.ts';
import { allFixtures } from '../src/protocols/all-fixtures.ts';
import { PROTOCOLS } from '../src/protocols/index.ts';
import { Analyzer, NdjsonWriter, summarizeCaptureBytes } from '../src/traffic/index.ts';

const CLIENT = '192.168.1.10';
const ADAPTER = '192.168.1.20';
const fixtures = (await allFixtures()).filter((f) => f.protocol === 'enip');
const bytesOf = (name: string): Uint8Array => fixtures.find((f) => f.name === name)!.bytes;

/** ListIdentity request from an ephemeral port, the reply from 44818 back to it (Vol 2 §2-4.2). */
function capture(clientPort: number): Uint8Array {
  const frame = (src: string, dst: string, sport: number, dport: number, data: Uint8Array) => fx.ethernet(0x0800, fx.ipv4(src, dst, 17, fx.udp(sport, dport, data)));
  return fx.pcapFile({ linkType: 1 }, [
    { sec: 1_700_000_000, frac: 0, frame: frame(CLIENT, ADAPTER, clientPort, 44818, bytesOf('ListIdentity request')) },
    { sec: 1_700_000_000, frac: 1500, frame: frame(ADAPTER, CLIENT, 44818, clientPort, bytesOf('ListIdentity response')) },
  ]);
}

test('ListIdentity over UDP 44818 is counted like tshark counts it', () => {
  const s = summarizeCaptureBytes(capture(50123), 'enip-udp.pcap', PROTOCOLS);
  assert.equal(s.packet_count, 2);
  assert.deepEqual((s.enip as Record<string, unknown>).command, { '99': 2 });
  assert.equal(s.frames_by_protocol.enip, 2);
  assert.deepEqual(s.conversations, [
    { src: CLIENT, dst: ADAPTER, dport: 44818, transport: 'udp', protocol: 'enip', frames: 1 },
    { src: ADAPTER, dst: CLIENT, dport: 50123, transport: 'udp', protocol: 'enip', frames: 1 },
  ]);
});

test('ListIdentity over UDP: NDJSON messages with their directions, then the adapter identity', () => {
  const lines: string[] = [];
  const writer = new NdjsonWriter((l) => lines.push(l));
  const analyzer = new Analyzer(PROTOCOLS, writer);
  decodeCapture(capture(50123), (p) => analyzer.packet(p));
  analyzer.finish();
  writer.finish();
  const out = lines.map((l) => JSON.parse(l) as Record<string, any>);
  const messages = out.filter((l) => l.type === 'message');
  assert.deepEqual(
    messages.map((m) => [m.protocol, m.direction, m.flow.transport, m.fields['enip.command']]),
    [
      ['enip', 'to-server', 'udp', 0x63],
      ['enip', 'to-client', 'udp', 0x63],
    ],
  );
  assert.equal(messages[1].fields['enip.lir.name'], '1756-ENBT/A');
  const identity = out.find((l) => l.type === 'identity');
  assert.ok(identity, JSON.stringify(out));
  assert.equal(identity.ip, ADAPTER);
  assert.equal(identity.protocol, 'enip');
  assert.equal(identity.identity.vendor, 'Rockwell Automation/Allen-Bradley');
  assert.equal(identity.identity.product, '1756-ENBT/A');
});
