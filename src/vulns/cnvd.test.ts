import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCnvdXml, isCnvdXml, normaliseChineseRange } from './cnvd.ts';
import { inRange } from './range.ts';
import { parseVersion } from './version.ts';
import type { NormalizedAdvisory } from './csaf.ts';

const SHARE = readFileSync(join(import.meta.dirname, 'fixtures/cnvd-share.xml'), 'utf8');

function entries() {
  const r = importCnvdXml(SHARE);
  assert.ok(r.ok);
  return r.records;
}

function advisory(id: string): { advisory: NormalizedAdvisory; problems: { productId?: string; code: string }[] } {
  const rec = entries().find((x) => x.result.ok && x.result.advisory.id === id);
  assert.ok(rec && rec.result.ok, id);
  return rec.result;
}

const affects = (a: NormalizedAdvisory, productName: string, v: string) => inRange(a.products.find((p) => p.productName === productName)!.range, parseVersion(v)!);

test('a share file gives one record per <vulnerability>, each with its own XML as the stored source', () => {
  const recs = entries();
  assert.equal(recs.length, 5);
  assert.deepEqual(recs.map((r) => (r.result.ok ? r.result.advisory.id : 'refused')), ['CNVD-2020-40001', 'CNVD-2023-95001', 'CNVD-2019-30001', 'CNVD-2024-10001', 'refused']);
  for (const r of recs) {
    assert.match(r.source, /^<vulnerability>[\s\S]*<\/vulnerability>$/);
    // the stored source imports alone to the same advisory
    const again = importCnvdXml(r.source);
    assert.ok(again.ok);
    assert.deepEqual(again.records[0].result, r.result);
  }
  const last = recs[4].result;
  assert.ok(!last.ok && /not a CNVD id/.test(last.reason));
});

test('CNVD-2020-40001: escaped comparators, the CNVD level without a score, CVE, remediation and link', () => {
  const { advisory: a, problems } = advisory('CNVD-2020-40001');
  assert.deepEqual([a.publisher, a.severity, a.maxCvss, a.initialRelease], ['CNVD', 'high', null, '2020-07-20']);
  assert.equal(a.title, 'Siemens SIMATIC S7-200 SMART CPU拒绝服务漏洞');
  assert.deepEqual(a.cves.map((c) => [c.cve, c.severity, c.cvss, c.knownExploited]), [['CVE-2020-7584', 'high', null, false]]);
  assert.deepEqual(a.cves[0].references, ['https://cert-portal.siemens.com/productcert/pdf/ssa-312271.pdf']);
  assert.equal(a.cves[0].remediations.length, 2);
  const p = a.products[0];
  assert.deepEqual([p.vendor, p.vendorKey, p.productName, p.severity, p.cves], ['Siemens', 'siemens', 'SIMATIC S7-200 SMART CPU family', 'high', ['CVE-2020-7584']]);
  assert.equal(affects(a, p.productName, 'V2.1'), false);
  assert.equal(affects(a, p.productName, 'V2.3.0'), true);
  assert.equal(affects(a, p.productName, 'V2.5.1'), false);
  assert.deepEqual(problems, []);
});

test('CNVD-2023-95001 and CNVD-2019-30001: Chinese range words, Chinese vendor names, CDATA, two-word vendors', () => {
  const u = advisory('CNVD-2023-95001').advisory;
  assert.equal(affects(u, 'VisiLogic', '9.8'), true, '9.9.00之前版本 = < 9.9.00');
  assert.equal(affects(u, 'VisiLogic', '9.9.00'), false);
  assert.equal(affects(u, 'Vision OS', '12.37'), true);
  assert.match(u.cves[0].remediations[0].details, /<admin>/, 'CDATA text kept verbatim');
  const s = advisory('CNVD-2019-30001');
  assert.equal(s.advisory.severity, 'medium');
  const cp = s.advisory.products[0];
  assert.deepEqual([cp.vendor, cp.vendorKey, cp.modelNumbers], ['西门子', 'siemens', ['6GK7243-1BX30-0XE0']]);
  assert.equal(affects(s.advisory, 'SIMATIC CP 1243-1 (6GK7243-1BX30-0XE0)', 'V3.1'), true);
  assert.equal(affects(s.advisory, 'SIMATIC CP 1243-1 (6GK7243-1BX30-0XE0)', 'V3.2'), false);
  assert.equal(affects(s.advisory, 'SINUMERIK 840D sl', 'V4.8 SP4'), true);
  assert.equal(affects(s.advisory, 'TIM 4R-IE', 'V2.0'), true, '所有版本 = all versions');
  assert.deepEqual(s.problems, []);
});

test('CNVD-2024-10001: every broken product is one problem; an entry without CVE is named by its CNVD id', () => {
  const { advisory: a, problems } = advisory('CNVD-2024-10001');
  assert.deepEqual(problems.map((p) => [p.productId ?? null, p.code]), [
    [null, 'severity-unknown'],
    [null, 'no-cves'],
    ['CNVD-2024-10001#0', 'no-product-id'],
    ['CNVD-2024-10001#1', 'range-unparsed'],
    ['CNVD-2024-10001#2', 'no-product-id'],
    ['CNVD-2024-10001#3', 'no-version'],
  ]);
  assert.deepEqual(a.cves.map((c) => c.cve), ['CNVD-2024-10001']);
  assert.deepEqual(a.products.map((p) => [p.vendorKey, p.productName]), [['schneider', 'Modicon M580'], ['schneider', 'Modicon M340']]);
});

test('Chinese range words', () => {
  assert.equal(normaliseChineseRange('V4.4及之前版本'), '<= V4.4');
  assert.equal(normaliseChineseRange('7.5 SP2及以前版本'), '<= 7.5 SP2');
  assert.equal(normaliseChineseRange('V3.2之前版本'), '< V3.2');
  assert.equal(normaliseChineseRange('V2.0及之后版本'), '>= V2.0');
  assert.equal(normaliseChineseRange('V2.0至V2.5'), 'V2.0 - V2.5');
  assert.equal(normaliseChineseRange('所有版本'), 'All versions');
});

test('what is not a share file is refused with a reason, never thrown', () => {
  for (const doc of [null, 42, '', 'not xml', '<foo/>', '<vulnerabilitys></vulnerabilitys>', '<vulnerabilitys><vulnerability>', '<!DOCTYPE x [<!ENTITY a "b">]><vulnerabilitys/>', SHARE.slice(0, 700), SHARE.replace('&lt;', '&bogus;')]) {
    const r = importCnvdXml(doc);
    assert.equal(r.ok, false, String(doc).slice(0, 40));
    if (!r.ok) assert.ok(r.reason.length > 0);
  }
  assert.equal(isCnvdXml(SHARE), true);
  assert.equal(isCnvdXml('<vulnerability><number>CNVD-2020-1</number></vulnerability>'), true);
  assert.equal(isCnvdXml('<html>'), false);
  for (let cut = 0; cut < SHARE.length; cut += 97) importCnvdXml(SHARE.slice(0, cut));
});
