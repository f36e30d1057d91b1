import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hex } from '../wire/index.ts';
import { concat, epb, idb, pb, pcapFile, shb, spb, block } from './fixtures.ts';
import { LINKTYPE, decodeCapture, detectFormat, newCapturePacket, readCaptureFile, type CapturePacket } from './index.ts';

interface Seen {
  index: number;
  linkType: number;
  interfaceId: number;
  tsSec: number;
  tsNsec: number;
  frame: string;
  origLen: number;
}

function collect(bytes: Uint8Array): { seen: Seen[]; result: ReturnType<typeof decodeCapture> } {
  const seen: Seen[] = [];
  const result = decodeCapture(bytes, (p: CapturePacket) =>
    seen.push({
      index: p.index,
      linkType: p.linkType,
      interfaceId: p.interfaceId,
      tsSec: p.tsSec,
      tsNsec: p.tsNsec,
      frame: Buffer.from(p.bytes.subarray(p.offset, p.offset + p.capLen)).toString('hex'),
      origLen: p.origLen,
    }),
  );
  return { seen, result };
}

test('pcap, big-endian, nanosecond magic (a1b23c4d), written out byte by byte', () => {
  const file = hex`
    a1b23c4d 0002 0004 00000000 00000000 0000ffff 00000071   # magic (ns, BE), v2.4, zone, sigfigs, snaplen, LINKTYPE_LINUX_SLL
    5f5e1000 3b9ac9ff 00000003 0000003c  aabbcc              # ts 1600000000.999999999, incl 3, orig 60
  `;
  const { seen, result } = collect(file);
  assert.equal(result.format, 'pcap');
  assert.equal(result.issue, null);
  assert.deepEqual(result.linkTypes, [LINKTYPE.LINUX_SLL]);
  assert.deepEqual(seen, [{ index: 1, linkType: 113, interfaceId: 0, tsSec: 1600000000, tsNsec: 999999999, frame: 'aabbcc', origLen: 60 }]);
});

test('pcap, little-endian microseconds: the fraction is scaled to nanoseconds', () => {
  const file = pcapFile({ linkType: 1 }, [
    { sec: 10, frac: 250000, frame: hex`01 02` },
    { sec: 11, frac: 1, frame: hex`03` },
  ]);
  const { seen, result } = collect(file);
  assert.equal(result.packets, 2);
  assert.deepEqual(
    seen.map((s) => [s.index, s.tsSec, s.tsNsec, s.frame]),
    [
      [1, 10, 250000000, '0102'],
      [2, 11, 1000, '03'],
    ],
  );
});

test('pcap: the link type field keeps only its low 16 bits (upper bits carry FCS length)', () => {
  const file = pcapFile({ linkType: 0x14000001 }, [{ sec: 0, frac: 0, frame: hex`00` }]);
  assert.deepEqual(collect(file).result.linkTypes, [1]);
});

test('pcapng: two interfaces with different link types and resolutions, EPB, SPB, PB, unknown block', () => {
  const file = concat([
    shb(),
    idb(LINKTYPE.ETHERNET), // default if_tsresol: microseconds
    idb(LINKTYPE.IPV4, { tsresol: 9 }), // nanoseconds
    block(0x0bad, hex`deadbeef`), // unknown block type: skipped
    epb(0, 1_700_000_000_123_456n, hex`aa`),
    epb(1, 1_700_000_000_987_654_321n, hex`bbcc`),
    spb(hex`dd`), // Simple Packet Block: interface 0, no timestamp
    pb(1, 2_000_000_001n, hex`ee`), // obsolete Packet Block on interface 1
  ]);
  const { seen, result } = collect(file);
  assert.equal(result.format, 'pcapng');
  assert.equal(result.issue, null);
  assert.deepEqual(result.linkTypes, [1, 228]);
  assert.deepEqual(
    seen.map((s) => [s.index, s.interfaceId, s.linkType, s.tsSec, s.tsNsec, s.frame]),
    [
      [1, 0, 1, 1700000000, 123456000, 'aa'],
      [2, 1, 228, 1700000000, 987654321, 'bbcc'],
      [3, 0, 1, 0, 0, 'dd'],
      [4, 1, 228, 2, 1, 'ee'],
    ],
  );
});

test('pcapng: big-endian section; a second section resets the interfaces', () => {
  const file = concat([
    shb(false),
    idb(LINKTYPE.LINUX_SLL2, { le: false, tsresol: 0x80 | 10 }), // 2^-10 s units
    epb(0, 3n * 1024n + 512n, hex`0102`, false),
    shb(true),
    idb(LINKTYPE.NULL),
    epb(0, 5_000_000n, hex`03`),
  ]);
  const { seen, result } = collect(file);
  assert.equal(result.issue, null);
  assert.deepEqual(
    seen.map((s) => [s.linkType, s.tsSec, s.tsNsec, s.frame]),
    [
      [276, 3, 500000000, '0102'],
      [0, 5, 0, '03'],
    ],
  );
});

test('pcapng: the captured length is bounded by the block; a bad length ends the file with an issue', () => {
  const good = concat([shb(), idb(1), epb(0, 0n, hex`01`)]);
  const lying = epb(0, 0n, hex`02`);
  new DataView(lying.buffer).setUint32(20, 5000, true); // captured length 5000 in a 36-byte block
  const r1 = collect(concat([good, lying]));
  assert.equal(r1.result.packets, 1);
  assert.equal(r1.result.issue?.code, 'truncated-record');

  const huge = concat([good, hex`06000000 ffffff7f 00000000`]); // block length 2 GiB
  const r2 = collect(huge);
  assert.equal(r2.result.packets, 1);
  assert.equal(r2.result.issue?.code, 'bad-block-length');
  assert.equal(r2.result.issue?.offset, good.length);
});

test('pcap: a record length over 256 KiB ends the file with an issue, not an allocation', () => {
  const file = concat([pcapFile({ linkType: 1 }, [{ sec: 0, frac: 0, frame: hex`01` }]), hex`00000000 00000000 00001000 00001000`]);
  new DataView(file.buffer).setUint32(24 + 17 + 8, 0x10000000, true);
  const { result } = collect(file);
  assert.equal(result.packets, 1);
  assert.equal(result.issue?.code, 'record-too-large');
});

test('a file ending inside a record reports truncated-record after the whole records', () => {
  const file = pcapFile({ linkType: 1 }, [
    { sec: 0, frac: 0, frame: hex`010203` },
    { sec: 0, frac: 0, frame: hex`040506` },
  ]);
  const { result } = collect(file.subarray(0, file.length - 1));
  assert.equal(result.packets, 1);
  assert.equal(result.issue?.code, 'truncated-record');
});

test('the format comes from the magic number; anything else is not a capture', () => {
  assert.equal(collect(hex`0a0d0d0a`).result.format, 'pcapng');
  assert.equal(collect(new TextEncoder().encode('GIF89a...')).result.issue?.code, 'not-a-capture');
  assert.equal(collect(new Uint8Array(0)).result.issue?.code, 'not-a-capture');
});

test('a file cut into two windows at any byte gives the packets it gives in one piece', () => {
  // The reader hands the parser whatever its buffer holds: records (and the 12 bytes every pcapng
  // block starts with) end up split at every possible point, in both byte orders.
  const files = [
    concat([
      shb(),
      idb(LINKTYPE.ETHERNET),
      idb(LINKTYPE.RAW, { tsresol: 9 }),
      epb(0, 1_700_000_000_123_456n, hex`aabbcc`),
      epb(1, 1_700_000_000_987_654_321n, hex`dd`),
      spb(hex`ee`),
      pb(0, 2_000_001n, hex`ff00`),
      epb(0, 0xffffffffn, hex`01`), // low timestamp word with the top bit set
      shb(false),
      idb(LINKTYPE.NULL, { le: false }),
      epb(0, 5_000_000n, hex`0203`, false),
    ]),
    pcapFile({ linkType: 1 }, [
      { sec: 1, frac: 2, frame: hex`010203` },
      { sec: 3, frac: 4, frame: hex`04` },
    ]),
    pcapFile({ linkType: 101, le: false, nano: true }, [{ sec: 5, frac: 6, frame: hex`0506` }]),
  ];
  const fifth = collect(files[0]).seen[4];
  assert.deepEqual([fifth.tsSec, fifth.tsNsec], [4294, 967295000]);
  for (const file of files) {
    const whole = collect(file).seen.map((s) => JSON.stringify(s));
    for (let cut = 0; cut <= file.length; cut++) {
      const parser = detectFormat(file)!;
      const packet = newCapturePacket();
      const seen: string[] = [];
      const sink = (p: CapturePacket): void => {
        seen.push(JSON.stringify({ index: p.index, linkType: p.linkType, interfaceId: p.interfaceId, tsSec: p.tsSec, tsNsec: p.tsNsec, frame: Buffer.from(p.bytes.subarray(p.offset, p.offset + p.capLen)).toString('hex'), origLen: p.origLen }));
      };
      const stop = parser.parse(file, 0, cut, 0, packet, sink);
      assert.ok(stop === cut || parser.need > cut - stop, `cut ${cut}: the parser asks for more than the window holds`);
      assert.equal(parser.parse(file, stop, file.length, stop, packet, sink), file.length);
      assert.equal(parser.issue, null);
      assert.deepEqual(seen, whole, `cut at ${cut}`);
    }
  }
});

test('random and mutated bytes never throw', () => {
  let seed = 42;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  const base = [
    pcapFile({ linkType: 1 }, [{ sec: 1, frac: 2, frame: hex`0102030405` }]),
    concat([shb(), idb(1, { tsresol: 9 }), epb(0, 12345n, hex`0102030405`), spb(hex`06`)]),
  ];
  for (let i = 0; i < 3000; i++) {
    let bytes: Uint8Array;
    if (i % 3 === 0) {
      bytes = new Uint8Array(rnd() % 300);
      for (let j = 0; j < bytes.length; j++) bytes[j] = rnd() & 255;
    } else {
      bytes = base[i % 2].slice(0, rnd() % (base[i % 2].length + 1));
      for (let k = 0; k < 3 && bytes.length; k++) bytes[rnd() % bytes.length] = rnd() & 255;
    }
    decodeCapture(bytes, () => {});
  }
});

test('readCaptureFile streams a file larger than its buffer with records across chunk boundaries', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-capture-'));
  try {
    // 2.5 MiB of 1499-byte frames: records straddle every 1 MiB chunk boundary.
    const frame = new Uint8Array(1499);
    const records = Array.from({ length: 1750 }, (_, i) => {
      const f = frame.slice();
      f[0] = i & 255;
      f[1498] = (i >> 8) & 255;
      return { sec: i, frac: 0, frame: f };
    });
    const path = join(dir, 'big.cap');
    writeFileSync(path, pcapFile({ linkType: 1 }, records));
    let n = 0;
    let ok = true;
    const result = await readCaptureFile(path, (p) => {
      ok &&= p.capLen === 1499 && p.bytes[p.offset] === (n & 255) && p.bytes[p.offset + 1498] === ((n >> 8) & 255) && p.tsSec === n;
      n++;
    });
    assert.equal(result.issue, null);
    assert.equal(result.packets, 1750);
    assert.ok(ok, 'every record arrived whole and in order');

    // A pcapng block bigger than the 1 MiB buffer (a 1.5 MiB unknown block) is skipped.
    const big = concat([shb(), idb(1), block(0x0bad, new Uint8Array(1536 * 1024)), epb(0, 0n, hex`07`)]);
    writeFileSync(path, big);
    const frames: number[] = [];
    const r2 = await readCaptureFile(path, (p) => frames.push(p.bytes[p.offset]));
    assert.equal(r2.issue, null);
    assert.deepEqual(frames, [7]);

    await assert.rejects(readCaptureFile(join(dir, 'missing.pcap'), () => {}), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the corpus files named .pcapng that are pcap, and .pcap that are pcapng, are read by magic', async () => {
  const a = await readCaptureFile('reference/corpus/pcap/s7comm/step7_s300_AuthPassword.pcapng', () => {});
  assert.equal(a.format, 'pcap');
  assert.equal(a.packets, 6);
  const b = await readCaptureFile('reference/corpus/pcap/opcua/open62541_client-server_mainloop.pcap', () => {});
  assert.equal(b.format, 'pcapng');
  assert.equal(b.packets, 149);
  assert.deepEqual(b.linkTypes, [LINKTYPE.NULL]);
});
