import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount, formatTime, orDash } from './format.ts';

test('times are shown in Beijing time (UTC+8, no daylight saving) whatever the host zone', () => {
  assert.equal(formatTime('2026-11-25T16:00:00Z'), '2026-11-26 00:00:00');
  assert.equal(formatTime('2026-07-01T03:04:05.678Z'), '2026-07-01 11:04:05');
  assert.equal(formatTime('2026-11-25T23:59:59+08:00'), '2026-11-25 23:59:59');
});

test('missing or unparsable times show a dash instead of "Invalid Date"', () => {
  assert.equal(formatTime(null), '—');
  assert.equal(formatTime(undefined), '—');
  assert.equal(formatTime(''), '—');
  assert.equal(formatTime('yesterday-ish'), '—');
});

test('counts get thousands separators; empty values a dash', () => {
  assert.equal(formatCount(10_000_000), '10,000,000');
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(Number.NaN), '—');
  assert.equal(orDash(''), '—');
  assert.equal(orDash(null), '—');
  assert.equal(orDash('V4.2.1'), 'V4.2.1');
});
