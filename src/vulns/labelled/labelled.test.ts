// Accuracy of matching on the labelled set (cases.json): identity → the CVEs a correct matcher
// reports with confidence confirmed/likely (`expected`) and those it may only flag for review
// (`possible`, e.g. serial-number cut-offs). Prints precision and recall and every miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceIdentity } from '../../model/index.ts';
import { importCsaf, type NormalizedAdvisory } from '../csaf.ts';
import { buildIndex, matchIdentity } from '../match.ts';

interface Case {
  name: string;
  trap: string;
  identity: DeviceIdentity;
  expected: string[];
  possible?: string[];
  note?: string;
}

const ROOT = join(import.meta.dirname, '../../../reference/csaf');
const CASES = JSON.parse(readFileSync(join(import.meta.dirname, 'cases.json'), 'utf8')) as Case[];

function corpus(): NormalizedAdvisory[] {
  const out: NormalizedAdvisory[] = [];
  for (const year of readdirSync(ROOT)) {
    if (year.endsWith('.json')) continue;
    for (const f of readdirSync(join(ROOT, year))) {
      const r = importCsaf(JSON.parse(readFileSync(join(ROOT, year, f), 'utf8')));
      if (r.ok) out.push(r.advisory);
    }
  }
  return out;
}

test('labelled set: precision and recall of confirmed/likely CVEs', () => {
  assert.ok(CASES.length >= 150, `${CASES.length} cases`);
  const index = buildIndex(corpus());
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let possibleWanted = 0;
  let possibleFound = 0;
  const misses: string[] = [];
  const traps = new Map<string, number>();
  for (const c of CASES) {
    traps.set(c.trap, (traps.get(c.trap) ?? 0) + 1);
    const matches = matchIdentity(index, c.identity);
    const definite = new Set(matches.filter((m) => m.confidence !== 'possible').flatMap((m) => m.cves));
    const any = new Set(matches.flatMap((m) => m.cves));
    const expected = new Set(c.expected);
    const extra = [...definite].filter((x) => !expected.has(x));
    const missing = [...expected].filter((x) => !definite.has(x));
    tp += expected.size - missing.length;
    fp += extra.length;
    fn += missing.length;
    for (const p of c.possible ?? []) {
      possibleWanted++;
      if (any.has(p)) possibleFound++;
      else missing.push(`${p} (possible)`);
    }
    if (extra.length || missing.length) {
      const why = matches.map((m) => `    ${m.confidence} ${m.cves.join(',')} ${m.reason}`).join('\n');
      misses.push(`${c.name}\n  identity ${JSON.stringify(c.identity)}\n  extra ${extra.join(', ') || '-'}; missing ${missing.join(', ') || '-'}\n${why}`);
    }
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  console.log(`cases ${CASES.length}; traps ${JSON.stringify(Object.fromEntries(traps))}`);
  console.log(`precision ${precision.toFixed(4)} (tp ${tp}, fp ${fp}); recall ${recall.toFixed(4)} (fn ${fn}); possible ${possibleFound}/${possibleWanted}`);
  for (const m of misses) console.log(`MISS ${m}`);
  assert.ok(precision >= 0.99, `precision ${precision}`);
  assert.ok(recall >= 0.99, `recall ${recall}`);
  assert.equal(possibleFound, possibleWanted, 'every possible-level CVE is flagged');
});
