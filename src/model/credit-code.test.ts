import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CREDIT_CODE_CHARSET, creditCodeCheckChar, makeCreditCode, validateCreditCode } from './credit-code.ts';

// Codes as published by their holders or in public records (business licences, court judgments, Wikipedia).
const REAL: Array<[code: string, holder: string, region: string]> = [
  ['91350100M000100Y43', 'the GB 32100 worked example, 福州', '350100'],
  ['914403001922038216', '华为技术有限公司', '440300'],
  ['9144030071526726XG', '腾讯科技（深圳）有限公司', '440300'],
  ['91440300708461136T', '深圳市腾讯计算机系统有限公司', '440300'],
  ['91330100716105852F', '阿里巴巴（中国）网络技术有限公司', '330100'],
  ['91110000802100433B', '北京百度网讯科技有限公司', '110000'],
  ['91110108551385082Q', '小米科技有限责任公司', '110108'],
  ['91310000132260250X', '上海汽车集团股份有限公司', '310000'],
  ['12100000425006133D', '华东师范大学 (authority 1 机构编制, category 2 事业单位)', '100000'],
  ['91360722MA35G1YK7R', '信丰众城矿业有限公司, 赣州市信丰县', '360722'],
  ['9136060006346630XD', '鹰潭市信江海融小额贷款股份有限公司', '360600'],
];

test('real published codes validate and yield their region code', () => {
  for (const [code, holder, region] of REAL) {
    const r = validateCreditCode(code);
    assert.ok(r.ok, `${code} ${holder}: ${r.ok ? '' : r.reason}`);
    assert.equal(r.regionCode, region, holder);
    assert.equal(r.code, code);
    assert.equal(r.organizationCodeValid, true, holder);
    assert.equal(creditCodeCheckChar(code.slice(0, 17)), code[17]);
  }
  const huawei = validateCreditCode('914403001922038216');
  assert.deepEqual(huawei, {
    ok: true,
    code: '914403001922038216',
    regionCode: '440300',
    registrationAuthority: '9',
    organizationCategory: '1',
    organizationCode: '192203821',
    organizationCodeValid: true,
  });
});

test('check character 31 is written as 0; lower case is accepted and normalised', () => {
  const r = validateCreditCode('9144030071526726xg');
  assert.ok(r.ok);
  assert.equal(r.code, '9144030071526726XG');
  // Find a prefix whose raw result 31 - (Σ mod 31) is 31.
  let found = '';
  for (let i = 0; i < 1000 && !found; i++) {
    const p = `9136010000000${String(i).padStart(4, '0')}`;
    if (creditCodeCheckChar(p) === '0') found = p;
  }
  assert.ok(found, 'some prefix has check character 0');
  assert.ok(validateCreditCode(`${found}0`).ok);
});

test('every single-character change of a real code is caught', () => {
  // MOD 31 with weights coprime to 31 detects every single substitution.
  for (const [code] of REAL) {
    for (let i = 0; i < 18; i++) {
      for (const c of CREDIT_CODE_CHARSET) {
        if (c === code[i]) continue;
        const changed = code.slice(0, i) + c + code.slice(i + 1);
        const r = validateCreditCode(changed);
        assert.equal(r.ok, false, changed);
      }
    }
  }
});

test('adjacent transpositions of a real code are caught', () => {
  for (const [code] of REAL) {
    for (let i = 0; i < 17; i++) {
      if (code[i] === code[i + 1]) continue;
      const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
      assert.equal(validateCreditCode(swapped).ok, false, swapped);
    }
  }
});

test('invalid inputs are refused with a reason', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['', /length 0/],
    ['91350100M000100Y4', /length 17/],
    ['91350100M000100Y433', /length 19/],
    [' 91350100M000100Y43', /length 19/],
    ['91350100M000100Y4 ', /not in the GB 32100 charset/],
    ['91350100I000100Y43', /"I" at position 9/],
    ['91350100O000100Y43', /"O"/],
    ['91350100Z000100Y43', /"Z"/],
    ['91350100S000100Y43', /"S"/],
    ['91350100V000100Y43', /"V"/],
    ['91350100-000100Y43', /"-"/],
    ['９1350100M000100Y43', /position 1/], // full-width digit
    ['913501０0M000100Y43', /position 7/],
    ['913501A0M000100Y43', /6-digit region code/],
    ['91350100M000100Y44', /expected "3"/],
    ['91360112MA35KBXD04', /check character/], // copied with a typo from a public document
    ['ﬀ1350100M000100Y43', /not in the GB 32100 charset/], // "ﬀ".toUpperCase() is "FF"
    [null, /not a string/],
    [918350100, /not a string/],
  ];
  for (const [input, reason] of cases) {
    const r = validateCreditCode(input as string);
    assert.equal(r.ok, false, String(input));
    if (!r.ok) assert.match(r.reason, reason, String(input));
  }
  assert.equal(creditCodeCheckChar('91350100M000100Y'), null);
  assert.equal(creditCodeCheckChar('91350100M000100YI'), null);
});

test('makeCreditCode completes prefixes into valid codes', () => {
  assert.equal(makeCreditCode('91350100M000100Y4'), '91350100M000100Y43');
  assert.equal(makeCreditCode('9144030019220382'), '914403001922038216');
  const short = makeCreditCode('91360100');
  assert.equal(short.length, 18);
  const r = validateCreditCode(short);
  assert.ok(r.ok);
  assert.equal(r.regionCode, '360100');
  assert.equal(r.organizationCodeValid, true);
  for (let i = 0; i < 200; i++) {
    const code = makeCreditCode(`9136${String(100 + (i % 12) * 100).padStart(4, '0')}MA${String(i * 7919).padStart(5, '0')}`);
    assert.ok(validateCreditCode(code).ok, code);
  }
  assert.throws(() => makeCreditCode('91350100I'), RangeError);
  assert.throws(() => makeCreditCode('91350100M000100Y43'), RangeError);
});
