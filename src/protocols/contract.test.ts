// The contract every registered protocol must keep (DESIGN.md "The protocol contract"). Fixtures
// come from each protocol folder's `fixtures.ts` (`export const fixtures: ProtocolFixture[]`),
// found by scanning the protocol folders (all-fixtures.ts), so adding a protocol needs no edit here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS, toHex } from '../wire/index.ts';
import type { Transport } from '../model/index.ts';
import type { ProtocolFixture } from './fixture.ts';
import { allFixtures as loadAllFixtures } from './all-fixtures.ts';
import type { Direction, Message, Parsed, Protocol } from './protocol.ts';
import { PROTOCOLS, protocolByName, protocolsAt, recognizeProtocols } from './registry.ts';
import { HISTOGRAM_FIELDS } from '../traffic/oracle-fields.ts';
import { mulberry32 } from '../model/index.ts';

const RANDOM_INPUTS = 2_000;
const MUTATED_INPUTS = 1_000;

const allFixtures = await loadAllFixtures();

function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

function transportOf(p: Protocol, f: ProtocolFixture): Transport {
  return f.transport ?? p.endpoints[0]?.transport ?? 'tcp';
}

/** Everything a caller may do with any result must be safe, whatever the bytes were. */
function checkTotal(p: Protocol, bytes: Uint8Array, direction: Direction): Parsed<Message> {
  const label = `${p.name} ${direction} ${toHex(bytes, 64)}`;
  let result: Parsed<Message>;
  const before = toHex(bytes);
  try {
    result = p.parse(bytes, direction, {});
  } catch (e) {
    assert.fail(`parse threw on ${label}: ${String(e)}`);
  }
  assert.equal(toHex(bytes), before, `parse must not modify its input: ${label}`);
  for (const transport of ['tcp', 'udp'] as const) {
    try {
      p.recognize(bytes, direction, transport);
    } catch (e) {
      assert.fail(`recognize threw on ${label}: ${String(e)}`);
    }
  }
  if (result.kind === 'incomplete') {
    assert.ok(result.needed > bytes.length, `incomplete must need more than it has: ${label}`);
    assert.ok(result.needed <= LIMITS.maxPdu, `incomplete asks for ${result.needed} bytes: ${label}`);
  }
  if (result.kind === 'done') {
    assert.ok(result.consumed > 0 && result.consumed <= bytes.length, `consumed ${result.consumed}: ${label}`);
    assert.ok(Array.isArray(result.message.anomalies), `anomalies missing: ${label}`);
    let fields: Record<string, unknown> = {};
    try {
      fields = p.fields(result.message);
      p.identify([result.message]);
      p.encode(result.message);
    } catch (e) {
      assert.fail(`fields/identify/encode threw on a parsed message from ${label}: ${String(e)}`);
    }
    if (p.summaryFields) checkSummaryFields(p, result.message, fields, label);
    for (const [key, value] of Object.entries(fields)) {
      const scalar = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
      assert.ok(scalar(value) || (Array.isArray(value) && value.every(scalar)), `field ${key} is not a rule value: ${label}`);
    }
  }
  return result;
}

const prefixOf = (key: string) => key.slice(0, key.indexOf('.') < 0 ? key.length : key.indexOf('.'));

/** summaryFields: a subset of fields with equal values, every histogram field, every prefix. */
function checkSummaryFields(p: Protocol, message: Message, fields: Record<string, unknown>, label: string): void {
  let summary: Record<string, unknown>;
  try {
    summary = p.summaryFields!(message);
  } catch (e) {
    assert.fail(`summaryFields threw on a parsed message from ${label}: ${String(e)}`);
  }
  for (const [key, value] of Object.entries(summary)) assert.deepEqual(value, fields[key], `summaryFields ${key} differs from fields: ${label}`);
  for (const key of Object.keys(fields)) {
    if (key in HISTOGRAM_FIELDS) assert.ok(key in summary, `summaryFields lacks histogram field ${key}: ${label}`);
  }
  const prefixes = new Set(Object.keys(summary).map(prefixOf));
  for (const key of Object.keys(fields)) assert.ok(prefixes.has(prefixOf(key)), `summaryFields has no ${prefixOf(key)} field: ${label}`);
}

describe('protocol registry', () => {
  it('names are unique and resolve', () => {
    const names = PROTOCOLS.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    for (const p of PROTOCOLS) assert.equal(protocolByName(p.name), p);
    assert.equal(protocolByName('no-such-protocol'), undefined);
  });

  it('finds protocols by port and by their first bytes', () => {
    for (const p of PROTOCOLS) {
      for (const e of p.endpoints) assert.ok(protocolsAt(e.transport, e.port).includes(p), `${p.name} at ${e.transport}/${e.port}`);
    }
    for (const f of allFixtures) {
      const p = protocolByName(f.protocol);
      if (!p || (f.outcome ?? 'done') !== 'done' || f.anomalies?.length) continue;
      const transport = transportOf(p, f);
      const port = p.endpoints.find((e) => e.transport === transport)?.port;
      assert.ok(recognizeProtocols(f.bytes, f.direction, transport, port).includes(p), `${f.protocol}: ${f.name}`);
      assert.ok(recognizeProtocols(f.bytes, f.direction, transport).includes(p), `${f.protocol} on any port: ${f.name}`);
    }
  });

  it('every fixture names a registered protocol', () => {
    for (const f of allFixtures) assert.ok(protocolByName(f.protocol), `fixture ${f.name}: unknown protocol ${f.protocol}`);
  });
});

for (const p of PROTOCOLS) {
  const fixtures = allFixtures.filter((f) => f.protocol === p.name);
  const good = fixtures.filter((f) => (f.outcome ?? 'done') === 'done');

  describe(`protocol contract: ${p.name}`, () => {
    it('has endpoints and fixtures', () => {
      assert.ok(p.endpoints.length > 0, 'no endpoints');
      assert.ok(good.length > 0, 'no fixtures that parse');
    });

    it(`never throws on ${RANDOM_INPUTS} random inputs`, () => {
      const rnd = mulberry32(seedOf(p.name));
      for (let i = 0; i < RANDOM_INPUTS; i++) {
        const len = Math.floor(rnd() * (i % 4 === 0 ? 1024 : 96));
        const bytes = new Uint8Array(len);
        for (let j = 0; j < len; j++) bytes[j] = Math.floor(rnd() * 256);
        checkTotal(p, bytes, i % 2 ? 'to-server' : 'to-client');
      }
    });

    it(`never throws on ${MUTATED_INPUTS} mutated fixtures`, () => {
      if (!good.length) return;
      const rnd = mulberry32(seedOf(p.name) ^ 0x5eed);
      for (let i = 0; i < MUTATED_INPUTS; i++) {
        const f = good[i % good.length];
        const bytes = f.bytes.slice();
        const flips = 1 + Math.floor(rnd() * 4);
        for (let k = 0; k < flips && bytes.length; k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
        const r = checkTotal(p, bytes, f.direction);
        if (r.kind !== 'done') continue;
        // Whatever parse accepted, encode must be able to say again.
        const again = p.parse(p.encode(r.message), f.direction, {});
        assert.equal(again.kind, 'done', `parse(encode(m)) of mutated ${f.name}: ${toHex(bytes)}`);
        if (again.kind === 'done') assert.deepEqual(p.fields(again.message), p.fields(r.message), `fields after re-encoding mutated ${f.name}: ${toHex(bytes)}`);
      }
    });

    it('refuses huge length fields without asking for or building giant buffers', () => {
      // Overwrite every 2- and 4-byte window of every fixture with all-ones, which turns whatever
      // length field sits there into its maximum, in both byte orders.
      for (const f of good) {
        for (const width of [2, 4]) {
          for (let at = 0; at + width <= f.bytes.length; at++) {
            const bytes = f.bytes.slice();
            bytes.fill(0xff, at, at + width);
            const r = checkTotal(p, bytes, f.direction);
            if (r.kind === 'done') assert.ok(r.consumed <= bytes.length);
          }
        }
      }
    });

    for (const f of fixtures) {
      const outcome = f.outcome ?? 'done';
      it(`fixture: ${f.name}`, () => {
        const r = checkTotal(p, f.bytes, f.direction);
        if (outcome === 'not-mine') {
          assert.ok(r.kind === 'not-mine' || (r.kind === 'done' && r.message.anomalies.length > 0), `expected a refusal, got ${r.kind}`);
          return;
        }
        assert.equal(r.kind, 'done', `expected done, got ${JSON.stringify(r)}`);
        if (r.kind !== 'done') return;
        assert.equal(r.consumed, f.bytes.length, 'must consume exactly the fixture');
        assert.deepEqual(r.message.anomalies, [...(f.anomalies ?? [])]);
        if (!f.anomalies?.length) assert.ok(p.recognize(f.bytes, f.direction, transportOf(p, f)), 'recognize() must accept the fixture');
        const fields = p.fields(r.message);
        for (const [key, value] of Object.entries(f.expect ?? {})) {
          assert.deepEqual(fields[key], value, `field ${key}`);
        }

        const encoded = p.encode(r.message);
        if ((f.reencode ?? 'exact') === 'exact') assert.equal(toHex(encoded), toHex(f.bytes), 'encode(parse(bytes)) must give the bytes back');
        const again = p.parse(encoded, f.direction, {});
        assert.equal(again.kind, 'done', 'parse(encode(m)) must decode');
        if (again.kind === 'done') {
          assert.equal(again.consumed, encoded.length);
          assert.deepEqual(p.fields(again.message), fields, 'parse(encode(m)) must round-trip the fields');
        }
      });

      if (outcome === 'done' && (f.framing ?? 'stream') === 'stream') {
        it(`fixture prefixes are incomplete: ${f.name}`, () => {
          for (let n = 0; n < f.bytes.length; n++) {
            const r = checkTotal(p, f.bytes.subarray(0, n), f.direction);
            if (r.kind === 'not-mine' && n < (f.notMineBelow ?? 0)) continue;
            assert.equal(r.kind, 'incomplete', `prefix of ${n}/${f.bytes.length} bytes gave ${r.kind}`);
          }
        });

        it(`fixture with trailing bytes consumes only itself: ${f.name}`, () => {
          const longer = new Uint8Array(f.bytes.length + 3);
          longer.set(f.bytes);
          const r = checkTotal(p, longer, f.direction);
          assert.equal(r.kind, 'done');
          if (r.kind === 'done') assert.equal(r.consumed, f.bytes.length);
        });
      }
    }
  });
}
