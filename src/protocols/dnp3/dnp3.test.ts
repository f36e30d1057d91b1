import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hex } from '../../wire/index.ts';
import type { FlowState } from '../protocol.ts';
import { crc16dnp, deviceAttributesResponse, dnp3, linkStatus, readDeviceAttributes, requestLinkStatus, type Dnp3Message } from './index.ts';
import { fixtures } from './fixtures.ts';

function parse(bytes: Uint8Array, state: FlowState = {}): Dnp3Message {
  const r = dnp3.parse(bytes, 'to-client', state);
  assert.equal(r.kind, 'done');
  return (r as { message: Dnp3Message }).message;
}

function byName(name: string): Uint8Array {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, name);
  return f.bytes;
}

/** Splits an application fragment into link frames the way an outstation does (§8.2). */
function segments(fragment: Uint8Array, firstSeq: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, seq = firstSeq; at < fragment.length; at += 249, seq++) {
    const part = fragment.subarray(at, at + 249);
    const th = (at === 0 ? 0x40 : 0) | (at + 249 >= fragment.length ? 0x80 : 0) | (seq & 0x3f);
    const userData = new Uint8Array(1 + part.length);
    userData[0] = th;
    userData.set(part, 1);
    out.push(dnp3.encode({
      anomalies: [],
      link: {
        length: 0, destination: 1, source: 100,
        control: { direction: false, primary: true, frameCountBit: false, frameCountValidOrDataFlowControl: false, function: 4, functionName: '' },
      },
      userData,
    }));
  }
  return out;
}

function crcHex(bytes: Uint8Array): string {
  const c = crc16dnp(bytes);
  return [c & 0xff, c >>> 8].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('dnp3', () => {
  it('computes CRC-16/DNP as the devices do', () => {
    // dnp3_link_only.pcap frame 1: header 0564 05 49 6400 0100 carries CRC 7e5f (little-endian)
    assert.equal(crc16dnp(hex`0564 05 49 6400 0100`), 0x5f7e);
  });

  it('walks object headers with prefixes and counts', () => {
    const m = parse(byName('UNSOLICITED_RESPONSE with CTO and indexed events (qualifier 0x28)'));
    assert.deepEqual(m.anomalies, []);
    const [cto, events] = m.application!.objects;
    assert.deepEqual([cto.group, cto.variation, cto.count], [51, 1, 1]);
    assert.deepEqual([events.group, events.variation, events.prefixCode, events.rangeCode, events.count], [2, 3, 2, 8, 5]);
    assert.deepEqual(m.application!.iinFlags, []);
  });

  it('names IIN flags of a response', () => {
    const m = parse(byName('UNSOLICITED_RESPONSE, null, IIN need-time'));
    assert.deepEqual(m.application!.iinFlags, ['NEED_TIME']);
    assert.equal(m.application!.functionName, 'UNSOLICITED_RESPONSE');
  });

  it('reassembles a fragment across link frames and reports it once, on the FIN frame', () => {
    // RESPONSE, IIN 0, g30v2 (16-bit analog with flag) qualifier 0x01 start 0 stop 199
    const body = new Uint8Array(200 * 3);
    for (let i = 0; i < 200; i++) body.set([0x01, i, 0], i * 3);
    const fragment = new Uint8Array([0xc3, 0x81, 0x00, 0x00, 0x1e, 0x02, 0x01, 0x00, 0x00, 0xc7, 0x00, ...body]);
    const frames = segments(fragment, 62);
    assert.equal(frames.length, 3);
    const state: FlowState = {};
    const ms = frames.map((f) => parse(f, state));
    assert.deepEqual(ms.map((m) => m.application?.function), [undefined, undefined, 129]);
    assert.deepEqual(ms.map((m) => m.transport?.sequence), [62, 63, 0]);
    const app = ms[2].application!;
    assert.deepEqual(app.objects, [{ group: 30, variation: 2, qualifier: 1, prefixCode: 0, rangeCode: 1, start: 0, stop: 199, count: 200 }]);
    assert.deepEqual(ms.flatMap((m) => m.anomalies), []);
    assert.equal(dnp3.fields(ms[2])['dnp3.al.func'], 129);
    assert.equal(dnp3.fields(ms[0])['dnp3.al.func'], undefined);
  });

  it('counts 32-bit ranges and counts exactly, up to the top of the index space, and refuses more than the item limit', () => {
    // RESPONSE, IIN 0: g30v2 (16-bit analog with flag, 3 octets) qualifier 0x02 (4-octet start and
    // stop) 0xfffffffe..0xffffffff, two objects; g30v2 qualifier 0x09 (4-octet count) 1; g1v2 qualifier 0x00 0..0
    const [ok] = segments(hex`c3 81 0000 1e 02 02 feffffff ffffffff 01 3412 01 7856 1e 02 09 01000000 01 0100 01 02 00 00 00 01`, 0);
    const m = parse(ok);
    assert.deepEqual(m.anomalies, []);
    assert.deepEqual(m.application!.objects.map((o) => [o.rangeCode, o.start, o.stop, o.count]), [[2, 0xfffffffe, 0xffffffff, 2], [9, undefined, undefined, 1], [0, 0, 0, 1]]);
    // 0..0xffffffff is 2^32 objects and a 4-octet count of 0xffffffff one fewer: both past LIMITS.maxItems, reported as counted
    for (const [header, count] of [[hex`1e 02 02 00000000 ffffffff`, 2 ** 32], [hex`1e 02 09 ffffffff`, 2 ** 32 - 1]] as const) {
      const [frame] = segments(new Uint8Array([0xc3, 0x81, 0, 0, ...header, 0x01, 0x34, 0x12]), 0);
      const big = parse(frame);
      assert.deepEqual(big.anomalies, ['object-count-too-large']);
      assert.equal(big.application!.objects[0].count, count);
    }
  });

  it('drops a fragment whose transport sequence skips', () => {
    const fragment = new Uint8Array([0xc3, 0x81, 0, 0, ...new Uint8Array(500)]);
    const [a, , c] = segments(fragment, 5);
    const state: FlowState = {};
    parse(a, state);
    const last = parse(c, state);
    assert.deepEqual(last.anomalies, ['transport-sequence-gap']);
    assert.equal(last.application, undefined);
  });

  it('stops walking at an object of unknown size and says so', () => {
    const m = parse(dnp3.encode({
      anomalies: [],
      link: { length: 0, destination: 1, source: 100, control: { direction: false, primary: true, frameCountBit: false, frameCountValidOrDataFlowControl: false, function: 4, functionName: '' } },
      userData: hex`c0 c1 81 0000 c8 01 00 00 00 ff ff 1e 02 06`,
    }));
    assert.deepEqual(m.anomalies, ['unknown-object-size']);
    assert.equal(m.application!.objects.length, 1);
  });

  it('identifies a device from group 0 attributes', () => {
    // RESPONSE: g0v252 manufacturer "ACME" (VSTR), g0v250 product "RTU-9", g0v242 software "2.1"
    // each: group 0, variation v, qualifier 0x00 (8-bit start/stop v..v), data type 1 (VSTR), length, text
    const objects = hex`00 fc 00 fc fc 01 04 41434d45  00 fa 00 fa fa 01 05 5254552d39  00 f2 00 f2 f2 01 03 322e31`;
    const m = parse(dnp3.encode({
      anomalies: [],
      link: { length: 0, destination: 1, source: 100, control: { direction: false, primary: true, frameCountBit: false, frameCountValidOrDataFlowControl: false, function: 4, functionName: '' } },
      userData: new Uint8Array([0xc0, 0xc1, 0x81, 0x00, 0x00, ...objects]),
    }));
    assert.deepEqual(m.anomalies, []);
    const id = dnp3.identify([m]);
    assert.equal(id?.vendor, 'ACME');
    assert.equal(id?.product, 'RTU-9');
    assert.equal(id?.firmware, '2.1');
  });

  it('frames several link frames in one segment and asks for the rest of a split one', () => {
    const a = byName('CONFIRM');
    const b = byName('READ class 0 (g60v1, all objects)');
    const seg = new Uint8Array([...a, ...b.subarray(0, 12)]);
    const r1 = dnp3.parse(seg, 'to-server', {});
    assert.equal(r1.kind === 'done' && r1.consumed, a.length);
    const r2 = dnp3.parse(seg.subarray(a.length), 'to-server', {});
    assert.deepEqual(r2, { kind: 'incomplete', needed: b.length });
  });

  it('builds a link status request and a READ of all device attributes', () => {
    // the master side of dnp3_link_only.pcap frame 1, from address 1 to outstation 100 (DIR set)
    assert.deepEqual(dnp3.encode(requestLinkStatus(100, 1)), hex`0564 05 c9 6400 0100 ${crcHex(hex`0564 05 c9 6400 0100`)}`);
    const m = parse(dnp3.encode(readDeviceAttributes(100, 1, 3)));
    assert.deepEqual(m.anomalies, []);
    assert.equal(m.application?.functionName, 'READ');
    assert.deepEqual(m.application?.objects, [{ group: 0, variation: 254, qualifier: 6, prefixCode: 0, rangeCode: 6, count: 0 }]);
  });

  it('builds an outstation persona: LINK_STATUS and a device attribute RESPONSE it identifies from', () => {
    // an outstation's frames have DIR clear (§9.2.4.1.3.1), as in dnp3_link_only.pcap frame 1
    const status = parse(dnp3.encode(linkStatus(1, 100)));
    assert.deepEqual([status.link.control.functionName, status.link.control.direction, status.anomalies], ['LINK_STATUS', false, []]);
    const m = parse(dnp3.encode(deviceAttributesResponse(1, 100, [[252, 'ACME'], [250, 'RTU-9'], [242, '2.1'], [248, 'SN-0042']], 5)));
    assert.deepEqual(m.anomalies, []);
    const id = dnp3.identify([m]);
    assert.deepEqual([id?.vendor, id?.product, id?.firmware, id?.serial], ['ACME', 'RTU-9', '2.1', 'SN-0042']);
  });

  it('decodes a control relay output block of DIRECT_OPERATE', () => {
    // IEEE 1815-2012 §A.12.1: g12v1, qualifier 0x28 (2-octet index prefix, 2-octet count), index 5,
    // control code 0x41 = PULSE_ON with trip-close CLOSE, count 1, on 1000 ms, off 0, status 0
    const m = parse(dnp3.encode({
      anomalies: [],
      link: { length: 0, destination: 10, source: 1, control: { direction: true, primary: true, frameCountBit: false, frameCountValidOrDataFlowControl: false, function: 4, functionName: '' } },
      userData: hex`c0 c1 05 0c01 28 0100 0500 41 01 e8030000 00000000 00`,
    }));
    assert.deepEqual(m.anomalies, []);
    assert.deepEqual(m.application?.objects[0].crob, [{ index: 5, operation: 1, queue: false, clear: false, tripClose: 1, count: 1, onTime: 1000, offTime: 0, status: 0 }]);
    const f = dnp3.fields(m);
    assert.deepEqual([f['dnp3.al.func'], f['dnp3.ctl.op'], f['dnp3.ctl.trip']], [5, [1], [1]]);
  });
});
