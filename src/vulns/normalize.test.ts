import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeIdentifier, mlfbFamily, mlfbKey, partNumbersIn, productKey, vendorKey } from './normalize.ts';

test('vendor keys collapse CISA spellings', () => {
  const cases: [string, string][] = [
    ['Siemens AG', 'siemens'],
    ['Siemens', 'siemens'],
    ['Allen-Bradley', 'rockwell'],
    ['Rockwell Automation ', 'rockwell'],
    ['Rockwell', 'rockwell'],
    ['Schneider Electric', 'schneider'],
    ['Schneider Electric Software, LLC', 'schneider'],
    ['Telemecanique', 'schneider'],
    ['Mitsubishi Electric Corporation', 'mitsubishi'],
    [' Mitsubishi Electric', 'mitsubishi'],
    ['OMRON Corporation', 'omron'],
    ['MOXA', 'moxa'],
    ['ABB', 'abb'],
    ['Hitachi Energy ', 'hitachi-energy'],
    ['Honeywell', 'honeywell'],
    ['Johnson Controls Inc.', 'johnson-controls'],
    ['Tridium', 'tridium'],
    ['WAGO', 'wago'],
    ['PHOENIX CONTACT, Innominate Security Technologies', 'phoenix-contact'],
    ['Advantech', 'advantech'],
    ['Delta Electronics', 'delta'],
    ['General Electric (GE)', 'ge'],
    ['3S-Smart Software Solutions GmbH', 'codesys'],
    ['CODESYS, GmbH', 'codesys'],
    ['Emerson', 'emerson'],
    ['Yokogawa', 'yokogawa'],
    ['Beckhoff', 'beckhoff'],
    ['Nari', 'nari'],
    ['XINJE', 'xinje'],
    ['WECON', 'wecon'],
    ['InHand Networks', 'inhand'],
  ];
  for (const [name, key] of cases) assert.equal(vendorKey(name), key, name);
  assert.equal(vendorKey('西门子'), 'siemens');
  assert.equal(vendorKey('施耐德电气'), 'schneider');
  assert.equal(vendorKey('三菱电机'), 'mitsubishi');
  assert.equal(vendorKey('南瑞继保'), 'nari');
  assert.equal(vendorKey('Dingtian'), 'dingtian');
  assert.equal(vendorKey('Acme Widgets Co., Ltd.'), 'acme-widgets');
  assert.equal(vendorKey(''), null);
  assert.equal(vendorKey(undefined), null);
});

test('product keys drop vendor and family noise but keep model words', () => {
  assert.equal(productKey('SIMATIC S7-1200 CPU family (incl. SIPLUS variants)'), 's7 1200');
  assert.equal(productKey('SIMATIC S7-1200 CPU 1214C DC/DC/DC (6ES7214-1AG40-0XB0)'), 's7 1200 cpu 1214c dc dc dc');
  assert.equal(productKey('Siemens SIMATIC S7-1500 CPU family'), 's7 1500');
  assert.equal(productKey('MELSEC-Q Series Q03UDECPU'), 'melsec q q03udecpu');
});

test('MLFB keys: spacing and hyphens do not matter; shape is checked', () => {
  assert.equal(mlfbKey('6ES7 214-1AG40-0XB0'), mlfbKey('6ES7214-1AG40-0XB0'));
  assert.equal(mlfbKey('6ES7214-1AG40-0XB0'), '6ES72141AG400XB0');
  assert.equal(mlfbKey('6es7 214-1ag40-0xb0'), '6ES72141AG400XB0');
  assert.equal(mlfbKey('6GK1411-1AC00'), '6GK14111AC00');
  assert.equal(mlfbKey('S7-1211'), null);
  assert.equal(mlfbKey('1763-L16DWD'), null);
});

test('MLFB families', () => {
  assert.deepEqual(mlfbFamily('6ES7 214-1AG40-0XB0'), ['S7-1200', 'CPU 1214C']);
  assert.deepEqual(mlfbFamily('6AG1 214-1AG40-2XB0'), ['S7-1200', 'CPU 1214C']);
  assert.deepEqual(mlfbFamily('6ES7 288-1ST20-0AA0'), ['S7-200 SMART']);
  assert.equal(mlfbFamily('6XX9 999-9XX99-9XX9'), null);
});

test('identifiers versus versions', () => {
  for (const s of ['1763-L16DWD', 'HEW4PER2B', 'S7-1211', 'LNL-X2210', '6ES7211-1AE40-0XB0', '2700988', 'M221']) assert.ok(looksLikeIdentifier(s), s);
  for (const s of ['CODESYS Control for Linux', '2.4', 'x']) assert.ok(!looksLikeIdentifier(s), s);
});

test('a Swedish "AB" company form is not Allen-Bradley', () => {
  assert.equal(vendorKey('HMS Industrial Networks AB'), 'hms-networks');
  assert.equal(vendorKey('HMS Networks'), 'hms-networks');
  assert.equal(vendorKey('Westermo Teleindustri AB'), 'westermo');
  assert.equal(vendorKey('Acme Automation AB'), 'acme-automation');
});

test('part numbers written inside product names', () => {
  assert.deepEqual(partNumbersIn('Modicon M340 CPU (part numbers BMXP34*)'), [{ key: 'BMXP34', prefix: true }]);
  assert.deepEqual(partNumbersIn('M340 CPUs BMX P34x'), [{ key: 'BMXP34', prefix: true }]);
  assert.deepEqual(partNumbersIn('Quantum processors with integrated Ethernet COPRO 140CPU65xxxxx'), [{ key: '140CPU65', prefix: true }]);
  assert.deepEqual(partNumbersIn('M340 Communication Ethernet modules BMX NOE 0100 (H)'), [{ key: 'BMXNOE0100', prefix: false }]);
  assert.deepEqual(partNumbersIn('Modicon M580 CPU (part numbers BMEP* and BMEH*)').map((p) => p.key), ['BMEP', 'BMEH']);
  for (const name of ['Modicon M340', 'SIMATIC S7-1200 CPU 1214C', 'SIMATIC Cloud Connect 7 CC712 (6GK1411-1AC00)', '1756-EN2T/D', 'RTU500 series CMU']) {
    assert.deepEqual(partNumbersIn(name), [], name);
  }
});
