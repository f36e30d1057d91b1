import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hex } from '../wire/index.ts';
import { TCP, concat, ethernet, ipv4, ipv6, tcp, udp } from './fixtures.ts';
import { L3, LINKTYPE, PacketDecoder, dstString, newCapturePacket, srcString, type CapturePacket } from './index.ts';

function packet(linkType: number, frame: Uint8Array, tsSec = 0): CapturePacket {
  const p = newCapturePacket();
  p.linkType = linkType;
  p.bytes = frame;
  p.offset = 0;
  p.capLen = frame.length;
  p.origLen = frame.length;
  p.tsSec = tsSec;
  return p;
}

function decoded(d: PacketDecoder) {
  const f = d.frame;
  return {
    src: srcString(f),
    dst: dstString(f),
    proto: f.ipProto,
    sport: f.sport,
    dport: f.dport,
    payload: Buffer.from(f.data.subarray(f.payloadOffset, f.payloadEnd)).toString('hex'),
  };
}

const MODBUS = hex`0001 0000 0006 01 03 0000 0001`;
const V4_TCP = ipv4('10.0.0.1', '10.0.0.2', 6, tcp(40000, 502, 1, 1, TCP.ACK | TCP.PSH, MODBUS));
const EXPECT_V4 = { src: '10.0.0.1', dst: '10.0.0.2', proto: 6, sport: 40000, dport: 502, payload: '000100000006010300000001' };

test('Ethernet II → IPv4 → TCP; Ethernet padding after the IP datagram is not payload', () => {
  const d = new PacketDecoder();
  assert.ok(d.decode(packet(LINKTYPE.ETHERNET, concat([ethernet(0x0800, V4_TCP), new Uint8Array(6)]))));
  assert.deepEqual(decoded(d), EXPECT_V4);
});

test('802.1Q, QinQ (88a8 + 8100) and the old 9100 tag are skipped; the outer VLAN id is kept', () => {
  for (const tags of [
    [{ tpid: 0x8100, vid: 10 }],
    [
      { tpid: 0x88a8, vid: 100 },
      { tpid: 0x8100, vid: 10 },
    ],
    [
      { tpid: 0x9100, vid: 7 },
      { tpid: 0x8100, vid: 10 },
    ],
  ]) {
    const d = new PacketDecoder();
    assert.ok(d.decode(packet(LINKTYPE.ETHERNET, ethernet(0x0800, V4_TCP, tags))));
    assert.deepEqual(decoded(d), EXPECT_V4);
    assert.equal(d.frame.vlan, tags[0].vid);
    // The next, untagged frame (the decoder's shortcut for plain Ethernet + IPv4) has no VLAN.
    assert.ok(d.decode(packet(LINKTYPE.ETHERNET, ethernet(0x0800, V4_TCP))));
    assert.deepEqual(decoded(d), EXPECT_V4);
    assert.equal(d.frame.vlan, -1);
    assert.equal(d.frame.l3, L3.IPV4);
  }
});

test('802.3 length + 802.2 LLC: BACnet (DSAP 0x82) payload is exposed; SNAP carries an ethertype', () => {
  // ASHRAE 135 §7: BACnet over ISO 8802-2 LLC has DSAP = SSAP = 0x82 and control 0x03 (UI).
  const npdu = hex`01 20 ffff 00 ff 10 08`;
  const frame = concat([hex`ffffffffffff 001122334455`, hex`000b`, hex`82 82 03`, npdu, new Uint8Array(35)]);
  const d = new PacketDecoder();
  assert.ok(d.decode(packet(LINKTYPE.ETHERNET, frame)));
  assert.equal(d.frame.l3, L3.LLC);
  assert.equal(d.frame.dsap, 0x82);
  assert.equal(Buffer.from(d.frame.data.subarray(d.frame.payloadOffset, d.frame.payloadEnd)).toString('hex'), '0120ffff00ff1008');

  const snap = concat([hex`ffffffffffff 001122334455`, hex`0036`, hex`aa aa 03 000000 0800`, V4_TCP]);
  assert.ok(d.decode(packet(LINKTYPE.ETHERNET, snap)));
  assert.deepEqual(decoded(d), EXPECT_V4);
});

test('BACnet MS/TP in Cimetrics SNAP (OUI 00-10-90, PID 1): the MS/TP data is exposed with its frame type', () => {
  // Frame 2 of reference/corpus/pcap/bacnet/BACnet-MSTP-SNAP-Mixed.cap (ControlThings-io/ct-samples).
  const real = hex`
    00000000 00ff 00000000 0001 0032    # 802.3 header: dst, src, length 0x32
    aa aa 03 001090 0001                 # LLC UI + SNAP: Cimetrics OUI, PID 1
    0000 80                              # Cimetrics timer and value
    06 ff 01 0011 73                     # MS/TP: Data Not Expecting Reply, dst 255, src 1, length 17, header CRC
    0128ffff00659306c0a80067bac0fe1008   # NPDU + APDU (unconfirmed Who-Is)
    114c                                 # data CRC
  `;
  const d = new PacketDecoder();
  assert.ok(d.decode(packet(LINKTYPE.ETHERNET, real)));
  assert.equal(d.frame.l3, L3.MSTP);
  assert.equal(d.frame.mstpFrameType, 6);
  assert.equal(Buffer.from(d.frame.data.subarray(d.frame.payloadOffset, d.frame.payloadEnd)).toString('hex'), '0128ffff00659306c0a80067bac0fe1008');
});

test('Linux cooked SLL (16-byte header, protocol last) and SLL2 (20 bytes, protocol first)', () => {
  const sll = concat([hex`0000 0001 0006 001122334455 0000 0800`, V4_TCP]);
  const sll2 = concat([hex`0800 0000 00000002 0001 00 06 001122334455 0000`, V4_TCP]);
  const d = new PacketDecoder();
  assert.ok(d.decode(packet(LINKTYPE.LINUX_SLL, sll)));
  assert.deepEqual(decoded(d), EXPECT_V4);
  assert.ok(d.decode(packet(LINKTYPE.LINUX_SLL2, sll2)));
  assert.deepEqual(decoded(d), EXPECT_V4);
});

const LOOP6 = hex`00000000000000000000000000000001`;
const V6_TCP = ipv6(LOOP6, LOOP6, 6, tcp(56321, 4840, 1, 1, TCP.ACK, hex`48454c46`));

test('BSD loopback: DLT_NULL in either byte order, DLT_LOOP; AF_INET6 as 24, 28 or 30', () => {
  const d = new PacketDecoder();
  assert.ok(d.decode(packet(LINKTYPE.NULL, concat([hex`02000000`, V4_TCP]))));
  assert.deepEqual(decoded(d), EXPECT_V4);
  assert.ok(d.decode(packet(LINKTYPE.NULL, concat([hex`00000002`, V4_TCP]))));
  assert.deepEqual(decoded(d), EXPECT_V4);
  for (const family of [hex`1e000000`, hex`0000001c`, hex`18000000`]) {
    assert.ok(d.decode(packet(LINKTYPE.LOOP, concat([family, V6_TCP]))));
    assert.deepEqual(decoded(d), { src: '::1', dst: '::1', proto: 6, sport: 56321, dport: 4840, payload: '48454c46' });
  }
});

test('raw IP: LINKTYPE_RAW by version nibble, LINKTYPE_IPV4/IPV6, and the BSD raw values 12/14', () => {
  const d = new PacketDecoder();
  for (const lt of [LINKTYPE.RAW, LINKTYPE.IPV4, LINKTYPE.RAW_OPENBSD, LINKTYPE.RAW_BSDOS]) {
    assert.ok(d.decode(packet(lt, V4_TCP)), `link type ${lt}`);
    assert.deepEqual(decoded(d), EXPECT_V4);
  }
  for (const lt of [LINKTYPE.RAW, LINKTYPE.IPV6]) {
    assert.ok(d.decode(packet(lt, V6_TCP)));
    assert.equal(decoded(d).dport, 4840);
  }
});

test('IPv4 options are skipped; bad headers are reported, not thrown', () => {
  const withOptions = concat([hex`46 00 0030 0001 0000 40 06 0000 0a000001 0a000002 01010100`, tcp(40000, 502, 1, 1, TCP.ACK, MODBUS)]);
  withOptions[3] = withOptions.length;
  const d = new PacketDecoder();
  assert.ok(d.decode(packet(LINKTYPE.RAW, withOptions)));
  assert.deepEqual(decoded(d), EXPECT_V4);
  assert.equal(d.decode(packet(LINKTYPE.RAW, hex`43 00 0014 0000 0000 40 06 0000 0a000001 0a000002`)), false);
  assert.equal(d.frame.error, 'bad-ipv4-header');
  assert.equal(d.decode(packet(LINKTYPE.RAW, hex`45 00 0028 0000 0000 40 06 0000 0a000001 0a000002 9c40`)), false);
  assert.equal(d.frame.error, 'truncated-tcp');
});

test('IPv4 fragments arriving out of order are reassembled into one UDP datagram', () => {
  const payload = udp(47808, 47808, hex`810a0011 01 20 ffff 00 ff 10 08 000102030405`);
  const first = payload.subarray(0, 16);
  const second = payload.subarray(16);
  const d = new PacketDecoder();
  assert.equal(d.decode(packet(LINKTYPE.RAW, ipv4('10.0.0.1', '10.0.0.255', 17, second, { id: 7, offset: 16 }), 100)), false);
  assert.equal(d.fragments.size, 1);
  assert.ok(d.decode(packet(LINKTYPE.RAW, ipv4('10.0.0.1', '10.0.0.255', 17, first, { id: 7, more: true }), 100)));
  assert.equal(d.frame.reassembled, true);
  assert.deepEqual(decoded(d), { src: '10.0.0.1', dst: '10.0.0.255', proto: 17, sport: 47808, dport: 47808, payload: '810a00110120ffff00ff1008000102030405' });
  assert.equal(d.fragments.size, 0);
});

test('IPv4 fragments that never complete expire after 30 s of capture time', () => {
  const d = new PacketDecoder();
  d.decode(packet(LINKTYPE.RAW, ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(16), { id: 1, more: true }), 100));
  assert.equal(d.fragments.size, 1);
  d.decode(packet(LINKTYPE.RAW, ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(16), { id: 2, more: true }), 200));
  assert.equal(d.fragments.size, 1, 'the first expired when the second arrived');
});

test('IPv6 hop-by-hop, routing and destination options headers are skipped', () => {
  const hopByHop = hex`2b 00 0104 00000000`; // next: routing; 8 bytes
  const routing = hex`3c 00 00 00 00000000`; // next: destination options; type 0, 0 segments left
  const destOpts = hex`06 00 0104 00000000`; // next: TCP
  const d = new PacketDecoder();
  const pkt = ipv6(LOOP6, LOOP6, 0, concat([hopByHop, routing, destOpts, tcp(56321, 4840, 1, 1, TCP.ACK, hex`48454c46`)]));
  assert.ok(d.decode(packet(LINKTYPE.IPV6, pkt)));
  assert.deepEqual(decoded(d), { src: '::1', dst: '::1', proto: 6, sport: 56321, dport: 4840, payload: '48454c46' });
});

test('IPv6 fragment headers: the datagram is reassembled', () => {
  const whole = udp(20000, 20000, hex`0564 0a44 0100 0300 0000 c0c1 01 3c02 06 0000`);
  const a = whole.subarray(0, 8);
  const b = whole.subarray(8);
  const src = hex`20010db8000000000000000000000001`;
  const dst = hex`20010db8000000000000000000000002`;
  const frag = (offset: number, more: boolean) => hex`11 00 ${(offset | (more ? 1 : 0)).toString(16).padStart(4, '0')} 0000abcd`;
  const d = new PacketDecoder();
  assert.equal(d.decode(packet(LINKTYPE.IPV6, ipv6(src, dst, 44, concat([frag(0, true), a])))), false);
  assert.ok(d.decode(packet(LINKTYPE.IPV6, ipv6(src, dst, 44, concat([frag(8, false), b])))));
  assert.deepEqual(decoded(d), { src: '2001:db8::1', dst: '2001:db8::2', proto: 17, sport: 20000, dport: 20000, payload: '05640a44010003000000c0c1013c02060000' });
});

test('tunnels: IP-in-IP, GRE with a key, MPLS labels, PPPoE and VXLAN report the innermost flow', () => {
  const d = new PacketDecoder();
  const outer = (proto: number, inner: Uint8Array) => ipv4('172.16.0.1', '172.16.0.2', proto, inner);
  assert.ok(d.decode(packet(LINKTYPE.RAW, outer(4, V4_TCP))));
  assert.deepEqual(decoded(d), EXPECT_V4);
  // GRE (RFC 2890): key present (flag 0x20), protocol type 0x0800, key 0x00000001.
  assert.ok(d.decode(packet(LINKTYPE.RAW, outer(47, concat([hex`2000 0800 00000001`, V4_TCP])))));
  assert.deepEqual(decoded(d), EXPECT_V4);
  // GRE transparent Ethernet bridging (0x6558) carrying an Ethernet frame.
  assert.ok(d.decode(packet(LINKTYPE.RAW, outer(47, concat([hex`0000 6558`, ethernet(0x0800, V4_TCP)])))));
  assert.deepEqual(decoded(d), EXPECT_V4);
  // IPv6 in IPv4 (RFC 4213).
  assert.ok(d.decode(packet(LINKTYPE.RAW, outer(41, V6_TCP))));
  assert.equal(decoded(d).dst, '::1');
  // MPLS (RFC 3032): label 16 (TTL 64), then label 17 with bottom-of-stack set.
  assert.ok(d.decode(packet(LINKTYPE.ETHERNET, ethernet(0x8847, concat([hex`00010040 00011140`, V4_TCP])))));
  assert.deepEqual(decoded(d), EXPECT_V4);
  // PPPoE session (RFC 2516): ver/type 11, code 00, session 0x0001, length, PPP protocol 0x0021.
  assert.ok(d.decode(packet(LINKTYPE.ETHERNET, ethernet(0x8864, concat([hex`11 00 0001`, new Uint8Array([0, V4_TCP.length + 2]), hex`0021`, V4_TCP])))));
  assert.deepEqual(decoded(d), EXPECT_V4);
  // VXLAN (RFC 7348): UDP 4789, flags 08, VNI 100, then an Ethernet frame.
  const vxlan = udp(51000, 4789, concat([hex`08000000 00006400`, ethernet(0x0800, V4_TCP)]));
  assert.ok(d.decode(packet(LINKTYPE.RAW, outer(17, vxlan))));
  assert.deepEqual(decoded(d), EXPECT_V4);
  // A tunnel nested past the depth bound is refused, not followed.
  let nested = V4_TCP;
  for (let i = 0; i < 6; i++) nested = outer(4, nested);
  assert.equal(d.decode(packet(LINKTYPE.RAW, nested)), false);
  assert.equal(d.frame.error, 'tunnel-too-deep');
});

test('the decoder never throws on random frames of any link type', () => {
  let seed = 7;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  const d = new PacketDecoder();
  const types = Object.values(LINKTYPE);
  for (let i = 0; i < 5000; i++) {
    const base = [V4_TCP, V6_TCP, ethernet(0x0800, V4_TCP)][i % 3];
    const f = base.slice(0, rnd() % (base.length + 1));
    for (let k = 0; k < 4 && f.length; k++) f[rnd() % f.length] = rnd() & 255;
    d.decode(packet(types[i % types.length], f, i));
  }
});
