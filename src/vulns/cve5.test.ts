import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCveRecord, isCveRecord } from './cve5.ts';
import type { NormalizedAdvisory } from './csaf.ts';
import { inRange } from './range.ts';
import { parseVersion } from './version.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const read = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

function load(name: string) {
  const r = importCveRecord(read(name));
  assert.ok(r.ok, name);
  return r;
}

function affects(a: NormalizedAdvisory, productName: string, version: string): boolean | undefined {
  const p = a.products.find((x) => x.productName === productName);
  assert.ok(p, productName);
  return inRange(p.range, parseVersion(version)!);
}

test('CVE-2020-7584: version + lessThan is [V2.2, V2.5.1), with CVSS 3.1, CWE, solution and reference', () => {
  const { advisory: a, problems } = load('cve-2020-7584.json');
  assert.equal(a.id, 'CVE-2020-7584');
  assert.equal(a.publisher, 'siemens');
  assert.equal(a.initialRelease, '2020-07-14T00:00:00.000Z');
  assert.equal(a.currentRelease, '2020-08-11T00:00:00.000Z');
  assert.deepEqual([a.maxCvss, a.severity], [7.5, 'high']);
  const [cve] = a.cves;
  assert.deepEqual([cve.cve, cve.cwe, cve.vector, cve.knownExploited], ['CVE-2020-7584', 'CWE-400', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', false]);
  assert.deepEqual(cve.remediations, [{ category: 'vendor_fix', details: 'Update to V2.5.1 or later version.' }]);
  assert.deepEqual(cve.references, ['https://cert-portal.siemens.com/productcert/pdf/ssa-312271.pdf']);
  assert.equal(a.products.length, 1);
  const p = a.products[0];
  assert.deepEqual([p.productId, p.vendorKey, p.cves, p.cvss], ['CVE-2020-7584#0', 'siemens', ['CVE-2020-7584'], 7.5]);
  assert.equal(affects(a, 'SIMATIC S7-200 SMART CPU family', 'V2.1.9'), false);
  assert.equal(affects(a, 'SIMATIC S7-200 SMART CPU family', 'V2.2.0'), true);
  assert.equal(affects(a, 'SIMATIC S7-200 SMART CPU family', 'V2.5.0'), true);
  assert.equal(affects(a, 'SIMATIC S7-200 SMART CPU family', 'V2.5.1'), false);
  assert.deepEqual(problems, []);
});

test('CVE-2019-8460: Siemens prose in "version" is read like the CSAF leaf; order numbers are kept; a Debian image bound is undecidable', () => {
  const { advisory: a, problems } = load('cve-2019-8460.json');
  assert.equal(a.cves[0].cwe, 'CWE-400', 'CWE taken from the description text when cweId is absent');
  assert.equal(a.maxCvss, 7.5, 'cvssV3_0 read');
  assert.equal(a.title.startsWith('TCP SACK'), true, 'no title: the description stands in');
  assert.equal(affects(a, 'SIMATIC CP 1243-1 (6GK7243-1BX30-0XE0)', 'V3.1.9'), true);
  assert.equal(affects(a, 'SIMATIC CP 1243-1 (6GK7243-1BX30-0XE0)', 'V3.2'), false);
  assert.deepEqual(a.products[0].modelNumbers, ['6GK7243-1BX30-0XE0']);
  assert.equal(affects(a, 'TIM 4R-IE (incl. SIPLUS NET variants)', 'V1.0'), true);
  assert.equal(affects(a, 'SINUMERIK 840D sl', 'V4.8 SP4'), true);
  assert.equal(affects(a, 'SINUMERIK 840D sl', 'V4.8 SP5'), false);
  assert.deepEqual(problems.map((p) => [p.productId, p.code]), [['CVE-2019-8460#3', 'range-undecidable']]);
});

test('CVE-2023-6448: the CISA ADP KEV entry sets known-exploited; version "0" means from the first release', () => {
  const { advisory: a } = load('cve-2023-6448.json');
  assert.equal(a.cves[0].knownExploited, true);
  assert.deepEqual([a.maxCvss, a.severity], [9.8, 'critical']);
  assert.equal(affects(a, 'VisiLogic', '9.8.65'), true);
  assert.equal(affects(a, 'VisiLogic', '9.9.00'), false);
  assert.equal(affects(a, 'Vision OS', '0.1'), true);
  const copy = read('cve-2023-6448.json');
  copy.containers.adp[0].metrics = [copy.containers.adp[0].metrics[1]];
  const ssvc = importCveRecord(copy);
  assert.ok(ssvc.ok && ssvc.advisory.cves[0].knownExploited, 'SSVC Exploitation: active alone also sets it');
  delete copy.containers.adp;
  const none = importCveRecord(copy);
  assert.ok(none.ok && !none.advisory.cves[0].knownExploited);
});

test('broken records: refused with a reason, or imported with one problem per product entry; never throws', () => {
  const [rejected, badId, v4, messy] = read('cve-broken.json');
  for (const [doc, reason] of [[rejected, /REJECTED/], [badId, /not a CVE id/], [v4, /not 5\.x/]] as const) {
    const r = importCveRecord(doc);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  }
  const r = importCveRecord(messy);
  assert.ok(r.ok);
  assert.deepEqual(r.problems.map((p) => [p.productId, p.code]), [
    ['CVE-2024-99999#0', 'no-product-id'],
    ['CVE-2024-99999#1', 'no-product-id'],
    ['CVE-2024-99999#2', 'range-unparsed'],
    ['CVE-2024-99999#3', 'range-unparsed'],
    ['CVE-2024-99999#4', 'range-none'],
    ['CVE-2024-99999#5', 'no-version'],
  ]);
  assert.equal(r.advisory.maxCvss, 8.7, 'an out-of-range v3 score is ignored; v4.0 stands in');
  assert.equal(affects(r.advisory, 'Controller 7', '4.2'), true, 'lessThanOrEqual is inclusive');
  assert.equal(affects(r.advisory, 'Controller 7', '4.2.1'), false);
  assert.deepEqual(r.advisory.products.find((p) => p.productName === 'HMI Panel')?.cves, [], 'an unaffected-only entry lists no CVE');
  for (const doc of [null, 1, 'x', [], {}, { cveMetadata: {} }, { dataType: 'CVE_RECORD', cveMetadata: { cveId: 'CVE-2024-0001' }, containers: { cna: { affected: 'x' } } }, { dataType: 'X' }]) {
    assert.equal(importCveRecord(doc).ok, false, JSON.stringify(doc));
  }
});

test('shape detection', () => {
  assert.equal(isCveRecord(read('cve-2020-7584.json')), true);
  assert.equal(isCveRecord({ cveMetadata: {}, containers: {} }), true);
  assert.equal(isCveRecord({ document: {} }), false);
  assert.equal(isCveRecord('CVE_RECORD'), false);
});
