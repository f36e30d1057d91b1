// Every protocol's counting path (Protocol.tally) against its parse: on each PDU the tally either
// hands the PDU to parse (TALLY_PARSE, having counted nothing) or gives parse's outcome (consumed,
// needed or not-mine), counts exactly the histogram values of summaryFields and marks the PDU its
// own exactly when the summary would count the frame for the protocol. Inputs: the protocols'
// fixtures and all their prefixes at an offset in a larger buffer, random and mutated bytes, and
// every PDU parse sees in the capture corpus, whose summaries must come out the same either way.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, it } from 'node:test';
import { mulberry32 } from '../model/index.ts';
import { PROTOCOLS, TALLY_PARSE, type Direction, type FieldValue, type FlowState, type Protocol, type Tally } from '../protocols/index.ts';
import { parseNpdu } from '../protocols/bacnet/index.ts';
import { allFixtures } from '../protocols/all-fixtures.ts';
import { summarizeCapture } from './analyze-file.ts';
import { LLC_PROTOCOLS } from './llc.ts';
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
    const check = (bytes: Uint8Array, start: number, end: number, direction: Direction) => {
      const d = disagreement(p, bytes, start, end, direction);
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
  }

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
    const list = (dir: string): string[] => readdirSync(dir).sort().flatMap((n) => (statSync(join(dir, n)).isDirectory() ? list(join(dir, n)) : [join(dir, n)]));
    // And the whole summary, anomaly counts included, is the one parse + summaryFields give.
    for (const file of list('reference/corpus/pcap')) {
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
