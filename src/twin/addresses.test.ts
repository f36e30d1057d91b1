// Loopback placement and the loopback ↔ public address mapping over the bundled region pack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegionPack } from '../regions/index.ts';
import { twinAddresses, twinLoopbackAddress, twinPublicAddress } from './index.ts';

const pack = loadRegionPack();

test('devices get consecutive usable addresses of the CIDR, never .0, .255 or 127.0.0.1', () => {
  assert.deepEqual(twinAddresses('127.16.0.0/12', 3), ['127.16.0.1', '127.16.0.2', '127.16.0.3']);
  const many = twinAddresses('127.16.0.0/12', 600);
  assert.equal(new Set(many).size, 600);
  assert.ok(!many.some((a) => a.endsWith('.0') || a.endsWith('.255')));
  assert.equal(many[254], '127.16.1.1');
  assert.ok(!twinAddresses('127.0.0.0/24', 10).includes('127.0.0.1'));
});

test('a CIDR outside 127.0.0.0/8 or too small is refused', () => {
  assert.throws(() => twinAddresses('10.0.0.0/24', 1), /127\.0\.0\.0\/8/);
  assert.throws(() => twinAddresses('126.255.255.0/23', 1), /127\.0\.0\.0\/8/);
  assert.throws(() => twinAddresses('127.1.2.0/30', 5), /room for 3/);
  assert.throws(() => twinAddresses('not-a-cidr', 1), /not an IPv4 CIDR/);
});

test('each loopback address stands for a distinct public address of the province, and back', () => {
  const seen = new Set<string>();
  for (const loopback of twinAddresses('127.16.0.0/12', 5000)) {
    const pub = twinPublicAddress(loopback, pack);
    assert.ok(pack.locate(pub), `${pub} lies in a range of the region pack`);
    assert.equal(twinLoopbackAddress(pub, pack), loopback);
    seen.add(pub);
  }
  assert.equal(seen.size, 5000);
  // Deterministic across calls and spread over the province, not one block.
  assert.equal(twinPublicAddress('127.16.0.5', pack), twinPublicAddress('127.16.0.5'));
  const cities = new Set([...seen].slice(0, 500).map((ip) => pack.locate(ip)?.cityCode));
  assert.ok(cities.size >= 5, `${cities.size} cities among 500 devices`);
});

test('public addresses outside the pack have no twin; non-loopback input is refused', () => {
  assert.equal(twinLoopbackAddress('8.8.8.8', pack), null);
  assert.throws(() => twinPublicAddress('10.1.2.3', pack), /127\.0\.0\.0\/8/);
});
