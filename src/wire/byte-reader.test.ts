import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader } from './byte-reader.ts';
import { hex } from './hex.ts';

describe('ByteReader', () => {
  it('reads integers in both byte orders as DataView does', () => {
    const bytes = hex`ff fe 80 01 7f 00 00 80 12 34 56 78 9a bc de f0`;
    const view = new DataView(bytes.buffer);
    for (let at = 0; at + 8 <= bytes.length; at++) {
      const r = (): ByteReader => new ByteReader(bytes, at);
      assert.equal(r().u16be(), view.getUint16(at, false));
      assert.equal(r().u16le(), view.getUint16(at, true));
      assert.equal(r().u32be(), view.getUint32(at, false));
      assert.equal(r().u32le(), view.getUint32(at, true));
      assert.equal(r().i32le(), view.getInt32(at, true));
      assert.equal(r().u64le(), view.getBigUint64(at, true));
      assert.equal(r().f32be(), view.getFloat32(at, false));
      assert.equal(Object.is(r().f64le(), view.getFloat64(at, true)) || Number.isNaN(view.getFloat64(at, true)), true);
      assert.equal(r().u24be(), (bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2]);
    }
  });

  it('honours a subarray view and its bounds', () => {
    const whole = hex`00 11 22 33 44 55`;
    const r = new ByteReader(whole.subarray(2, 5));
    assert.equal(r.u16be(), 0x2233);
    assert.equal(r.u16le(), 0);
    assert.equal(r.overrun, true);
    const clamped = new ByteReader(whole, 4, 99);
    assert.equal(clamped.remaining, 2);
    assert.equal(clamped.u16le(), 0x5544);
    assert.equal(new ByteReader(whole, -3, 1).remaining, 1);
    assert.equal(new ByteReader(whole, 9).remaining, 0);
  });

  it('reads past the end as 0 with a sticky overrun, and floats at an offset', () => {
    const r = new ByteReader(hex`3f 80 00 00 01`, 0);
    assert.equal(r.f32be(), 1);
    assert.equal(r.u32le(), 0);
    assert.equal(r.overrun, true);
    assert.equal(r.u8(), 1);
  });
});
