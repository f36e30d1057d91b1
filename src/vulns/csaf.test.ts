import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCsaf, severityOf, type NormalizedAdvisory } from './csaf.ts';
import { inRange } from './range.ts';
import { parseVersion } from './version.ts';

const ROOT = join(import.meta.dirname, '../../reference/csaf');

function load(rel: string) {
  const r = importCsaf(JSON.parse(readFileSync(join(ROOT, rel), 'utf8')));
  assert.ok(r.ok, rel);
  return r;
}

function affects(a: NormalizedAdvisory, productId: string, version: string): boolean | undefined {
  const p = a.products.find((x) => x.productId === productId);
  assert.ok(p, productId);
  return inRange(p.range, parseVersion(version)!);
}

test('rejects what is not a CSAF advisory, without throwing', () => {
  for (const doc of [null, 42, 'x', [], {}, { document: {} }, { document: { tracking: {} } }, { document: { tracking: { id: 'X' } } }, { document: { tracking: { id: 'X' } }, product_tree: { branches: [] } }]) {
    const r = importCsaf(doc);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.code, 'INVALID_ADVISORY');
      assert.ok(r.reason.length > 0);
    }
  }
  const minimal = importCsaf({ document: { tracking: { id: 'ICSA-00-000-00' } }, product_tree: { branches: [{ category: 'vendor', name: 7 }] }, vulnerabilities: [null, { cve: 5 }] });
  assert.ok(minimal.ok);
  if (minimal.ok) assert.equal(minimal.advisory.products.length, 0);
});

test('header, CVEs, CVSS and remediations (icsa-23-222-09)', () => {
  const { advisory: a } = load('2023/icsa-23-222-09.json');
  assert.equal(a.id, 'ICSA-23-222-09');
  assert.equal(a.publisher, 'CISA');
  assert.match(a.initialRelease ?? '', /^2023-08-08/);
  const cve = a.cves.find((c) => c.cve === 'CVE-2022-4304');
  assert.ok(cve);
  assert.equal(cve.cwe, 'CWE-326');
  assert.ok(cve.cvss !== null && cve.cvss > 0);
  assert.equal(cve.severity, severityOf(cve.cvss));
  assert.ok(cve.remediations.some((r) => r.category === 'mitigation'));
  assert.equal(a.severity, severityOf(a.maxCvss));
  const cc712 = a.products.find((p) => p.fullName.startsWith('SIMATIC Cloud Connect 7 CC712'));
  assert.ok(cc712);
  assert.equal(cc712.vendorKey, 'siemens');
  assert.deepEqual(cc712.modelNumbers, ['6GK1411-1AC00']);
  assert.ok(cc712.cves.includes('CVE-2022-4304'));
});

test('two range branches under one product are a union (icsa-23-222-09, CPU 1504D TF)', () => {
  const { advisory: a } = load('2023/icsa-23-222-09.json');
  const leaves = a.products.filter((p) => p.modelNumbers.includes('6ES7615-4DF10-0AB0'));
  assert.deepEqual(leaves.map((p) => p.rangeText).sort(), ['vers:all/<V2.9.7', 'vers:all/>=V3.0.1<V3.0.3']);
  const hit = (v: string) => leaves.some((p) => inRange(p.range, parseVersion(v)!));
  assert.equal(hit('V2.9.6'), true);
  assert.equal(hit('V2.9.7'), false);
  assert.equal(hit('V3.0.0'), false);
  assert.equal(hit('V3.0.2'), true);
  assert.equal(hit('V3.0.3'), false);
});

test('garbled range read from the product name (icsa-20-196-06)', () => {
  const { advisory: a, problems } = load('2020/icsa-20-196-06.json');
  const p = a.products[0];
  assert.equal(p.range.source, 'name');
  assert.equal(affects(a, p.productId, 'V2.2'), true);
  assert.equal(affects(a, p.productId, 'V2.5.1'), false);
  assert.ok(problems.some((x) => x.code === 'range-from-name'));
});

test('serial-number cut-off is undecidable and reported (icsa-24-074-14)', () => {
  const { advisory: a, problems } = load('2024/icsa-24-074-14.json');
  const q03 = a.products.find((p) => p.rangeText.includes('26061'));
  assert.ok(q03);
  assert.equal(q03.range.kind, 'undecidable');
  assert.equal(q03.vendorKey, 'mitsubishi');
  assert.ok(problems.some((x) => x.code === 'range-undecidable' && x.productId === q03.productId));
});

test('`< 4.8 | SP5` and the per-CVE qualifier (icsa-19-253-03)', () => {
  const { advisory: a } = load('2019/icsa-19-253-03.json');
  const sp5 = a.products.find((p) => p.rangeText === '< 4.8 | SP5');
  assert.ok(sp5);
  assert.equal(inRange(sp5.range, parseVersion('4.8 SP4')!), true);
  assert.equal(inRange(sp5.range, parseVersion('4.8 SP5')!), false);
  const qualified = a.products.find((p) => p.rangeText.includes('only affected by CVE-2019-11479'));
  assert.ok(qualified);
  assert.ok(qualified.cves.every((c) => c === 'CVE-2019-11479'));
});

test('comparisons against product names and conditionals are undecidable (icsa-17-129-01)', () => {
  const { advisory: a } = load('2017/icsa-17-129-01.json');
  const byText = (t: string) => a.products.find((p) => p.rangeText === t);
  assert.equal(byText('All versions < SIMATIC WinAC RTX 2010 SP3')?.range.kind, 'undecidable');
  assert.equal(byText('All versions < flexible 2008 SP5')?.range.kind, 'undecidable');
  assert.equal(byText('All versions installed in conjunction with SIMATIC WinCC < V7.3 Update')?.range.kind, 'undecidable');
  assert.equal(byText('All versions < V7.4 SP1 Upd1')?.range.kind, 'intervals');
});

test('inverted fields: order number in product_name, model in product_version (icsa-19-106-03)', () => {
  const { advisory: a, problems } = load('2019/icsa-19-106-03.json');
  const s7 = a.products.find((p) => p.modelNumbers.includes('6ES7211-1AE40-0XB0'));
  assert.ok(s7);
  assert.equal(s7.vendorKey, 'siemens');
  assert.equal(s7.productName, 'Simatic S7-1211');
  assert.equal(s7.range.kind, 'all');
  assert.ok(problems.some((x) => x.code === 'inverted-fields' && x.productId === s7.productId));
  const wago = a.products.find((p) => p.rangeText === '<= 01.07.13(10)');
  assert.ok(wago);
  assert.equal(wago.vendorKey, 'wago');
  assert.equal(inRange(wago.range, parseVersion('01.07.13(10)')!), true);
  assert.equal(inRange(wago.range, parseVersion('01.07.14')!), false);
  const m221 = a.products.find((p) => p.rangeText === 'M221');
  assert.ok(m221);
  assert.equal(m221.vendorKey, 'schneider');
  assert.ok(m221.modelNumbers.includes('M221'));
});

test('CVSS v3 severity bands', () => {
  assert.equal(severityOf(9.8), 'critical');
  assert.equal(severityOf(9.0), 'critical');
  assert.equal(severityOf(8.9), 'high');
  assert.equal(severityOf(7.0), 'high');
  assert.equal(severityOf(4.0), 'medium');
  assert.equal(severityOf(3.9), 'low');
  assert.equal(severityOf(0), 'none');
  assert.equal(severityOf(null), 'none');
});

test('never throws on a real advisory with fields replaced by junk', () => {
  const original = JSON.parse(readFileSync(join(ROOT, '2023/icsa-23-222-09.json'), 'utf8')) as unknown;
  const junk: unknown[] = [null, 0, -1, '', 'x', [], {}, [null], { name: 5 }, true, 1e308, '<=', 'vers:all/'];
  let seed = 11;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const paths: (string | number)[][] = [];
  const walk = (x: unknown, path: (string | number)[]) => {
    if (paths.length > 4000) return;
    paths.push(path);
    if (Array.isArray(x)) x.slice(0, 3).forEach((v, i) => walk(v, [...path, i]));
    else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) walk(v, [...path, k]);
  };
  walk(original, []);
  for (let i = 0; i < 300; i++) {
    const doc = structuredClone(original) as Record<string | number, unknown>;
    for (let j = 0; j < 3; j++) {
      const path = paths[rand(paths.length)];
      if (path.length === 0) continue;
      let parent = doc as Record<string | number, unknown>;
      for (const k of path.slice(0, -1)) parent = (parent?.[k] ?? {}) as Record<string | number, unknown>;
      if (parent && typeof parent === 'object') parent[path[path.length - 1]] = junk[rand(junk.length)];
    }
    const r = importCsaf(doc);
    assert.ok(r.ok === true || r.code === 'INVALID_ADVISORY');
  }
});

test('a service pack alone continues the release named in the product (icsa-17-024-01)', () => {
  const { advisory: a, problems } = load('2017/icsa-17-024-01.json');
  const p = a.products.find((x) => x.rangeText === '< SP1 P01');
  assert.ok(p);
  assert.equal(inRange(p.range, parseVersion('2014 R2 SP1')!), true);
  assert.equal(inRange(p.range, parseVersion('2014 R2 SP1 P01')!), false);
  assert.ok(problems.some((x) => x.productId === p.productId && x.code === 'range-from-name'));
});

test('version numbers CISA shortened are restored from the name (icsa-22-207-04, NPort 5110 2.10)', () => {
  const { advisory: a, problems } = load('2022/icsa-22-207-04.json');
  const p = a.products.find((x) => x.fullName === 'NPort 5110: Firmware Versions 2.10');
  assert.ok(p);
  assert.equal(p.rangeText, '2.10');
  assert.equal(inRange(p.range, parseVersion('2.10')!), true);
  assert.equal(inRange(p.range, parseVersion('2.1')!), false);
  assert.ok(problems.some((x) => x.code === 'trailing-zero-restored'));
});

test('product_family branches between vendor and product name are walked (CSAF 2.0 §3.1.2.3.1)', () => {
  const doc = {
    document: { title: 'Example', publisher: { name: 'Example CERT' }, tracking: { id: 'EX-2025-0001', initial_release_date: '2025-01-01T00:00:00Z', current_release_date: '2025-02-01T00:00:00Z' } },
    product_tree: {
      branches: [
        {
          category: 'vendor',
          name: 'Siemens AG',
          branches: [
            {
              category: 'product_family',
              name: 'SIMATIC S7-1500',
              branches: [
                {
                  category: 'product_name',
                  name: 'SIMATIC S7-1500 CPU 1511-1 PN',
                  branches: [
                    { category: 'product_version_range', name: 'vers:intdot/<2.9.9', product: { name: 'SIMATIC S7-1500 CPU 1511-1 PN', product_id: 'P1', product_identification_helper: { model_numbers: ['6ES7511-1AK01-0AB0'] } } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
    vulnerabilities: [
      { cve: 'CVE-2025-0001', product_status: { known_affected: ['P1'] }, scores: [{ cvss_v3: { baseScore: 9.8, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }, products: ['P1'] }] },
    ],
  };
  const r = importCsaf(doc);
  assert.ok(r.ok);
  const p = r.advisory.products[0];
  assert.equal(p.vendorKey, 'siemens');
  assert.equal(p.productName, 'SIMATIC S7-1500 CPU 1511-1 PN');
  assert.deepEqual(p.cves, ['CVE-2025-0001']);
  assert.equal(p.severity, 'critical');
  assert.equal(r.advisory.currentRelease, '2025-02-01T00:00:00Z');
  assert.equal(inRange(p.range, parseVersion('V2.9.8')!), true);
  assert.equal(inRange(p.range, parseVersion('V2.9.9')!), false);
});
