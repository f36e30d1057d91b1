import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inRange, parseRange, type VersionRange } from './range.ts';
import { parseVersion } from './version.ts';

function hits(r: VersionRange, v: string): boolean | undefined {
  const pv = parseVersion(v);
  assert.ok(pv, `test version ${v} parses`);
  return inRange(r, pv);
}

function expectRange(text: string, inside: string[], outside: string[], name?: string): VersionRange {
  const r = parseRange(text, name);
  for (const v of inside) assert.equal(hits(r, v), true, `${v} inside "${text}" (${JSON.stringify(r.kind)})`);
  for (const v of outside) assert.equal(hits(r, v), false, `${v} outside "${text}"`);
  return r;
}

test('VERS: vers:all/* and real schemes (icsa-26-134-15, icsa-26-043-03)', () => {
  assert.equal(parseRange('vers:all/*').kind, 'all');
  expectRange('vers:intdot/<2.9.9', ['2.9.8', '1.0'], ['2.9.9', '3.0']);
  expectRange('vers:intdot/<10.4.5.0.2', ['10.4.5.0.1', '10.4.5'], ['10.4.5.0.2']);
  expectRange('vers:generic/>=1.0|<2.0', ['1.0', '1.9.9'], ['2.0', '0.9']);
  expectRange('vers:intdot/%3E%3D1.0%7C%3C2.0', ['1.5'], ['2.0']);
});

test('pseudo-VERS: vers:all/<…, two constraints without a pipe (icsa-23-222-09)', () => {
  expectRange('vers:all/<V2.9.7', ['V2.9.6', '2.9'], ['V2.9.7', 'V3.0']);
  expectRange('vers:all/>=V3.0.1<V3.0.3', ['V3.0.1', 'V3.0.2'], ['V3.0.0', 'V3.0.3', 'V2.9.6']);
});

test('plain comparators and suffixes', () => {
  expectRange('< V3.5.4', ['V3.5.3'], ['V3.5.4']);
  expectRange('<= 1.042', ['1.042', '1.041'], ['1.043']);
  expectRange('<=3.1', ['3.1', '3.1.0'], ['3.1.1']);
  expectRange('< V17 Update 5', ['V17', 'V17 Update 4'], ['V17 Update 5', 'V18']);
  expectRange('< 4.8 SP5', ['4.8 SP4', '4.7'], ['4.8 SP5', '4.9']);
  expectRange('<=3.5.0_build220706', ['3.5.0_build220706', '3.5.0'], ['3.5.0_build220707', '3.5.1']);
  expectRange('<= 01.07.13(10)', ['01.07.13(10)', '01.07.12'], ['01.07.13(11)']);
});

test('a|b compounds read as VERS intervals, not as a union of half-lines', () => {
  expectRange('>= 8.0 |<= 8.10', ['8.0', '8.10'], ['7.9', '8.11']);
  expectRange('>= 20 | <= 30.014', ['20', '30.014'], ['19', '30.015', '31']);
  expectRange('< 1.99 | 2.20 | 2.40', ['1.98', '2.20', '2.40'], ['1.99', '2.30']);
  expectRange('<=8.1 | >= 8.1.10', ['8.0', '8.1.10', '8.2'], ['8.1.5']);
});

test('`< 4.8 | SP5` is the single version 4.8 SP5 (icsa-19-253-03)', () => {
  expectRange('< 4.8 | SP5', ['4.8 SP4', '4.8'], ['4.8 SP5', '4.8.1']);
});

test('garbled range falls back to the product name (icsa-20-196-06)', () => {
  const r = expectRange('>= <= 2.2 | 2.5.1', ['2.2', '2.5.0'], ['2.1', '2.5.1'], 'SIMATIC S7-200 SMART CPU family: v2.2 and later prior to v2.5.1');
  assert.equal(r.source, 'name');
  assert.equal(parseRange('>= <= 2.2 | 2.5.1').kind, 'unparsed');
});

test('Siemens prose', () => {
  expectRange('All versions < V5.1 SP1 HF4', ['V5.1 SP1 HF3', 'V5.1'], ['V5.1 SP1 HF4', 'V5.2']);
  expectRange('All versions between V3.0 (including) and V3.0.2 (excluding)', ['V3.0', 'V3.0.1'], ['V2.9', 'V3.0.2']);
  expectRange('Versions V8.0, V8.1', ['V8.0', 'V8.1'], ['V8.0.1', 'V8.2']);
  expectRange('V8.3.0.1, V8.6.0 and V8.7.0', ['8.6.0'], ['8.6.1']);
  expectRange('All versions >= V2.0 and < V2.5', ['V2.0', 'V2.4.9'], ['V1.9', 'V2.5']);
  assert.equal(parseRange('All versions').kind, 'all');
  assert.equal(parseRange('All Versions').kind, 'all');
  expectRange('All versions < ROS V5.0.1', ['V5.0.0'], ['V5.0.1']);
  expectRange('All BIOS versions < V25.02.10', ['V25.02.09'], ['V25.02.10']);
});

test('wildcards, spans and per-line lists', () => {
  expectRange('2.4.x', ['2.4', '2.4.9'], ['2.5', '2.3.9']);
  expectRange('< 8.1x', ['8.0.9'], ['8.1', '8.1.5']);
  expectRange('>= 7.4x | <= 8.0x', ['7.4', '8.0.9'], ['7.3', '8.1']);
  expectRange('12.4.1-12.4.11', ['12.4.1', '12.4.11'], ['12.4.12']);
  expectRange('20-33', ['20', '33'], ['34', '19']);
  expectRange('<V33.017_V34.014_V35.013_V36.011', ['33.016', '34.013', '32.5'], ['33.017', '34.014', '36.011', '37.0']);
  expectRange('< V3.X.17', ['V3.2.16', 'V2.9'], ['V3.2.17', 'V3.3.20', 'V4.0']);
  expectRange('<= 1.597X', ['1.597X', '1.597A', '1.500'], ['1.598']);
});

test('undecidable: serial cut-offs, conditions on other products, product-name comparisons', () => {
  const serial = parseRange('<=The_first_5_digits_of_serial_No._"26061"');
  assert.equal(serial.kind, 'undecidable');
  assert.match((serial as { reason: string }).reason, /serial/);
  assert.deepEqual((serial as { serial?: unknown }).serial, { digits: 5, op: '<=', bound: '26061' });
  assert.deepEqual((parseRange('<= first five digits of serial number 24061') as { serial?: unknown }).serial, { digits: 5, op: '<=', bound: '24061' });
  assert.deepEqual((parseRange('<= Serial Numbers 2310****') as { serial?: unknown }).serial, { digits: 4, op: '<=', bound: '2310' });
  assert.equal((parseRange('<=the_first_3_digits_of_serial_number_20X') as { serial?: unknown }).serial, undefined);
  assert.equal(parseRange('<=production_date_December_2020').kind, 'undecidable');
  assert.equal(parseRange('All versions installed in conjunction with SIMATIC WinCC < V7.3 Update').kind, 'undecidable');
  assert.equal(parseRange('All versions only when running on ROX II < V2.15.1').kind, 'undecidable');
  assert.equal(parseRange('All versions < SIMATIC WinAC RTX 2010 SP3').kind, 'undecidable');
  assert.equal(parseRange('All versions < flexible 2008 SP5').kind, 'undecidable');
  const fs = parseRange('All versions <= V2.5.0 and Function State (FS) <= 9');
  assert.equal(fs.kind, 'intervals');
  assert.deepEqual(fs.caveats, ['Function State (FS) <= 9']);
  assert.equal(parseRange('<= 4.11.00 (Versions removed from the scope of this advisory)').kind, 'none');
});

test('per-CVE qualifiers restrict the CVEs, not the versions', () => {
  const r = expectRange('>= 20.8 (only affected by CVE-2019-10943)', ['20.8', '21'], ['20.7']);
  assert.deepEqual(r.onlyCves, ['CVE-2019-10943']);
  const all = parseRange('* (only affected by CVE-2019-10943)');
  assert.equal(all.kind, 'all');
  assert.deepEqual(all.onlyCves, ['CVE-2019-10943']);
  assert.deepEqual(parseRange('<= 2.4.17  (CVE-2022-3386 and CVE-2022-3385 only)').onlyCves, ['CVE-2022-3386', 'CVE-2022-3385']);
});

test('exact versions', () => {
  const r = parseRange('R16A');
  assert.equal(r.kind, 'exact');
  assert.equal(hits(r, 'R16A'), true);
  assert.equal(hits(r, 'R16B'), false);
  expectRange('28.011 | 28.012 | 28.013', ['28.012'], ['28.014']);
});

test('never throws', () => {
  for (const s of ['', '|||', '<', '>=<=', 'vers:', 'vers:intdot/%E0%A4%A', '(((', 'x'.repeat(1000), '< V1 | SP', '>= 1 < 2 > 3 <= 4']) {
    const r = parseRange(s, s);
    assert.ok(typeof r.kind === 'string');
  }
  assert.equal(parseRange(undefined).kind, 'unparsed');
});
