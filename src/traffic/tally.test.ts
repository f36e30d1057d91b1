// Every protocol's counting path (Protocol.tally) against its parse: on each PDU the tally either
// hands the PDU to parse (TALLY_PARSE, having counted nothing) or gives parse's outcome (consumed,
// needed or not-mine), counts exactly the histogram values of summaryFields and marks the PDU its
// own exactly when the summary would count the frame for the protocol. Inputs: the protocols'
// fixtures and all their prefixes at an offset in a larger buffer, random and mutated bytes,
// streams of fixtures on the flow state parse keeps, and every PDU parse sees in the capture
// corpus, whose summaries must come out the same either way.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, it } from 'node:test';
import { mulberry32 } from '../model/index.ts';
import { PROTOCOLS, TALLY_PARSE, type Direction, type FieldValue, type FlowState, type Protocol, type Tally } from '../protocols/index.ts';
import { parseNpdu } from '../protocols/bacnet/index.ts';
import { allFixtures, corpusCaptures } from '../protocols/all-fixtures.ts';
import { summarizeCapture } from './analyze-file.ts';
import { LLC_PROTOCOLS } from './llc.ts';
import { primeAnalyzer } from './prime.ts';
import { HISTOGRAM_FIELDS, conversationName, histogramKey } from './oracle-fields.ts';

const fixtures = await allFixtures();

/** One to three random octets of `bytes` replaced by random values, in place. */
function mutate(rnd: () => number, bytes: Uint8Array): void {
  for (let k = 1 + Math.floor(rnd() * 3); k > 0 && bytes.length; k--) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
}

class Recorder implements Tally {
  own = false;
  flawed = false;
  readonly adds: string[] = [];
  add(field: number, value: number): void {
    this.adds.push(`${field}:${histogramKey(value)}`);
  }
  addText(field: number, value: string): void {
    this.adds.push(`${field}:${histogramKey(value)}`);
  }
}

function values(v: FieldValue | undefined): (string | number)[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return [...v];
  return [typeof v === 'boolean' ? (v ? 1 : 0) : (v as string | number)];
}

/**
 * Tallies that answer for PDUs whose parse changes the flow state, because that state feeds no
 * summary field: S7comm's userdata fragment tracking only names fragments for `fields`.
 */
const STATE_FREE = new Set(['s7comm']);

/** Tallies that read the flow state: their streams of fixtures must reach states to check on. */
const KEEPS_STATE = new Set(['dnp3', 'mqtt', 'opcua', 's7comm-plus']);

/**
 * How tally and parse differ on bytes[start, end) with this flow state, or null when they agree.
 * The state is left as it was: the tally must not change it, and parse (run on a copy) must not
 * either wherever the tally answers for it (but for STATE_FREE tallies).
 */
export function disagreement(p: Protocol, bytes: Uint8Array, start: number, end: number, direction: Direction, state: FlowState = {}): string | null {
  const tally = p.tally!;
  const into = new Recorder();
  const before = structuredClone(state);
  const n = tally.count(bytes, start, end, direction, into, state);
  if (!isDeepStrictEqual(state, before)) return 'the tally changed the flow state';
  if (n === TALLY_PARSE) return into.adds.length || into.own || into.flawed ? 'counted before handing the PDU to parse' : null;
  const after = structuredClone(state);
  const r = p.parse(bytes.subarray(start, end), direction, after);
  if (!STATE_FREE.has(p.name) && !isDeepStrictEqual(after, before)) return `tally gave ${n}, but parse changed the flow state`;
  if (n === 0) return r.kind === 'not-mine' ? null : `tally: not-mine, parse: ${r.kind}`;
  if (n < 0) return r.kind === 'incomplete' && r.needed === -n ? null : `tally: needs ${-n}, parse: ${JSON.stringify(r.kind === 'incomplete' ? r : r.kind)}`;
  if (r.kind !== 'done') return `tally: consumed ${n}, parse: ${r.kind}`;
  if (r.consumed !== n) return `tally: consumed ${n}, parse: ${r.consumed}`;
  if (into.flawed !== r.message.anomalies.length > 0) return `tally flawed ${into.flawed}, parse anomalies ${r.message.anomalies.join(',') || 'none'}`;
  const fields = p.summaryFields ? p.summaryFields(r.message) : p.fields(r.message);
  const expected = tally.fields.flatMap((f, i) => values(fields[f]).map((v) => `${i}:${histogramKey(v)}`)).sort();
  const got = [...into.adds].sort();
  if (expected.join(' ') !== got.join(' ')) return `tally counted ${got.join(' ')}, summaryFields ${expected.join(' ')}`;
  const own = Object.keys(fields).some((k) => {
    const prefix = k.slice(0, k.indexOf('.') < 0 ? k.length : k.indexOf('.'));
    return prefix === p.name || prefix === conversationName(p.name, 'tcp');
  });
  return own === into.own ? null : `tally own ${into.own}, summary ${own}`;
}

function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

const tallied = PROTOCOLS.filter((p) => p.tally);

describe('protocol tallies agree with parse', () => {
  it('count only oracle histogram fields', () => {
    assert.ok(tallied.length > 0);
    for (const p of tallied) for (const f of p.tally!.fields) assert.ok(f in HISTOGRAM_FIELDS, `${p.name}: ${f}`);
  });

  for (const p of tallied) {
    const own = fixtures.filter((f) => f.protocol === p.name);
    const check = (bytes: Uint8Array, start: number, end: number, direction: Direction, state: FlowState = {}) => {
      const d = disagreement(p, bytes, start, end, direction, state);
      assert.equal(d, null, `${p.name} ${direction} ${hexOf(bytes.subarray(start, end))}: ${d}`);
    };

    it(`${p.name}: fixtures and their prefixes, at an offset`, () => {
      for (const f of own) {
        const padded = new Uint8Array(f.bytes.length + 6).fill(0xa5);
        padded.set(f.bytes, 3);
        for (let len = 0; len <= f.bytes.length; len++) {
          for (const direction of ['to-server', 'to-client'] as const) check(padded, 3, 3 + len, direction);
        }
      }
    });

    it(`${p.name}: random and mutated bytes`, () => {
      const rnd = mulberry32(0x7a11 ^ p.name.length);
      for (let i = 0; i < 4000; i++) {
        let bytes: Uint8Array;
        if (i % 2 === 0 || own.length === 0) {
          bytes = new Uint8Array(Math.floor(rnd() * (i % 8 === 0 ? 600 : 64)));
          for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rnd() * 256);
        } else {
          bytes = own[i % own.length].bytes.slice();
          mutate(rnd, bytes);
        }
        check(bytes, 0, bytes.length, i % 4 < 2 ? 'to-server' : 'to-client');
      }
    });

    it(`${p.name}: streams of fixtures, on the flow state parse keeps`, () => {
      // Each PDU is checked on the state parse left after the ones before it: a CONNECT's protocol
      // level, a fragment or message being joined, a PDU that continues in later TPDUs.
      const rnd = mulberry32(0x5743 ^ p.name.length);
      let withState = 0;
      for (let flow = 0; flow < 300 && own.length > 0; flow++) {
        const direction = flow % 2 === 0 ? 'to-server' : 'to-client';
        const state: FlowState = {};
        for (let i = 0; i < 12; i++) {
          const bytes = own[Math.floor(rnd() * own.length)].bytes.slice();
          if (rnd() < 0.5) mutate(rnd, bytes);
          if (Object.keys(state).length > 0) withState++;
          check(bytes, 0, bytes.length, direction, state);
          p.parse(bytes, direction, state);
        }
      }
      if (KEEPS_STATE.has(p.name)) assert.ok(withState > 100, `${withState} PDUs checked on a state`);
    });
  }

  it('opcua: final chunks after an intermediate one, and on a channel opened without security', () => {
    // No fixture is an intermediate chunk: each MSG is sent first as one ('C'), then whole ('F').
    // On a channel whose OPN named policy None, a type id that is no service is flagged, not
    // taken for ciphertext: each MSG again with type id 0 on the channel of the OPN response.
    const opcua = tallied.find((p) => p.name === 'opcua')!;
    const opn = fixtures.find((x) => x.protocol === 'opcua' && x.name.startsWith('OpenSecureChannel response'))!.bytes;
    let checked = 0;
    for (const f of fixtures.filter((x) => x.protocol === 'opcua' && x.bytes[0] === 0x4d && x.bytes[3] === 0x46)) {
      const intermediate = f.bytes.slice();
      intermediate[3] = 0x43;
      const unknown = f.bytes.slice();
      unknown.set(opn.subarray(8, 12), 8);
      unknown.set([0x00, 0x00], 24);
      for (const direction of ['to-server', 'to-client'] as const) {
        const state: FlowState = {};
        assert.equal(opcua.parse(intermediate, direction, state).kind, 'done');
        assert.equal(disagreement(opcua, f.bytes, 0, f.bytes.length, direction, state), null, f.name);
        assert.equal(opcua.parse(opn, direction, state).kind, 'done');
        assert.equal(disagreement(opcua, unknown, 0, unknown.length, direction, state), null, f.name);
        checked++;
      }
    }
    assert.ok(checked > 10);
  });

  it('s7comm-plus: a whole PDU after a fragment without its trailer', () => {
    // Each fixture PDU with a trailer is sent first without it (a fragment, TPKT length 4 less).
    const s7p = tallied.find((p) => p.name === 's7comm-plus')!;
    let checked = 0;
    for (const f of fixtures.filter((x) => x.protocol === 's7comm-plus' && x.bytes[7] === 0x72 && x.bytes.at(-4) === 0x72)) {
      const fragment = f.bytes.slice(0, -4);
      fragment.set([fragment.length >> 8, fragment.length & 0xff], 2);
      for (const direction of ['to-server', 'to-client'] as const) {
        const state: FlowState = {};
        assert.equal(s7p.parse(fragment, direction, state).kind, 'done');
        assert.ok(Object.keys(state).length > 0, f.name);
        assert.equal(disagreement(s7p, f.bytes, 0, f.bytes.length, direction, state), null, f.name);
        checked++;
      }
    }
    assert.ok(checked > 2);
  });

  it('bacnet: NPDUs without BVLC (802.2 LLC, MS/TP), as the analyzer counts them', () => {
    const bacnet = PROTOCOLS.find((p) => p.name === 'bacnet')!;
    const npdus = fixtures.filter((f) => f.protocol === 'bacnet' && f.bytes[0] === 0x81).map((f) => f.bytes.subarray(f.bytes[1] === 0x04 ? 10 : 4));
    const rnd = mulberry32(0x11c);
    let counted = 0;
    for (let i = 0; i < 4000; i++) {
      const bytes = npdus[i % npdus.length].slice();
      if (i >= npdus.length) mutate(rnd, bytes);
      const into = new Recorder();
      if (!LLC_PROTOCOLS.get(0x82)!.count(bytes, 0, bytes.length, into)) {
        assert.deepEqual(into.adds, [], 'counted before handing the NPDU to parse');
        continue;
      }
      counted++;
      const m = parseNpdu(bytes);
      const hex = hexOf(bytes);
      assert.deepEqual(m.anomalies, [], hex);
      const fields = bacnet.summaryFields!(m);
      const expected = bacnet.tally!.fields.flatMap((f, j) => values(fields[f]).map((v) => `${j}:${histogramKey(v)}`)).sort();
      assert.deepEqual([...into.adds].sort(), expected, hex);
      assert.ok('bacnet.version' in fields, hex);
    }
    assert.ok(counted > 100, `${counted} NPDUs counted`);
  });

  it('on inputs the fuzzer found them to differ on', () => {
    const found: { protocol: string; direction: Direction; hex: string }[] = [
      // C_RD_NA_1 has no elements: an object is its address alone, and a byte past it is trailing.
      { protocol: 'iec104', direction: 'to-client', hex: '680e3c00bc00660102000300001100044d5154540402003c00054275733431' },
      { protocol: 'iec104', direction: 'to-client', hex: '6810d8526c6066680dabfe17c60a0002000b8143a2594e03000d913f9c000200' },
    ];
    for (const f of found) {
      const p = PROTOCOLS.find((x) => x.name === f.protocol)!;
      const bytes = Uint8Array.from(Buffer.from(f.hex, 'hex'));
      assert.equal(disagreement(p, bytes, 0, bytes.length, f.direction), null, f.hex);
    }
  });

  it('on every PDU of the capture corpus', async () => {
    // Protocols without their tally, whose parse also runs the tally on the same bytes.
    const problems: string[] = [];
    let compared = 0;
    // Per protocol: PDUs parse decoded, and how many of those the tally counted itself.
    const done = new Map<string, number>();
    const counted = new Map<string, number>();
    const checking = PROTOCOLS.map((p): Protocol => {
      if (!p.tally) return p;
      return {
        ...p,
        tally: undefined,
        parse(bytes, direction, state) {
          compared++;
          const d = disagreement(p, bytes, 0, bytes.length, direction, state);
          if (d && problems.length < 10) problems.push(`${p.name} ${direction} ${hexOf(bytes.subarray(0, 64))}: ${d}`);
          const tallied = p.tally!.count(bytes, 0, bytes.length, direction, new Recorder(), state) > 0;
          const r = p.parse(bytes, direction, state);
          if (r.kind === 'done') {
            done.set(p.name, (done.get(p.name) ?? 0) + 1);
            if (tallied) counted.set(p.name, (counted.get(p.name) ?? 0) + 1);
          }
          return r;
        },
      };
    });
    // The analyzer's warm-up capture (prime.ts) runs through these protocols first: its PDUs are
    // checked too, but they are not the corpus' and stay out of the shares.
    primeAnalyzer(checking);
    done.clear();
    counted.clear();
    // And the whole summary, anomaly counts included, is the one parse + summaryFields give.
    for (const file of corpusCaptures()) {
      const parsed = await summarizeCapture(file, file, checking);
      assert.deepEqual(await summarizeCapture(file, file), parsed, file);
    }
    assert.deepEqual(problems, []);
    assert.ok(compared > 10_000, `${compared} PDUs compared`);
    // The tally is the fast path: nearly every PDU of the corpus is counted without parse.
    for (const [name, n] of done) {
      const share = (counted.get(name) ?? 0) / n;
      assert.ok(share >= 0.9, `${name}: the tally counted ${(share * 100).toFixed(1)}% of ${n} PDUs itself`);
    }
    console.log(Object.fromEntries([...done].map(([k, n]) => [k, `${counted.get(k) ?? 0}/${n}`])));
  });
});
