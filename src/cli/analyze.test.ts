import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

function otscope(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/otscope.js', 'analyze', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('summary: one oracle-shaped JSON object per capture, directories walked in sorted order', () => {
  const r = otscope('reference/corpus/pcap/mqtt', 'reference/corpus/pcap/fins/omron_test.pcap');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((s) => [s.file, s.packet_count]),
    [
      ['reference/corpus/pcap/mqtt/coap_mqtt.pcap', 1082],
      ['reference/corpus/pcap/mqtt/mqtt.pcap', 19],
      ['reference/corpus/pcap/fins/omron_test.pcap', 18],
    ],
  );
  assert.equal(lines[0].schema, 'ics-pcap-oracle/1');
  assert.equal(lines[0].mqtt.msgtype['3'], 75, 'MQTT on port 17501 found by content');
});

test('ndjson: message lines then identity lines', () => {
  const r = otscope('--format', 'ndjson', 'reference/corpus/pcap/s7comm/s7comm_reading_plc_status.pcap');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines[0].type, 'message');
  assert.equal(lines[0].protocol, 's7comm');
  const identity = lines.find((l) => l.type === 'identity');
  assert.equal(identity.ip, '192.168.1.40');
  assert.equal(identity.identity.orderNumber, '6ES7 151-8AB01-0AB0');
});

test('unreadable and non-capture files fail with stable codes and a non-zero exit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-analyze-'));
  try {
    const text = join(dir, 'notes.pcap');
    writeFileSync(text, 'not a capture at all');
    const r = otscope(text, join(dir, 'missing.pcap'));
    assert.equal(r.code, 1);
    assert.match(r.err, /CAPTURE_UNREADABLE: .*missing\.pcap/);
    assert.match(r.err, /CAPTURE_NOT_RECOGNIZED: .*notes\.pcap/);
    assert.equal(otscope('--format', 'xml', text).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ndjson: a capture cut short ends with a capture-issue line after what could be decoded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-analyze-'));
  try {
    const whole = readFileSync('reference/corpus/pcap/mqtt/mqtt.pcap');
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const r = otscope('--format', 'ndjson', cut);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    const last = lines[lines.length - 1];
    assert.equal(last.type, 'capture-issue');
    assert.equal(last.code, 'truncated-record');
    assert.equal(last.packets, 18);
    assert.ok(lines.filter((l) => l.type === 'message').length > 10);
    assert.match(r.err, /warning: .*cut\.pcap/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
