import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Permutation } from './permutation.ts';
import { Plan } from './plan.ts';
import { parsePorts } from './ports.ts';

function coversOnce(size: number, key: number): void {
  const perm = new Permutation(size, key);
  const seen = new Uint8Array(size);
  for (let p = 0; p < size; p++) {
    const x = perm.at(p);
    assert.ok(Number.isInteger(x) && x >= 0 && x < size, `at(${p}) = ${x} is outside 0…${size - 1}`);
    assert.equal(seen[x], 0, `value ${x} came twice (size ${size}, key ${key})`);
    seen[x] = 1;
  }
}

test('every size from 0 to 300 is a permutation: each index exactly once', () => {
  for (let n = 0; n <= 300; n++) coversOnce(n, 0x5eed + n);
});

test('a /16 of 13 services (851,968 pairs) is covered exactly once', () => {
  coversOnce(65_536 * 13, 42);
});

test('the order depends on the key and is not the identity', () => {
  const a = new Permutation(1000, 1);
  const b = new Permutation(1000, 2);
  const first = (p: Permutation) => Array.from({ length: 20 }, (_, i) => p.at(i));
  assert.notDeepEqual(first(a), first(b));
  assert.notDeepEqual(first(a), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(first(a), first(new Permutation(1000, 1)), 'same key, same order (what resuming relies on)');
});

test('a /8 with every probe is planned without listing it', () => {
  const plan = new Plan([{ target: '127.0.0.0/8', start: 0x7f000000, end: 0x7fffffff }], parsePorts(), 7);
  assert.equal(plan.size, 2 ** 24 * plan.services.length);
  const pair = plan.at(plan.size - 1);
  assert.ok(pair.address >= 0x7f000000 && pair.address <= 0x7fffffff);
  assert.equal(plan.services[pair.serviceIndex], pair.service);
});

test('overlapping targets are scanned once per address', () => {
  const plan = new Plan(
    [
      { target: 'a', start: 0x7f000000, end: 0x7f0000ff },
      { target: 'b', start: 0x7f000080, end: 0x7f00017f },
    ],
    parsePorts('502'),
    3,
  );
  assert.equal(plan.addressCount, 384);
  const seen = new Set<number>();
  for (let p = 0; p < plan.size; p++) seen.add(plan.at(p).address);
  assert.equal(seen.size, 384);
});
