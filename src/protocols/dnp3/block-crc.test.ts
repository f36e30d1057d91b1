// Block CRCs of a frame with several user data blocks (IEEE 1815-2012 §9.2.4.2), checked by parse
// and by the summary tally, which share one walk of the blocks (copyUserData in link.ts). The
// fixtures' corrupted frame has a single block, so a walk that checked only the last block, or
// stopped copying at a bad one, passed every other test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TALLY_PARSE, type Tally } from '../protocol.ts';
import { dnp3, type Dnp3Message } from './index.ts';
import { fixtures } from './fixtures.ts';
import { dnp3Tally } from './tally.ts';

const NAME = 'OPEN_FILE (g70v3, size-prefixed, several CRC blocks)';

/** The fixture's frame: LEN 50, so 45 octets of user data in blocks of 16, 16 and 13. */
function frame(): Uint8Array {
  const f = fixtures.find((x) => x.name === NAME);
  assert.ok(f, NAME);
  return f.bytes.slice();
}

/** Offset of each block's CRC (low octet), and of its first data octet. */
const BLOCKS = [
  { data: 10, crc: 26 },
  { data: 28, crc: 44 },
  { data: 46, crc: 59 },
];

function parse(bytes: Uint8Array): Dnp3Message {
  const r = dnp3.parse(bytes, 'to-server', {});
  assert.equal(r.kind, 'done');
  return (r as { message: Dnp3Message }).message;
}

function tally(bytes: Uint8Array): { n: number; adds: number; own: boolean; flawed: boolean } {
  // At an offset in a larger buffer, as the summary calls it.
  const b = new Uint8Array(bytes.length + 7).fill(0xa5);
  b.set(bytes, 4);
  let adds = 0;
  const into: Tally = { own: false, flawed: false, add: () => void adds++, addText: () => void adds++ };
  const n = dnp3Tally.count(b, 4, 4 + bytes.length, 'to-server', into, {});
  return { n, adds, own: into.own, flawed: into.flawed };
}

describe('dnp3 block CRCs over several blocks', () => {
  const clean = frame();

  it('the intact frame has no anomaly and the tally counts it', () => {
    assert.equal(clean.length, 61);
    assert.deepEqual(parse(clean).anomalies, []);
    const t = tally(clean);
    assert.equal(t.n, clean.length);
    assert.ok(t.adds > 0 && t.own && !t.flawed);
  });

  for (const [k, { crc }] of BLOCKS.entries()) {
    it(`a bad CRC on block ${k + 1} of 3: crc-mismatch, all user data still copied, tally hands it to parse`, () => {
      const bytes = frame();
      bytes[crc] ^= 0x01;
      const m = parse(bytes);
      assert.deepEqual(m.anomalies, ['crc-mismatch']);
      assert.deepEqual(m.userData, parse(clean).userData);
      assert.deepEqual(tally(bytes), { n: TALLY_PARSE, adds: 0, own: false, flawed: false });
    });
  }

  for (const [k, { data }] of BLOCKS.entries()) {
    it(`a changed data octet in block ${k + 1} of 3 is caught by its CRC and copied as it is`, () => {
      const bytes = frame();
      bytes[data + 1] ^= 0x80;
      const m = parse(bytes);
      assert.ok(m.anomalies.includes('crc-mismatch'), m.anomalies.join(','));
      const expected = parse(clean).userData!.slice();
      expected[data + 1 - 10 - 2 * k] ^= 0x80;
      assert.deepEqual(m.userData, expected);
      assert.equal(tally(bytes).n, TALLY_PARSE);
    });
  }

  it('a bad header CRC and a bad block CRC give one crc-mismatch', () => {
    const bytes = frame();
    bytes[8] ^= 0x01;
    bytes[BLOCKS[1].crc] ^= 0x01;
    assert.deepEqual(parse(bytes).anomalies, ['crc-mismatch']);
    assert.equal(tally(bytes).n, TALLY_PARSE);
  });
});
