import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newId } from './ids.ts';

test('ids are 26 Crockford base32 characters and sort by creation time', () => {
  const a = newId(Date.UTC(2026, 0, 1));
  const b = newId(Date.UTC(2026, 0, 1, 0, 0, 1));
  assert.match(a, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.ok(a < b);
});

test('ids do not repeat across many draws (the random pool refills)', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) seen.add(newId(0));
  assert.equal(seen.size, 20_000);
});
