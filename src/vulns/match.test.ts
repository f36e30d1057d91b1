import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceIdentity } from '../model/index.ts';
import { importCsaf, type NormalizedAdvisory } from './csaf.ts';
import { buildIndex, matchIdentity } from './match.ts';

const ROOT = join(import.meta.dirname, '../../reference/csaf');

function load(...rels: string[]): NormalizedAdvisory[] {
  return rels.map((rel) => {
    const r = importCsaf(JSON.parse(readFileSync(join(ROOT, rel), 'utf8')));
    assert.ok(r.ok, rel);
    return r.advisory;
  });
}

const SIEMENS_2023 = load('2023/icsa-23-222-09.json', '2020/icsa-20-196-06.json', '2024/icsa-24-074-14.json', '2019/icsa-19-106-03.json');

test('order number + firmware inside a parsed range is confirmed; the union of two branches counts', () => {
  const index = buildIndex(SIEMENS_2023);
  const ident = (firmware: string) => matchIdentity(index, { vendor: 'Siemens', orderNumber: '6ES7 615-4DF10-0AB0', firmware });
  const inside = ident('V3.0.2');
  assert.equal(inside.length, 1);
  assert.equal(inside[0].advisoryId, 'ICSA-23-222-09');
  assert.equal(inside[0].confidence, 'confirmed');
  assert.match(inside[0].reason, /CPU 1504D TF/);
  assert.match(inside[0].reason, /3\.0\.1/);
  assert.equal(ident('V2.9.6')[0]?.confidence, 'confirmed');
  assert.deepEqual(ident('V3.0.3'), []);
  assert.deepEqual(ident('V2.9.7'), []);
});

test('product name + firmware in range is likely; firmware unknown is possible', () => {
  const index = buildIndex(SIEMENS_2023);
  const smart = (firmware?: string) => matchIdentity(index, { vendor: 'Siemens AG', product: 'SIMATIC S7-200 SMART', firmware });
  const m = smart('V2.3').find((x) => x.advisoryId === 'ICSA-20-196-06');
  assert.equal(m?.confidence, 'likely');
  assert.equal(smart('V2.5.1').find((x) => x.advisoryId === 'ICSA-20-196-06'), undefined);
  assert.equal(smart(undefined).find((x) => x.advisoryId === 'ICSA-20-196-06')?.confidence, 'possible');
  assert.equal(smart('garbage!!').find((x) => x.advisoryId === 'ICSA-20-196-06')?.confidence, 'possible');
});

test('serial-number cut-off gives a possible match with the reason', () => {
  const index = buildIndex(SIEMENS_2023);
  const m = matchIdentity(index, { vendor: 'Mitsubishi Electric', product: 'MELSEC-Q Series Q03UDECPU', firmware: '1.0' });
  const hit = m.find((x) => x.advisoryId === 'ICSA-24-074-14');
  assert.ok(hit);
  assert.equal(hit.confidence, 'possible');
  assert.match(hit.reason, /serial/);
});

test('a serial number decides a serial cut-off (icsa-24-074-14: first 5 digits <= 26061)', () => {
  const index = buildIndex(SIEMENS_2023);
  const q = (serial: string) => matchIdentity(index, { vendor: 'Mitsubishi Electric', product: 'MELSEC-Q Series Q03UDECPU', firmware: '1.0', serial }).find((x) => x.advisoryId === 'ICSA-24-074-14');
  assert.equal(q('26061xxxx')?.confidence, 'likely');
  assert.match(q('26061xxxx')?.reason ?? '', /first 5 digits <= 26061/);
  assert.equal(q('25121-0001')?.confidence, 'likely');
  assert.equal(q('26071xxxx'), undefined);
  assert.equal(q('ABCDEF')?.confidence, 'possible');
});

test('inverted fields still match by order number (icsa-19-106-03)', () => {
  const index = buildIndex(SIEMENS_2023);
  const m = matchIdentity(index, { vendor: 'Siemens', orderNumber: '6ES7211-1AE40-0XB0', firmware: 'V4.2.3' });
  assert.equal(m.find((x) => x.advisoryId === 'ICSA-19-106-03')?.confidence, 'confirmed');
});

test('order-number family: an S7-1200 MLFB reaches "S7-1200 CPU family" advisories as likely', () => {
  const index = buildIndex(load('2022/icsa-22-167-14.json'));
  const m = matchIdentity(index, { orderNumber: '6ES7 214-1AG40-0XB0', firmware: 'V4.5.0' });
  assert.equal(m[0]?.confidence, 'likely');
  assert.match(m[0].reason, /family/);
  assert.deepEqual(matchIdentity(index, { orderNumber: '6ES7 214-1AG40-0XB0', firmware: 'V4.6.0' }), []);
});

test('a model naming the whole product is confirmed; a product name alone is likely', () => {
  const index = buildIndex(load('2022/icsa-22-207-04.json'));
  const byModel = matchIdentity(index, { vendor: 'Moxa', model: 'NPort 5110', firmware: '2.10' });
  const byProduct = matchIdentity(index, { vendor: 'Moxa', product: 'NPort 5110', firmware: '2.10' });
  assert.equal(byModel[0]?.confidence, 'confirmed');
  assert.equal(byProduct[0]?.confidence, 'likely');
  assert.deepEqual(byModel[0].cves, byProduct[0].cves);
  assert.deepEqual(matchIdentity(index, { vendor: 'Moxa', model: 'NPort 5110', firmware: '2.11' }), []);
});

test('a product line that names its maker stands in for a missing vendor', () => {
  const index = buildIndex(SIEMENS_2023);
  const m = matchIdentity(index, { product: 'SIMATIC S7-200 SMART', firmware: 'V2.3' });
  assert.equal(m.find((x) => x.advisoryId === 'ICSA-20-196-06')?.confidence, 'likely');
  assert.deepEqual(matchIdentity(index, { product: 'S7-200 SMART', firmware: 'V2.3' }), [], 'no maker named, no vendor: no guess');
});

test('a Schneider reference inside a wildcard part-number family is confirmed (icsa-23-201-01)', () => {
  const index = buildIndex(load('2023/icsa-23-201-01.json'));
  const m = matchIdentity(index, { vendor: 'Schneider Electric', product: 'BMX P34 2020', firmware: 'SV3.40' });
  assert.equal(m[0]?.confidence, 'confirmed');
  assert.match(m[0].reason, /BMXP34\*/);
  assert.deepEqual(matchIdentity(index, { vendor: 'Schneider Electric', product: 'BMX P34 2020', firmware: 'SV3.51' }), []);
  assert.deepEqual(matchIdentity(index, { vendor: 'Schneider Electric', product: 'BMX P57 2020', firmware: 'SV3.40' }), []);
});

test('a less specific product is only possible; a lone family word matches nothing', () => {
  const index = buildIndex(load('2024/icsa-24-165-02.json'));
  const m = matchIdentity(index, { vendor: 'Siemens', product: 'S7-200 SMART', firmware: 'V2.8' });
  assert.ok(m.length > 0);
  assert.ok(m.every((x) => x.confidence === 'possible'));
  assert.deepEqual(matchIdentity(index, { vendor: 'Siemens', product: 'S7', firmware: 'V2.8' }), []);
});

test('wrong vendor or unrelated product: no match', () => {
  const index = buildIndex(SIEMENS_2023);
  assert.deepEqual(matchIdentity(index, { vendor: 'Rockwell Automation', product: 'SIMATIC S7-200 SMART', firmware: 'V2.3' }), []);
  assert.deepEqual(matchIdentity(index, { vendor: 'Siemens', product: 'Controller', firmware: 'V1.0' }), []);
  assert.deepEqual(matchIdentity(index, {}), []);
});

test('hostile identity strings are bounded and never throw', () => {
  const index = buildIndex(SIEMENS_2023);
  const long = 'S7-'.repeat(50_000);
  const weird = [long, '\u0000\uffff', '((((((((((', 'x'.repeat(100_000) + '*', '6ES7 615-4DF10-0AB0'.repeat(1000)];
  const start = performance.now();
  for (const w of weird) {
    for (const id of [{ vendor: w }, { product: w }, { model: w }, { orderNumber: w }, { firmware: w }, { vendor: 'Siemens', product: w, firmware: w }]) {
      assert.ok(Array.isArray(matchIdentity(index, id)));
    }
  }
  assert.ok(performance.now() - start < 2000);
  assert.ok(Array.isArray(matchIdentity(index, { vendor: 42, product: null } as unknown as DeviceIdentity)));
});

test('add and remove keep the index consistent', () => {
  const index = buildIndex([]);
  const id = { vendor: 'Siemens', orderNumber: '6ES7615-4DF10-0AB0', firmware: 'V3.0.2' };
  assert.deepEqual(matchIdentity(index, id), []);
  index.add(SIEMENS_2023[0]);
  assert.equal(matchIdentity(index, id).length, 1);
  index.add(SIEMENS_2023[0]);
  assert.equal(matchIdentity(index, id).length, 1, 're-adding replaces');
  assert.equal(index.remove('ICSA-23-222-09'), true);
  assert.deepEqual(matchIdentity(index, id), []);
  assert.equal(index.remove('ICSA-23-222-09'), false);
});

test('fast over the whole corpus', () => {
  const all: NormalizedAdvisory[] = [];
  for (const year of readdirSync(ROOT)) {
    if (year.endsWith('.json')) continue;
    for (const f of readdirSync(join(ROOT, year))) all.push(...load(`${year}/${f}`));
  }
  const index = buildIndex(all);
  const products = ['SIMATIC S7-1200', 'SIMATIC S7-1500 CPU 1516-3 PN/DP', 'MELSEC-Q Series Q03UDECPU', 'ControlLogix 5580', 'Modicon M340', 'NPort 5110'];
  const vendors = ['Siemens', 'Siemens', 'Mitsubishi Electric', 'Rockwell Automation', 'Schneider Electric', 'Moxa'];
  const identity = (i: number, distinctFirmware: number) => {
    const k = i % products.length;
    const f = i % distinctFirmware;
    return {
      vendor: vendors[k],
      product: products[k],
      orderNumber: k === 0 && i % 2 ? `6ES7 214-1AG40-0XB${i % 10}` : undefined,
      firmware: `V${f % 5}.${Math.floor(f / 5) % 50}.${Math.floor(f / 250)}`,
    };
  };
  // Every identity distinct: the worst case, no memo hits.
  let start = performance.now();
  let n = 0;
  for (let i = 0; i < 20_000; i++) n += matchIdentity(index, identity(i, 1_000_000)).length;
  const distinctUs = ((performance.now() - start) * 1000) / 20_000;
  // A region's devices repeat firmware images: 100k devices over 3,000 distinct descriptions.
  start = performance.now();
  for (let i = 0; i < 100_000; i++) n += matchIdentity(index, identity(i, 3_000)).length;
  const repeatedUs = ((performance.now() - start) * 1000) / 100_000;
  console.log(`${all.length} advisories: ${distinctUs.toFixed(1)} µs per distinct identity, ${repeatedUs.toFixed(1)} µs per repeated identity (${n} matches)`);
  assert.ok(distinctUs < 1000, 'distinct identities stay under a millisecond even on a loaded machine');
  assert.ok(repeatedUs < 50, '1M repeated identities take well under a minute');
});

test('an index built from advisories that went through JSON (storage) matches the same', () => {
  const stored = JSON.parse(JSON.stringify(SIEMENS_2023)) as NormalizedAdvisory[];
  const fresh = buildIndex(SIEMENS_2023);
  const revived = buildIndex(stored);
  for (const id of [
    { vendor: 'Siemens', orderNumber: '6ES7 615-4DF10-0AB0', firmware: 'V3.0.2' },
    { vendor: 'Siemens', product: 'SIMATIC S7-200 SMART', firmware: 'V2.3' },
    { vendor: 'WAGO', product: '750-889 Controller', firmware: '01.07.13(10)' },
  ]) {
    assert.deepEqual(matchIdentity(revived, id), matchIdentity(fresh, id));
  }
});

test('a sibling product_version that is the fixed release does not match (reference §1.5, icsa-25-259-01 shape)', () => {
  const leaf = (id: string, category: string, name: string) => ({ category, name, product: { name: `Example RTU ${name}`, product_id: id } });
  const r = importCsaf({
    document: { tracking: { id: 'EX-2025-0002' }, lang: 'en', publisher: { name: 'CISA' } },
    product_tree: {
      branches: [{ category: 'vendor', name: 'Hitachi Energy', branches: [{ category: 'product_name', name: 'Example RTU', branches: [leaf('A', 'product_version_range', '<4.5'), leaf('F', 'product_version', '4.5')] }] }],
    },
    vulnerabilities: [{ cve: 'CVE-2025-0002', product_status: { known_affected: ['A'], fixed: ['F'] } }],
  });
  assert.ok(r.ok);
  const index = buildIndex([r.advisory]);
  const at = (firmware: string) => matchIdentity(index, { vendor: 'Hitachi Energy', product: 'Example RTU', firmware });
  assert.deepEqual(at('4.4.9')[0]?.cves, ['CVE-2025-0002']);
  assert.deepEqual(at('4.5'), []);
  assert.ok(r.problems.some((p) => p.productId === 'F' && p.code === 'no-cves'));
});
