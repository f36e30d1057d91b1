// The inverted identity index must never miss: for every bundled advisory, the labelled set's
// identities (319 devices covering every trap, with serial variants added) that a full match
// assigns to it are exactly those found by matching only its candidates against it alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceIdentity } from '../model/index.ts';
import { IdentityIndex, readsSerial } from './candidates.ts';
import { importCsaf, type NormalizedAdvisory } from './csaf.ts';
import { buildIndex, matchIdentity, prepareMatch } from './match.ts';

const ROOT = join(import.meta.dirname, '../../reference/csaf');
const advisories: NormalizedAdvisory[] = [];
for (const year of readdirSync(ROOT).filter((y) => !y.endsWith('.json'))) {
  for (const f of readdirSync(join(ROOT, year)).filter((f) => f.endsWith('.json'))) {
    const r = importCsaf(JSON.parse(readFileSync(join(ROOT, year, f), 'utf8')));
    if (r.ok) advisories.push(r.advisory);
  }
}
const cases = JSON.parse(readFileSync(join(import.meta.dirname, 'labelled/cases.json'), 'utf8')) as { identity: DeviceIdentity }[];
// each identity twice: once as labelled, once with another serial (same group unless a cut-off reads it)
const devices: DeviceIdentity[] = cases.flatMap((c) => [c.identity, { ...c.identity, serial: `${c.identity.serial ?? ''}9` }]);

test('candidates of every advisory hold every device a full match assigns to it', () => {
  const full = buildIndex(advisories);
  const expected = new Map<string, Set<number>>();
  devices.forEach((d, i) => {
    for (const m of matchIdentity(full, d)) {
      let s = expected.get(m.advisoryId);
      if (!s) expected.set(m.advisoryId, (s = new Set()));
      s.add(i);
    }
  });
  assert.ok(expected.size > 100, `only ${expected.size} advisories matched the labelled set`);
  const ids = new IdentityIndex();
  devices.forEach((d, i) => ids.add(i, d));
  assert.equal(ids.size, devices.length);
  assert.ok(ids.groupCount < devices.length, 'serial variants share a group');
  for (const a of advisories) {
    const alone = buildIndex([a]);
    const got = new Set<number>();
    for (const g of ids.candidates(a)) {
      const prepared = prepareMatch(alone, ids.representative(g));
      for (const i of ids.members(g)) {
        const identity = readsSerial(a) ? devices[i] : ids.representative(g);
        const hit = matchIdentity(alone, identity).length > 0;
        assert.equal(prepared?.affects(identity.firmware, identity.serial) ?? false, hit, `${a.id}: prepared and full match disagree on ${JSON.stringify(identity)}`);
        if (hit) got.add(i);
      }
    }
    assert.deepEqual([...got].sort((x, y) => x - y), [...(expected.get(a.id) ?? [])].sort((x, y) => x - y), a.id);
  }
});

test('an advisory naming nothing in the population has no candidates', () => {
  const ids = new IdentityIndex();
  ids.add(0, { vendor: 'Siemens', product: 'SIMATIC S7-1200', firmware: 'V4.2.0' });
  const other = advisories.find((a) => a.products.every((p) => !p.vendorKeys.includes('siemens')))!;
  assert.equal(ids.candidates(other).length, 0);
});
