import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PROTOCOLS } from '../protocols/index.ts';
import { corpusCaptures } from '../protocols/all-fixtures.ts';
import { summarizeCaptureBytes, type CaptureSummary } from './index.ts';
import { PRIME_CLIENT4, PRIME_SERVER4, primeAnalyzer, primeCapture } from './prime.ts';


const PRIME_ADDRESSES = new Set([PRIME_CLIENT4, PRIME_SERVER4, '2001:db8::1', '2001:db8::2']);

/** What one pass of the warm-up capture gives, as a summary. */
const ONE_PASS = {
  packets: 24,
  // Modbus: the split request and the reset connection's request (IPv4), the out-of-order
  // response once released, one exchange over IPv6; the three-segment EtherNet/IP NOP; the
  // Who-Is over IPv6 UDP.
  messages: { bacnet: 1, enip: 1, modbus: 5 },
  rows: [
    ['192.0.2.1>192.0.2.2:44818/tcp enip', 1],
    ['192.0.2.1>192.0.2.2:502/tcp mbtcp', 2],
    ['192.0.2.2>192.0.2.1:40000/tcp mbtcp', 1],
    ['2001:db8::1>2001:db8::2:47808/udp bvlc', 1],
    ['2001:db8::1>2001:db8::2:502/tcp mbtcp', 1],
    ['2001:db8::2>2001:db8::1:40000/tcp mbtcp', 1],
  ] as const,
};

/** The summary of one pass of the warm-up capture. */
function expectOnePass(s: CaptureSummary): void {
  assert.equal(s.capture.issue, undefined);
  assert.equal(s.packet_count, ONE_PASS.packets);
  assert.deepEqual(s.messages_by_protocol, ONE_PASS.messages);
  const rows = s.conversations.map((r) => `${r.src}>${r.dst}:${r.dport}/${r.transport} ${r.protocol}`).sort();
  assert.deepEqual(rows, ONE_PASS.rows.map(([k]) => k));
  assert.equal(s.frames_with_anomalies, 0);
  assert.deepEqual(s.ics_frames_without_ip, {});
  assert.deepEqual(s.conversations.map((r) => r.frames), s.conversations.map((r) => ONE_PASS.rows.find(([k]) => k === `${r.src}>${r.dst}:${r.dport}/${r.transport} ${r.protocol}`)![1]));
}

test('the warm-up capture takes the paths it is there for', () => {
  // Its own summary (of its last round), from a fresh protocol list; a second call on that list
  // does nothing.
  const list = [...PROTOCOLS];
  const s = primeAnalyzer(list);
  assert.ok(s);
  expectOnePass(s);
  assert.equal(primeAnalyzer(list), null);
});

test('priming changes no summary, and its frames never show up in one', () => {
  const files = corpusCaptures();
  assert.ok(files.length >= 40);
  const protocols = [...PROTOCOLS];
  // Unprimed first, in a process where this protocol list has never been primed...
  const before = files.map((f) => summarizeCaptureBytes(readFileSync(f), f, protocols, false));
  // ...then primed, with the warm-up run between the captures of the same list.
  assert.ok(primeAnalyzer(protocols));
  for (const [i, f] of files.entries()) {
    const after = summarizeCaptureBytes(readFileSync(f), f, protocols, true);
    assert.deepEqual(after, before[i], f);
    for (const r of after.conversations) assert.ok(!PRIME_ADDRESSES.has(r.src) && !PRIME_ADDRESSES.has(r.dst), `${f}: ${r.src} > ${r.dst}`);
  }
  // The warm-up capture itself, summarised after priming, gives its own counts and no more.
  expectOnePass(summarizeCaptureBytes(primeCapture(), 'prime', protocols));
});
