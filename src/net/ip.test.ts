import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SocketAddress } from 'node:net';
import {
  compareIp,
  formatIp,
  intToIpv4,
  ipFromKey,
  ipKey,
  ipv4ToInt,
  normalizeIp,
  parseIp,
  unmapIpv4,
  type IpAddress,
} from './index.ts';
import { mulberry32 } from '../model/index.ts';

/** Random IPv6 bytes with runs of zero groups, so "::" placement gets exercised. */
function randomV6(r: () => number): Uint8Array {
  const b = new Uint8Array(16);
  for (let g = 0; g < 8; g++) {
    const kind = r();
    const word = kind < 0.45 ? 0 : kind < 0.55 ? 1 : Math.floor(r() * 0x10000);
    b[2 * g] = word >> 8;
    b[2 * g + 1] = word & 0xff;
  }
  return b;
}

function toBig(ip: IpAddress): bigint {
  let n = 0n;
  const bytes = ip.family === 4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...ip.bytes] : [...ip.bytes];
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return n;
}

test('IPv4: accepts canonical dotted quads', () => {
  assert.deepEqual(parseIp('59.63.0.1'), { family: 4, bytes: Uint8Array.of(59, 63, 0, 1) });
  assert.deepEqual(parseIp('0.0.0.0')?.bytes, Uint8Array.of(0, 0, 0, 0));
  assert.deepEqual(parseIp('255.255.255.255')?.bytes, Uint8Array.of(255, 255, 255, 255));
});

test('IPv4: rejects leading zeros, out-of-range octets and garbage', () => {
  for (const bad of [
    '01.2.3.4', // inet_aton reads this as octal
    '1.2.3.04',
    '1.2.3.00',
    '256.1.1.1',
    '1.2.3.999',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.',
    '.1.2.3',
    '1..2.3',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.-4',
    '1.2.3.+4',
    '0x1.2.3.4',
    '1.2.3.4/32',
    '16909060', // the integer form inet_aton also accepts
    '１.2.3.4', // full-width digit
    '',
    'localhost',
  ]) {
    assert.equal(parseIp(bad), null, bad);
  }
});

test('IPv6: accepts full, compressed, mixed-case and dotted-tail forms', () => {
  const cases: Array<[string, string]> = [
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['2001:DB8::FF00:42:8329', '2001:db8::ff00:42:8329'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'], // RFC 5952 §4.2.2: one zero group is not compressed
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // §4.2.3: longest run
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'], // §4.2.3: first of equal runs
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'], // §5: mapped IPv4 keeps its dotted tail
    ['::FFFF:0102:0304', '::ffff:1.2.3.4'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['0:0:0:0:0:0:13.1.68.3', '::d01:4403'],
    ['fe80::1', 'fe80::1'],
  ];
  for (const [input, canonical] of cases) {
    const ip = parseIp(input);
    assert.ok(ip, input);
    assert.equal(ip.family, 6);
    assert.equal(formatIp(ip), canonical, input);
  }
});

test('IPv6: rejects zone ids, brackets, bad compression and garbage', () => {
  for (const bad of [
    'fe80::1%eth0', // RFC 6874 zone id: an interface name, not part of the address
    'fe80::1%25eth0',
    '[::1]',
    ':::',
    '1::2::3',
    ':1::2',
    '1::2:',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::', // nine groups with "::"
    '::1:2:3:4:5:6:7:8',
    '12345::',
    'g::1',
    '::ffff:1.2.3.256',
    '::ffff:01.2.3.4',
    '::1.2.3.4:5',
    '1.2.3.4::',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::/64',
    ' ::1',
    '::1 ',
  ]) {
    assert.equal(parseIp(bad), null, bad);
  }
});

test('never throws on arbitrary strings', () => {
  const r = mulberry32(7);
  const alphabet = '0123456789abcdefABCDEF:.%/[] xg-';
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const len = Math.floor(r() * 50);
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(r() * alphabet.length)];
    const ip = parseIp(s);
    if (ip) assert.equal(parseIp(formatIp(ip))?.bytes.join(), ip.bytes.join(), s);
  }
  assert.equal(parseIp(undefined as unknown as string), null);
});

test('property: random IPv4 round-trips through int, text and bytes', () => {
  const r = mulberry32(1);
  for (let i = 0; i < 5000; i++) {
    const n = Math.floor(r() * 2 ** 32);
    const text = intToIpv4(n);
    const ip = parseIp(text);
    assert.ok(ip, text);
    assert.equal(formatIp(ip), text);
    assert.equal(ipv4ToInt(text), n);
    assert.equal(ipv4ToInt(ip), n);
  }
  assert.equal(ipv4ToInt('::ffff:255.255.255.255'), 0xffffffff);
  assert.equal(ipv4ToInt('2001:db8::1'), null);
  assert.equal(ipv4ToInt('nonsense'), null);
  assert.throws(() => intToIpv4(2 ** 32), RangeError);
  assert.throws(() => intToIpv4(-1), RangeError);
});

test('property: random IPv6 round-trips and matches the system formatter (libuv inet_ntop)', () => {
  const r = mulberry32(2);
  for (let i = 0; i < 3000; i++) {
    const bytes = randomV6(r);
    const text = formatIp({ family: 6, bytes });
    const back = parseIp(text);
    assert.ok(back, text);
    assert.deepEqual(back.bytes, bytes, text);
    // libuv also writes the deprecated IPv4-compatible ::a.b.c.d (RFC 4291 §2.5.5.1) with a dotted tail; RFC 5952 §5 only requires it for mapped addresses.
    if (bytes.subarray(0, 12).every((b) => b === 0)) continue;
    assert.equal(text, new SocketAddress({ address: text, family: 'ipv6' }).address, text);
    // The uncompressed, zero-padded, upper-case spelling is the same address.
    const full = Array.from({ length: 8 }, (_, g) => ((bytes[2 * g] << 8) | bytes[2 * g + 1]).toString(16).padStart(4, '0'))
      .join(':')
      .toUpperCase();
    assert.equal(normalizeIp(full), text, full);
  }
});

test('property: ipKey order equals numeric order, IPv4 inside ::ffff:0:0/96', () => {
  const r = mulberry32(3);
  const ips: IpAddress[] = [];
  for (let i = 0; i < 400; i++) {
    if (r() < 0.5) ips.push(parseIp(intToIpv4(Math.floor(r() * 2 ** 32)))!);
    else ips.push({ family: 6, bytes: randomV6(r) });
  }
  for (let i = 0; i < 2000; i++) {
    const a = ips[Math.floor(r() * ips.length)];
    const b = ips[Math.floor(r() * ips.length)];
    const numeric = Math.sign(Number(toBig(a) - toBig(b)));
    const ka = ipKey(a);
    const kb = ipKey(b);
    assert.equal(ka.length, 32);
    assert.match(ka, /^[0-9a-f]{32}$/);
    assert.equal(ka < kb ? -1 : ka > kb ? 1 : 0, numeric);
    assert.equal(Math.sign(compareIp(a, b)), numeric);
  }
});

test('ipKey: IPv4 and its mapped form share a key; keys decode back', () => {
  assert.equal(ipKey('59.63.0.1'), '00000000000000000000ffff3b3f0001');
  assert.equal(ipKey('::ffff:59.63.0.1'), ipKey('59.63.0.1'));
  assert.equal(ipKey('2001:db8::1'), '20010db8000000000000000000000001');
  assert.equal(ipKey('01.2.3.4'), null);
  assert.equal(formatIp(ipFromKey('00000000000000000000ffff3b3f0001')!), '59.63.0.1');
  assert.equal(formatIp(ipFromKey('20010db8000000000000000000000001')!), '2001:db8::1');
  assert.equal(ipFromKey('20010DB8000000000000000000000001'), null);
  assert.equal(ipFromKey('abc'), null);
  assert.equal(formatIp(unmapIpv4(parseIp('::ffff:10.0.0.1')!)), '10.0.0.1');
  assert.equal(formatIp(unmapIpv4(parseIp('::10.0.0.1')!)), '::a00:1');
});
