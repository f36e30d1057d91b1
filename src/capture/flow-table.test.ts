import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipv4, ipv6, tcp, udp } from './fixtures.ts';
import { FlowTable, LINKTYPE, PacketDecoder, newCapturePacket, type Flow, type FlowEndReason } from './index.ts';

const decoder = new PacketDecoder();
const packet = newCapturePacket();

/** Decodes a raw IP frame into the decoder's reused Frame. */
function frame(bytes: Uint8Array) {
  packet.linkType = LINKTYPE.RAW;
  packet.bytes = bytes;
  packet.offset = 0;
  packet.capLen = bytes.length;
  assert.ok(decoder.decode(packet, 0));
  return decoder.frame;
}

const V6_A = new Uint8Array(16).fill(0x20, 0, 1);
const V6_B = new Uint8Array(16).fill(0x20, 0, 1).fill(7, 15);

test('frames of interleaved conversations find their own flow and direction', () => {
  const table = new FlowTable<unknown>(() => {});
  const sends = [
    tcp(40000, 502, 1, 0, 0x10),
    tcp(502, 40000, 1, 0, 0x10),
    tcp(40001, 502, 1, 0, 0x10),
  ];
  const a = [ipv4('10.0.0.1', '10.0.0.2', 6, sends[0]), ipv4('10.0.0.2', '10.0.0.1', 6, sends[1]), ipv4('10.0.0.1', '10.0.0.2', 6, sends[2])];
  // The same ports over UDP, and over IPv6, are other flows.
  const u = ipv4('10.0.0.1', '10.0.0.2', 17, udp(40000, 502, new Uint8Array(1)));
  const v6 = ipv6(V6_A, V6_B, 6, sends[0]);
  const v6back = ipv6(V6_B, V6_A, 6, sends[1]);
  const seen: [Flow<unknown>, number][] = [];
  for (const bytes of [a[0], a[1], a[1], a[2], a[0], u, v6, v6back, a[1], u, v6]) {
    const flow = table.lookup(frame(bytes), 0);
    seen.push([flow, table.dir]);
  }
  const [f1, f2, fu, f6] = [seen[0][0], seen[3][0], seen[5][0], seen[6][0]];
  assert.equal(new Set([f1, f2, fu, f6]).size, 4);
  assert.equal(table.size, 4);
  assert.deepEqual(
    seen.map(([f, d]) => `${[f1, f2, fu, f6].indexOf(f)}/${d}`),
    ['0/0', '0/1', '0/1', '1/0', '0/0', '2/0', '3/0', '3/1', '0/1', '2/0', '3/0'],
  );
  assert.equal(fu.transport, 'udp');
  assert.equal(f6.a, '2000::');
});

test('an ended flow is not found again: the same tuple opens a new one', () => {
  const ended: FlowEndReason[] = [];
  const table = new FlowTable<unknown>((_f, reason) => ended.push(reason));
  const bytes = ipv4('10.0.0.1', '10.0.0.2', 6, tcp(40000, 502, 1, 0, 0x10));
  const first = table.lookup(frame(bytes), 0);
  table.end(first, 'reused');
  const second = table.lookup(frame(bytes), 0);
  assert.notEqual(second, first);
  assert.deepEqual(ended, ['reused']);
  assert.equal(table.lookup(frame(bytes), 0), second);
  assert.equal(table.created, 2);
});
