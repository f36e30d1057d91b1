import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hex } from '../../wire/index.ts';
import {
  iec104, mirror, singlePoints, stationInterrogation, startDataTransferActivation, testFrameActivation, uConfirmation, type Iec104Message,
} from './index.ts';
import { fixtures } from './fixtures.ts';

function parseAll(bytes: Uint8Array): Iec104Message[] {
  const out: Iec104Message[] = [];
  let at = 0;
  while (at < bytes.length) {
    const r = iec104.parse(bytes.subarray(at), 'to-client');
    if (r.kind !== 'done') break;
    out.push(r.message);
    at += r.consumed;
  }
  return out;
}

function one(name: string): Iec104Message {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, name);
  const r = iec104.parse(f.bytes, f.direction);
  assert.equal(r.kind, 'done');
  return (r as { message: Iec104Message }).message;
}

describe('iec104', () => {
  it('decodes short floats with their addresses and quality', () => {
    const m = one('M_ME_NC_1 two short floats, periodic');
    assert.deepEqual(m.apci, { format: 'I', sendSequence: 77, receiveSequence: 20 });
    assert.equal(m.asdu?.typeName, 'M_ME_NC_1');
    assert.equal(m.asdu?.causeName, 'periodic');
    assert.deepEqual(m.asdu?.objects, [
      { address: 1300, value: 30, quality: 0 },
      { address: 1301, value: 708, quality: 0 },
    ]);
  });

  it('decodes CP56Time2a field by field', () => {
    const m = one('M_SP_TB_1 spontaneous with CP56Time2a');
    const o = m.asdu?.objects[0];
    assert.equal(o?.value, 1);
    // aac2 = 49834 ms, minute 0x29 = 41, hour 0x10 = 16, 0x8d = day 13 / weekday 4, August 2009
    assert.deepEqual(o?.time, {
      milliseconds: 49834, minute: 41, hour: 16, day: 13, dayOfWeek: 4, month: 8, year: 9, invalid: false, summerTime: false,
    });
  });

  it('numbers the elements of an SQ=1 sequence from the one address', () => {
    const m = one('M_SP_NA_1 sequence of ten (SQ=1)');
    assert.deepEqual(m.asdu?.objects.map((o) => o.address), Array.from({ length: 10 }, (_, i) => 10010 + i));
    assert.equal(m.asdu?.objects[1].quality, 0x80);
  });

  it('splits command state from its qualifier', () => {
    const sc = one('C_SC_NA_1 single command, activation').asdu?.objects[0];
    assert.deepEqual(sc, { address: 4500, value: 1, qualifier: 0x80 });
    const dc = one('C_DC_NA_1 double command').asdu?.objects[0];
    assert.deepEqual(dc, { address: 4600, value: 2, qualifier: 0x04 });
    const ic = one('C_IC_NA_1 station interrogation').asdu?.objects[0];
    assert.equal(ic?.value, 20);
  });

  it('decodes several APDUs carried in one segment', () => {
    // TestDissectIec104.pcap frame 110: S format, C_IC_NA_1 ActCon, M_SP_NA_1 SQ, M_DP_NA_1 SQ
    const seg = hex`680401000200 680e02000200640107000d9100000014
      681604000200018914000d911a2700d0808080c080808080 681006000200038314000d912a4e00808080`;
    const ms = parseAll(seg);
    assert.deepEqual(ms.map((m) => m.asdu?.typeName ?? m.apci.format), ['S', 'C_IC_NA_1', 'M_SP_NA_1', 'M_DP_NA_1']);
    assert.deepEqual(ms[2].asdu?.objects.map((o) => o.value), [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(ms.flatMap((m) => m.anomalies), []);
  });

  it('records a truncated ASDU instead of throwing', () => {
    const r = iec104.parse(hex`68 0c 0000 0000 0d 02 01 00 0300 1405`, 'to-client');
    assert.equal(r.kind, 'done');
    if (r.kind === 'done') assert.deepEqual(r.message.anomalies, ['asdu-truncated']);
  });

  it('skips garbage to the next start octet as tshark does, and refuses bytes without one', () => {
    // TestDissectIec104.pcap frame 25: garbage before a start octet; tshark shows
    // "<ERR prefix 6 bytes>" and decodes the APDU after it (packet-iec104.c, get_iec104apdu_len).
    const r = iec104.parse(hex`0606060606066804161616161616`, 'to-server');
    assert.equal(r.kind, 'done');
    if (r.kind !== 'done') return;
    assert.equal(r.consumed, 12);
    assert.deepEqual(r.message.anomalies, ['junk-before-start', 'i-format-without-asdu']);
    assert.equal(iec104.fields(r.message)['iec60870_104.type'], 0);
    assert.deepEqual(iec104.parse(hex`060606066810`, 'to-server'), { kind: 'incomplete', needed: 4 + 18 });
    assert.equal(iec104.parse(hex`0606060606061616`, 'to-server').kind, 'not-mine');
    assert.equal(iec104.recognize(hex`0606060606066804`, 'to-server', 'tcp'), false);
  });

  it('encodes a general interrogation the scanner sends', () => {
    const bytes = iec104.encode({
      anomalies: [],
      apci: { format: 'I', sendSequence: 0, receiveSequence: 0 },
      asdu: {
        typeId: 100, typeName: 'C_IC_NA_1', sequence: false, count: 1, cause: 6, causeName: 'activation',
        negative: false, test: false, originatorAddress: 0, commonAddress: 0xffff, objects: [{ address: 0, value: 20 }],
      },
    });
    assert.deepEqual(bytes, hex`68 0e 0000 0000 64 01 06 00 ffff 000000 14`);
  });

  it('identifies the station common address', () => {
    const id = iec104.identify([one('M_EI_NA_1 end of initialization')]);
    assert.deepEqual(id?.raw?.commonAddresses, [37133]);
  });

  it('builds the iec-identify sequence: TESTFR act, STARTDT act, station interrogation', () => {
    assert.deepEqual(iec104.encode(testFrameActivation()), hex`68 04 43 00 00 00`);
    assert.deepEqual(iec104.encode(startDataTransferActivation()), hex`68 04 07 00 00 00`);
    assert.deepEqual(iec104.encode(stationInterrogation()), hex`68 0e 0000 0000 64 01 06 00 ffff 000000 14`);
  });

  it('answers the iec-identify sequence as a station persona', () => {
    assert.deepEqual(iec104.encode(uConfirmation(testFrameActivation())!), hex`68 04 83 00 00 00`);
    assert.deepEqual(iec104.encode(uConfirmation(startDataTransferActivation())!), hex`68 04 0b 00 00 00`);
    const gi = stationInterrogation(0xffff).asdu!;
    // the confirmation is TestDissectIec104.pcap frame 110's second APDU (station 37133, N(S)=1, N(R)=1)
    assert.deepEqual(iec104.encode(mirror(gi, 7, 1, 1, 37133)), hex`68 0e 0200 0200 64 01 07 00 0d91 000000 14`);
    assert.deepEqual(iec104.encode(singlePoints(37133, [[10010, 0], [10011, 1]], 2, 1)), hex`68 12 0400 0200 01 02 14 00 0d91 1a2700 00 1b2700 01`);
    assert.deepEqual(iec104.encode(mirror(gi, 10, 3, 1, 37133)), hex`68 0e 0600 0200 64 01 0a 00 0d91 000000 14`);
  });
});
