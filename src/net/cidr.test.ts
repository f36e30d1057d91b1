import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cidrContains,
  intToIpv4,
  ipKey,
  ipv4CidrAddresses,
  ipv4CidrCount,
  ipv4CidrNth,
  ipv4CidrRange,
  ipv4RangeToCidrs,
  ipv4ToInt,
  parseCidr,
  parseIp,
} from './index.ts';
import { mulberry32 } from '../model/index.ts';

test('parseCidr: IPv4 block with host bits is normalised to its network', () => {
  const c = parseCidr('59.63.12.34/16');
  assert.ok(c);
  assert.equal(c.family, 4);
  assert.equal(c.prefix, 16);
  assert.equal(c.start, '59.63.0.0');
  assert.equal(c.end, '59.63.255.255');
  assert.equal(c.normalized, '59.63.0.0/16');
  assert.equal(c.hostBitsSet, true);
  assert.deepEqual(c.network, Uint8Array.of(59, 63, 0, 0));
  assert.deepEqual(c.last, Uint8Array.of(59, 63, 255, 255));
  assert.equal(c.startKey, ipKey('59.63.0.0'));
  assert.equal(c.endKey, ipKey('59.63.255.255'));
  assert.equal(parseCidr('59.63.0.0/16')?.hostBitsSet, false);
});

test('parseCidr: odd prefixes, /0, host routes and IPv6', () => {
  assert.equal(parseCidr('10.1.2.3/21')?.normalized, '10.1.0.0/21');
  assert.equal(parseCidr('10.1.15.3/21')?.end, '10.1.15.255');
  assert.equal(parseCidr('1.2.3.4/0')?.normalized, '0.0.0.0/0');
  assert.equal(parseCidr('1.2.3.4/0')?.end, '255.255.255.255');
  assert.equal(parseCidr('1.2.3.4')?.normalized, '1.2.3.4/32');
  assert.equal(parseCidr('1.2.3.4')?.end, '1.2.3.4');
  assert.equal(parseCidr('2001:DB8::1/32')?.normalized, '2001:db8::/32');
  assert.equal(parseCidr('2001:db8::/32')?.end, '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff');
  assert.equal(parseCidr('2001:db8::1')?.normalized, '2001:db8::1/128');
  assert.equal(parseCidr('2001:db8:1234::/46')?.normalized, '2001:db8:1234::/46');
  assert.equal(parseCidr('2001:db8:1237::/46')?.end, '2001:db8:1237:ffff:ffff:ffff:ffff:ffff');
  assert.equal(parseCidr('::ffff:10.0.0.0/104')?.normalized, '::ffff:10.0.0.0/104');
  assert.equal(parseCidr('::/0')?.end, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
});

test('parseCidr: rejects bad prefixes and bad addresses', () => {
  for (const bad of [
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '10.0.0.0/08',
    '10.0.0.0/8/8',
    '10.0.0.0/ 8',
    '10.0.0.0/8 ',
    '10.0.0.0/0x8',
    '010.0.0.0/8',
    'fe80::1%eth0/64',
    '/8',
    '',
  ]) {
    assert.equal(parseCidr(bad), null, bad);
  }
});

test('cidrContains: edges, mapped IPv4 and garbage', () => {
  assert.equal(cidrContains('59.63.0.0/18', '59.63.0.0'), true);
  assert.equal(cidrContains('59.63.0.0/18', '59.63.63.255'), true);
  assert.equal(cidrContains('59.63.0.0/18', '59.63.64.0'), false);
  assert.equal(cidrContains('59.63.0.0/18', '59.62.255.255'), false);
  assert.equal(cidrContains('::ffff:0:0/96', '8.8.8.8'), true);
  assert.equal(cidrContains('10.0.0.0/8', '::ffff:10.9.9.9'), true);
  assert.equal(cidrContains('10.0.0.0/8', '2001:db8::1'), false);
  assert.equal(cidrContains('2001:db8::/32', '2001:db8:ffff::1'), true);
  assert.equal(cidrContains('2001:db8::/32', '2001:db9::'), false);
  assert.equal(cidrContains('bad', '10.0.0.1'), false);
  assert.equal(cidrContains('10.0.0.0/8', 'bad'), false);
});

test('property: containment agrees with an independent BigInt mask computation', () => {
  const r = mulberry32(11);
  const big = (s: string) => {
    const ip = parseIp(s)!;
    let n = 0n;
    for (const b of ip.bytes) n = (n << 8n) | BigInt(b);
    return n;
  };
  for (let i = 0; i < 2000; i++) {
    const v6 = r() < 0.5;
    let base: string;
    let probe: string;
    if (v6) {
      const words = () => Array.from({ length: 8 }, () => Math.floor(r() * 0x10000).toString(16)).join(':');
      base = words();
      // Half the probes share the base's leading bits so both outcomes occur.
      probe = r() < 0.5 ? base.slice(0, base.lastIndexOf(':')) + ':' + Math.floor(r() * 0x10000).toString(16) : words();
    } else {
      base = intToIpv4(Math.floor(r() * 2 ** 32));
      probe = r() < 0.5 ? intToIpv4((ipv4ToInt(base)! ^ Math.floor(r() * 4096)) >>> 0) : intToIpv4(Math.floor(r() * 2 ** 32));
    }
    const bits = v6 ? 128 : 32;
    const prefix = Math.floor(r() * (bits + 1));
    const hostMask = (1n << BigInt(bits - prefix)) - 1n;
    const start = big(base) & ~hostMask;
    const end = start | hostMask;
    const p = big(probe);
    const c = parseCidr(`${base}/${prefix}`)!;
    assert.equal(big(c.start), start);
    assert.equal(big(c.end), end);
    assert.equal(cidrContains(c, probe), p >= start && p <= end, `${base}/${prefix} ∋ ${probe}`);
  }
});

test('IPv4 iteration: count, nth and the lazy generator agree', () => {
  assert.equal(ipv4CidrCount('192.0.2.0/24'), 256);
  assert.equal(ipv4CidrCount('0.0.0.0/0'), 2 ** 32);
  assert.equal(ipv4CidrCount('192.0.2.7'), 1);
  assert.equal(ipv4CidrCount('2001:db8::/32'), null);
  assert.deepEqual(ipv4CidrRange('0.0.0.0/0'), { start: 0, end: 0xffffffff });
  assert.equal(ipv4CidrNth('192.0.2.0/24', 0), '192.0.2.0');
  assert.equal(ipv4CidrNth('192.0.2.0/24', 255), '192.0.2.255');
  assert.equal(ipv4CidrNth('192.0.2.0/24', 256), null);
  assert.equal(ipv4CidrNth('192.0.2.0/24', -1), null);
  assert.equal(ipv4CidrNth('192.0.2.0/24', 1.5), null);
  assert.equal(ipv4CidrNth('255.255.255.0/24', 255), '255.255.255.255');
  const all = [...ipv4CidrAddresses('10.9.8.4/30')];
  assert.deepEqual(all, ['10.9.8.4', '10.9.8.5', '10.9.8.6', '10.9.8.7']);
  assert.deepEqual([...ipv4CidrAddresses('2001:db8::/126')], []);
});

test('ipv4RangeToCidrs: minimal exact cover', () => {
  const n = (s: string) => ipv4ToInt(s)!;
  assert.deepEqual(ipv4RangeToCidrs(n('59.63.0.0'), n('59.63.87.255')), ['59.63.0.0/18', '59.63.64.0/20', '59.63.80.0/21']);
  assert.deepEqual(ipv4RangeToCidrs(n('36.192.201.64'), n('36.192.201.127')), ['36.192.201.64/26']);
  assert.deepEqual(ipv4RangeToCidrs(n('10.0.0.1'), n('10.0.0.6')), ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
  assert.deepEqual(ipv4RangeToCidrs(0, 0xffffffff), ['0.0.0.0/0']);
  assert.deepEqual(ipv4RangeToCidrs(5, 4), []);
  const r = mulberry32(5);
  for (let i = 0; i < 300; i++) {
    const a = Math.floor(r() * 2 ** 32);
    const b = Math.min(0xffffffff, a + Math.floor(r() * 2 ** (r() * 24)));
    let next = a;
    for (const block of ipv4RangeToCidrs(a, b)) {
      const range = ipv4CidrRange(block)!;
      assert.equal(range.start, next, block);
      assert.equal(parseCidr(block)!.hostBitsSet, false, block);
      next = range.end + 1;
    }
    assert.equal(next, b + 1);
  }
});
