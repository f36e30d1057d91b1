// Issue 3: pcap "micro- and nanosecond, both byte orders". reader.test.ts writes a big-endian
// nanosecond file and a little-endian microsecond one; this covers all four pairings, so a reader
// that tied the resolution to one byte order (or the order to one magic) fails here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hex } from '../wire/index.ts';
import { pcapFile } from './fixtures.ts';
import { decodeCapture, type CapturePacket } from './index.ts';

for (const le of [true, false]) {
  for (const nano of [true, false]) {
    test(`pcap, ${le ? 'little' : 'big'}-endian, ${nano ? 'nano' : 'micro'}second timestamps`, () => {
      const frac = nano ? 999_999_999 : 999_999;
      const file = pcapFile({ le, nano, linkType: 1 }, [
        { sec: 1_600_000_000, frac, frame: hex`0a0b0c`, origLen: 60 },
        { sec: 1_600_000_001, frac: 1, frame: hex`0d` },
      ]);
      const seen: [number, number, number, string, number][] = [];
      const result = decodeCapture(file, (p: CapturePacket) =>
        seen.push([p.linkType, p.tsSec, p.tsNsec, Buffer.from(p.bytes.subarray(p.offset, p.offset + p.capLen)).toString('hex'), p.origLen]),
      );
      assert.equal(result.format, 'pcap');
      assert.equal(result.issue, null);
      assert.deepEqual(result.linkTypes, [1]);
      assert.deepEqual(seen, [
        [1, 1_600_000_000, nano ? 999_999_999 : 999_999_000, '0a0b0c', 60],
        [1, 1_600_000_001, nano ? 1 : 1000, '0d', 1],
      ]);
    });
  }
}
