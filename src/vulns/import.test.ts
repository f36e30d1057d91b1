import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectFormat, importDocument } from './import.ts';
import { buildIndex, matchIdentity } from './match.ts';
import type { NormalizedAdvisory } from './csaf.ts';

const FIX = join(import.meta.dirname, 'fixtures');
const CSAF = JSON.parse(readFileSync(join(import.meta.dirname, '../../reference/csaf/2020/icsa-20-196-06.json'), 'utf8'));
const CVE = JSON.parse(readFileSync(join(FIX, 'cve-2020-7584.json'), 'utf8'));
const CNVD = readFileSync(join(FIX, 'cnvd-share.xml'), 'utf8');

function advisories(doc: unknown): NormalizedAdvisory[] {
  const r = importDocument(doc);
  assert.ok(r.ok);
  return r.records.flatMap((x) => (x.result.ok ? [x.result.advisory] : []));
}

test('the shape tells the format', () => {
  assert.equal(detectFormat(CSAF), 'csaf');
  assert.equal(detectFormat(CVE), 'cve');
  assert.equal(detectFormat(CNVD), 'cnvd');
  for (const x of [null, 1, 'text', [], {}, { foo: 1 }]) assert.equal(detectFormat(x), null);
  const r = importDocument({ foo: 1 });
  assert.ok(!r.ok && r.code === 'INVALID_ADVISORY');
});

test('one S7-200 SMART on V2.3.0 finds CVE-2020-7584 through each of the three formats, and none on V2.5.1', () => {
  const device = { vendor: 'Siemens', product: 'SIMATIC S7-200 SMART', model: 'CPU ST40', orderNumber: '6ES7 288-1ST40-0AA0', firmware: 'V2.3.0' };
  for (const [label, doc, id, severity] of [
    ['CSAF', CSAF, 'ICSA-20-196-06', 'high'],
    ['CVE 5', CVE, 'CVE-2020-7584', 'high'],
    ['CNVD', CNVD, 'CNVD-2020-40001', 'high'],
  ] as const) {
    const index = buildIndex(advisories(doc));
    const hits = matchIdentity(index, device).filter((m) => m.advisoryId === id);
    assert.equal(hits.length, 1, label);
    assert.deepEqual(hits[0].cves, ['CVE-2020-7584'], label);
    assert.equal(hits[0].severity, severity, `${label}: a CNVD level stands in for a missing score`);
    assert.equal(matchIdentity(index, { ...device, firmware: 'V2.5.1' }).filter((m) => m.advisoryId === id).length, 0, label);
  }
});
