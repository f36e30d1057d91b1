// Walks every bundled CISA CSAF file (reference/csaf, 563 files) and checks that each leaf comes
// out as a parsed range or an explicit undecidable/unparsed/none outcome with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCsaf, type NormalizedAdvisory } from './csaf.ts';
import { buildIndex, matchIdentity } from './match.ts';

const ROOT = join(import.meta.dirname, '../../reference/csaf');

function files(): string[] {
  const out: string[] = [];
  for (const year of readdirSync(ROOT)) {
    if (year.endsWith('.json')) continue;
    for (const f of readdirSync(join(ROOT, year))) if (f.endsWith('.json')) out.push(join(ROOT, year, f));
  }
  return out.sort();
}

function countLeaves(branches: unknown): number {
  if (!Array.isArray(branches)) return 0;
  let n = 0;
  for (const b of branches as { branches?: unknown; product?: unknown }[]) {
    if (Array.isArray(b.branches) && b.branches.length) n += countLeaves(b.branches);
    else if (b.product) n++;
  }
  return n;
}

test('every leaf of all 563 bundled advisories has an explicit outcome', () => {
  const all = files();
  assert.equal(all.length, 563);
  const outcomes: Record<string, number> = {};
  const problems: Record<string, number> = {};
  let leaves = 0;
  let products = 0;
  const advisories: NormalizedAdvisory[] = [];
  for (const f of all) {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as { product_tree: { branches: unknown } };
    const r = importCsaf(doc);
    assert.ok(r.ok, `${f} imports`);
    advisories.push(r.advisory);
    leaves += countLeaves(doc.product_tree.branches);
    for (const p of r.advisory.products) {
      products++;
      const key = p.range.kind + (p.range.source === 'name' ? ' (from product name)' : '');
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (p.range.kind === 'undecidable' || p.range.kind === 'unparsed' || p.range.kind === 'none') {
        assert.ok(p.range.reason.length > 0, `${f} ${p.productId} has a reason`);
      }
      if (p.range.kind === 'intervals') assert.ok(p.range.intervals.length > 0, `${f} ${p.productId} has intervals`);
    }
    for (const pr of r.problems) problems[pr.code] = (problems[pr.code] ?? 0) + 1;
  }
  console.log(`leaves ${leaves}, products ${products}`);
  console.log('outcomes', outcomes);
  console.log('problems', problems);
  assert.equal(leaves, 5588);
  assert.equal(products, leaves);
  const cves = advisories.reduce((n, a) => n + a.cves.length, 0);
  assert.equal(cves, 1291);
  // A regression guard: the parser understands all but a handful of texts.
  assert.ok((outcomes.unparsed ?? 0) < 40, `unparsed ${outcomes.unparsed}`);

  // Every affected product, described the way the advisory names it, finds its own advisory.
  const index = buildIndex(advisories);
  let total = 0;
  const lost: string[] = [];
  for (const a of advisories) {
    for (const p of a.products) {
      if (p.cves.length === 0 || p.range.kind === 'none') continue;
      total++;
      const m = matchIdentity(index, { vendor: p.vendor, product: p.productName, model: p.modelNumbers[0] });
      if (!m.some((x) => x.advisoryId === a.id)) lost.push(`${a.id} ${p.vendor} › ${p.productName}`);
    }
  }
  console.log(`self-match ${total - lost.length}/${total}; lost: ${lost.join('; ')}`);
  assert.ok(lost.length / total < 0.005, `${lost.length} products do not find their own advisory`);
});
