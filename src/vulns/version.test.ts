import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, formatVersion, parseVersion } from './version.ts';

function cmp(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  assert.ok(va, `parses ${a}`);
  assert.ok(vb, `parses ${b}`);
  return compareVersions(va, vb);
}

test('Siemens service pack, hotfix and update ordering (reference/README.md §1.4)', () => {
  assert.equal(cmp('V4.7 SP4 HF2', 'V4.7 SP5'), -1);
  assert.equal(cmp('V4.7 SP5', 'V4.8'), -1);
  assert.equal(cmp('V4.7 SP4 HF2', 'V4.8'), -1);
  assert.equal(cmp('V4.7', 'V4.7 SP4 HF2'), -1);
  assert.equal(cmp('V17', 'V17 Update 5'), -1);
  assert.equal(cmp('V17 Update 5', 'V18'), -1);
  assert.equal(cmp('V17 Update 4', 'V17 Update 5'), -1);
  assert.equal(cmp('V7.4 SP1', 'V7.4 SP1 Upd1'), -1);
  assert.equal(cmp('V7.4 SP1 Upd1', 'V7.4 SP1 Update 1'), 0);
  assert.equal(cmp('V14 SP1 Update 14', 'V14 SP2'), -1);
  assert.equal(cmp('V5.2 SP 3 HF 13', 'V5.2 SP3 HF13'), 0);
  assert.equal(cmp('V4.1.1 Patch 05', 'V4.1.1'), 1);
  assert.equal(cmp('V3.15 P018', 'V3.15 P014'), 1);
});

test('zero padding and prefixes', () => {
  assert.equal(cmp('2.9', '2.9.0'), 0);
  assert.equal(cmp('V2.9.2', '2.9.2'), 0);
  assert.equal(cmp('01.21.000', '1.21'), 0);
  assert.equal(cmp('01.21.000', '01.39.000'), -1);
  assert.equal(cmp('SV3.70', '3.51'), 1);
  assert.equal(cmp('FW14', '14'), 0);
  assert.equal(cmp('R3.09.50', 'R3.10.00'), -1);
  assert.equal(cmp('Firmware__20.011', '20.011'), 0);
  assert.equal(cmp('10.4.5.0.2', '10.4.5.0.1'), 1);
  assert.equal(cmp('10.4.5.0.2', '10.4.5'), 1);
});

test('builds, bracketed builds and letter revisions', () => {
  assert.equal(cmp('3.5.0_build220706', '3.5.0_build220705'), 1);
  assert.equal(cmp('3.5.0_build220706', '3.5.1'), -1);
  assert.equal(cmp('01.07.13(10)', '01.07.13(09)'), 1);
  assert.equal(cmp('01.07.13(10)', '01.07.14'), -1);
  assert.equal(cmp('R16A', 'R16B'), -1);
  assert.equal(cmp('R16A', '16'), 1);
  assert.equal(cmp('1.250L', '1.256S'), -1);
  assert.equal(cmp('1.275M', '1.290C'), -1);
  assert.equal(cmp('1.275M', '1.275C'), 1);
  assert.equal(cmp('4.7u1', '4.7'), 1);
  assert.equal(cmp('1.5.0.0 Beta 4', '1.5.0.0'), -1);
  assert.equal(cmp('5.1.1-1', '5.1.1'), 1);
  assert.equal(cmp('R511.5 TCU4 HF4', 'R511.5 TCU5'), -1);
  assert.equal(cmp('R511.5 TCU4 HF4', 'R511.5 TCU4'), 1);
});

test('text that is not a version gives null', () => {
  for (const s of ['', 'S7-1211', 'CODESYS Control for Linux', 'SIMATIC WinAC RTX 2010 SP3', '2.4.x', 'V3.X.17', 'V36.011 V35.013', 'The_first_5_digits_of_serial_No._"26061"', 'HEW4PER2B', '1SAP120600R0071']) {
    assert.equal(parseVersion(s), null, s);
  }
  assert.equal(parseVersion(42), null);
  assert.equal(parseVersion(null), null);
});

test('never throws on arbitrary text', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = 'V0123456789.._- SPHFUpdatebuild()xX|<>=*/,abc';
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const n = Math.floor(rand() * 30);
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
    const v = parseVersion(s);
    if (v) assert.equal(compareVersions(v, v), 0);
  }
});

test('canonical text', () => {
  assert.equal(formatVersion(parseVersion('V4.7 SP4 HF2')!), '4.7 SP4 HF2');
  assert.equal(formatVersion(parseVersion('V17 Upd5')!), '17 Update 5');
  assert.equal(formatVersion(parseVersion('1.250L')!), '1.250L');
  assert.equal(formatVersion(parseVersion('15.2(6)E0a')!).startsWith('15.2'), true);
  assert.equal(formatVersion(parseVersion('R16A')!), '16A');
});
